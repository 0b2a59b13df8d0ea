"""craterstats exchange: the ``.diam`` list read by the installed craterstats, and the ``_CRATER`` + ``_AREA``
shapefile pair read the way craterstats >= 3.3 reads it (radius from the ``.prj``, diameter from each polygon's
spherical area, the counting area from the area polygons)."""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path
from typing import Any

import pyproj
import pytest
from django.contrib.gis.gdal import DataSource
from shapely import wkt as shapely_wkt

from maps.core.scc import parse_scc
from rasters.core.geodesy import polygon_area_km2
from tests.maps.helpers import api_for, media, robbins_analysis  # noqa: F401 - fixture
from tests.maps.test_exports import REGION, body

pytestmark = pytest.mark.django_db
MARS_KM = 3396.19


@pytest.fixture
def robbins(cast: Any, media: Path) -> Any:  # noqa: F811
    return robbins_analysis(cast.owner)


def test_diam_is_read_by_craterstats(cast: Any, robbins: Any, tmp_path: Path) -> None:
    client = api_for(cast.owner)
    text = body(client.get("/api/v1/features/export/", {**REGION, "format": "diam"})).decode()
    scc = parse_scc(body(client.get("/api/v1/features/export/", {**REGION, "format": "scc"})).decode())
    from maps.core._craterstats_compat import ensure_numpy_compat

    ensure_numpy_compat()
    from craterstats import Cratercount

    path = tmp_path / "region.diam"
    path.write_text(text)
    cc = Cratercount(str(path))
    assert len(cc.diam) == len(scc.diameters_km) > 50  # the same craters as the .scc, counted by centre
    assert sorted(cc.diam) == pytest.approx(sorted(scc.diameters_km), rel=1e-6)
    assert cc.area == pytest.approx(scc.area_km2, rel=1e-6)
    assert set(cc.fraction) == {1.0}
    # Seen by the same CSFD code as the .scc: one diameter per crater, each >= 10 km (Robbins D >= 10 km).
    assert min(cc.diam) >= 10
    whole = body(client.get("/api/v1/features/export/", {"analysis": robbins.pk, "format": "diam"})).decode()
    assert "area = 1000000.000000" in whole  # the image footprint's area without a region
    # A stranger's export holds nothing of the owner's: no counting area, a clear 400.
    assert api_for(cast.stranger).get("/api/v1/features/export/", {**REGION, "format": "diam"}).status_code == 200
    assert api_for(cast.stranger).get(
        "/api/v1/features/export/", {"analysis": robbins.pk, "format": "diam"}).status_code == 400


def _read_pair(folder: Path, name: str) -> tuple[float, list[Any], list[Any]]:
    """craterstats' ``Spatialcount.readSHPfiles`` steps: the radius from each ``.prj``'s first line (they must
    agree), then the polygons of both layers in lon/lat."""
    radii = []
    layers = []
    for part in ("CRATER", "AREA"):
        shp = folder / f"{name}_{part}.shp"
        wkt = shp.with_suffix(".prj").read_text().splitlines()[0]
        crs = pyproj.CRS.from_wkt(wkt)
        assert crs.is_geographic and crs.ellipsoid is not None
        radii.append(crs.ellipsoid.semi_major_metre / 1e3)
        layer = DataSource(str(shp))[0]
        layers.append([(shapely_wkt.loads(f.geom.wkt), {k: f.get(k) for k in layer.fields}) for f in layer])
    assert radii[0] == radii[1]
    return radii[0], layers[0], layers[1]


def test_shapefile_pair_carries_radius_diameters_and_area(cast: Any, robbins: Any, tmp_path: Path) -> None:
    client = api_for(cast.owner)
    data = body(client.get("/api/v1/features/export/", {**REGION, "format": "cratershp"}))
    scc = parse_scc(body(client.get("/api/v1/features/export/", {**REGION, "format": "scc"})).decode())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path)
    for part in ("CRATER", "AREA"):
        assert {f"geoplanet_mars_{part}.{ext}" for ext in ("shp", "shx", "dbf", "prj")} <= names
    radius, craters, areas = _read_pair(tmp_path, "geoplanet_mars")
    assert radius == pytest.approx(MARS_KM)
    assert len(craters) == len(scc.diameters_km)
    # craterstats' diameter: the spherical cap of the polygon's area on the .prj's sphere.
    for (polygon, fields), expected in zip(sorted(craters, key=lambda c: c[1]["Diam_km"]),
                                           sorted(scc.diameters_km), strict=True):
        cap = polygon_area_km2(polygon, radius * 1000, edges="geodesic")
        diameter = 2 * radius * math.acos(1 - cap / (2 * math.pi * radius**2))
        assert diameter == pytest.approx(expected, rel=3e-3)
        assert fields["Diam_km"] == pytest.approx(expected, rel=1e-6)
        assert polygon.centroid.distance(shapely_wkt.loads(f"POINT({fields['x_coord']} {fields['y_coord']})")) < 0.01
    assert len(areas) == 1 and areas[0][1]["area_name"] == "Area_1"
    assert polygon_area_km2(areas[0][0], radius * 1000) == pytest.approx(scc.area_km2, rel=1e-6)
    # Without a region the area is the image footprint; a stranger has none to export.
    whole = body(client.get("/api/v1/features/export/", {"analysis": robbins.pk, "format": "cratershp"}))
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        archive.extractall(tmp_path / "whole")
    _, all_craters, footprint = _read_pair(tmp_path / "whole", "geoplanet_mars")
    assert len(all_craters) > len(craters) and footprint[0][0].bounds == (0.0, -35.0, 75.0, 35.0)
    assert api_for(cast.stranger).get(
        "/api/v1/features/export/", {"analysis": robbins.pk, "format": "cratershp"}).status_code == 400
