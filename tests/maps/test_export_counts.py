"""What a crater count holds: one analysis per image, craters by centre, the region measured as it is selected.

In a crater count (.scc, CSV catalogue) an image analysed twice counts once (its newest finished analysis, the
statistics page's rule) unless analyses are named, and a region holds the craters whose centre lies inside it
(a 150 km crater centred just outside the box touches it but is not counted). The map formats and the region
summary hold what the map shows: every analysis the query matches. The statistics page, the region summary and
the .scc measure a lon/lat box with the same area, that of a spherical zone segment.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest

from maps import services
from maps.core.scc import CraterCount, parse_scc
from maps.filters import query_from_dict
from segmentation.models import Analysis
from tests.factories import make_analysis, make_features
from tests.maps.gdal import feature_count, ogrinfo
from tests.maps.helpers import analysis_with, api_for, media  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
MARS_R_KM = 3396.19
OLD_LONS = [10.0, 11.0, 12.0]
NEW_LONS = [20.0, 21.0, 22.0]


@pytest.fixture
def rerun(cast: Any, media: Path) -> tuple[Analysis, Analysis]:  # noqa: F811
    """One image analysed twice (three craters each, at different places), then a third run still going."""
    old = analysis_with(cast.owner, [{"lon": lon, "lat": 5, "diameter_km": 10} for lon in OLD_LONS])
    new = make_analysis(old.raster)
    make_features(new, [{"lon": lon, "lat": 5, "diameter_km": 10} for lon in NEW_LONS])
    running = make_analysis(old.raster, status=Analysis.Status.RUNNING)
    make_features(running, [{"lon": 25, "lat": 5, "diameter_km": 10}])
    return old, new


def export(user: Any, params: dict[str, Any], fmt: str, tmp_path: Path) -> tuple[int, Path]:
    """An export as an export job writes it (``services.write_export``)."""
    path = tmp_path / f"export-{len(list(tmp_path.iterdir()))}.{fmt}"
    count = services.write_export(user, query_from_dict({k: str(v) for k, v in params.items()}), fmt, path)
    return count, path


def scc(user: Any, params: dict[str, Any], tmp_path: Path) -> CraterCount:
    return parse_scc(export(user, params, "scc", tmp_path)[1].read_text())


def csv_lons(path: Path) -> list[float]:
    return sorted(float(row["lon"]) for row in csv.DictReader(io.StringIO(path.read_text())))


@pytest.mark.parametrize("params", [
    {"body": "mars"}, {"raster": "image"}, {"body": "mars", "bbox": "0,0,30,10"},
], ids=["body", "raster", "bbox"])
def test_an_image_analysed_twice_counts_once(cast: Any, rerun: tuple[Analysis, Analysis], tmp_path: Path,
                                             params: dict[str, Any]) -> None:
    old, new = rerun
    if params.get("raster") == "image":
        params = {"raster": old.raster_id}
    count = scc(cast.owner, params, tmp_path)
    assert sorted(count.lon or []) == NEW_LONS  # the newest finished run, not the older one nor the running one
    if "bbox" not in params:
        assert count.area_km2 == pytest.approx(old.raster.footprint_area_km2)  # the image, once
    n, path = export(cast.owner, params, "csv", tmp_path)
    assert n == 3 and csv_lons(path) == NEW_LONS
    # the map formats hold what the map draws: both finished runs and the running one (ask analysis= for one)
    n, path = export(cast.owner, params, "geojson", tmp_path)
    doc = json.loads(path.read_text())
    assert n == 7 and {f["properties"]["analysis"] for f in doc["features"]} >= {old.pk, new.pk}
    n, path = export(cast.owner, params, "gpkg", tmp_path)
    assert n == 7 and feature_count(ogrinfo("-so", path, "features")) == 7
    n, _ = export(cast.owner, {**params, "analysis": new.pk}, "geojson", tmp_path)
    assert n == 3


def test_named_analyses_are_counted_as_asked(cast: Any, rerun: tuple[Analysis, Analysis], tmp_path: Path) -> None:
    old, new = rerun
    assert sorted(scc(cast.owner, {"analysis": old.pk}, tmp_path).lon or []) == OLD_LONS
    both = scc(cast.owner, {"analysis": f"{old.pk},{new.pk}"}, tmp_path)
    assert sorted(both.lon or []) == sorted(OLD_LONS + NEW_LONS)


def test_region_summary_counts_what_the_map_shows(cast: Any, rerun: tuple[Analysis, Analysis]) -> None:
    old, new = rerun
    client = api_for(cast.owner)
    queries: list[dict[str, str]] = [{"body": "mars"}, {"body": "mars", "bbox": "0,0,30,10"},
                                     {"raster": str(old.raster_id)}]
    for params in queries:
        doc = client.get("/api/v1/features/summary/", params).json()
        assert doc["count"] == 7, params
        assert client.get("/api/v1/features/summary/", {**params, "analysis": str(new.pk)}).json()["count"] == 3


def test_streamed_exports_hold_what_export_jobs_write(cast: Any, rerun: tuple[Analysis, Analysis],
                                                      tmp_path: Path) -> None:
    client = api_for(cast.owner)
    r: Any = client.get("/api/v1/features/export/", {"body": "mars", "format": "scc"})
    assert sorted(parse_scc(b"".join(r.streaming_content).decode()).lon or []) == NEW_LONS
    r = client.get("/api/v1/features/export/", {"body": "mars", "format": "csv"})
    streamed = tmp_path / "streamed.csv"
    streamed.write_bytes(b"".join(r.streaming_content))
    assert csv_lons(streamed) == NEW_LONS
    r = client.get("/api/v1/features/export/", {"body": "mars", "format": "geojson"})
    assert len(json.loads(b"".join(r.streaming_content))["features"]) == 7


@pytest.fixture
def edge(cast: Any, media: Path) -> Any:  # noqa: F811
    """A 10 km crater inside the box 20-40 E, 0-20 N and a 150 km one centred 1 degree east of it."""
    return analysis_with(cast.owner, [{"lon": 30, "lat": 10, "diameter_km": 10},
                                      {"lon": 41, "lat": 10, "diameter_km": 150}], bbox=(0, -10, 60, 30))


def test_region_counts_craters_by_centre(cast: Any, edge: Any, tmp_path: Path) -> None:
    region = {"body": "mars", "bbox": "20,0,40,20"}
    count = scc(cast.owner, region, tmp_path)
    assert count.diameters_km == [10.0] and count.lon == [30.0]
    n, path = export(cast.owner, region, "csv", tmp_path)
    assert n == 1 and csv_lons(path) == [30.0]
    # The statistics page counts the same crater.
    geometry = {"type": "Polygon", "coordinates": [[[20, 0], [40, 0], [40, 20], [20, 20], [20, 0]]]}
    stats = api_for(cast.owner).post("/api/v1/stats/region/", {"body": "mars", "geometry": geometry}, format="json")
    assert stats.json()["csfd"]["n_craters"] == 1
    # Map formats hold every outline the region touches, as the map shows them.
    n, path = export(cast.owner, region, "geojson", tmp_path)
    assert n == 2 and len(json.loads(path.read_text())["features"]) == 2


@pytest.mark.parametrize("box", [(0, 60, 90, 85), (20, 0, 40, 20), (0, 30, 60, 60)])
def test_every_page_measures_a_box_as_a_spherical_zone(cast: Any, edge: Any, tmp_path: Path,
                                                       box: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = box
    zone = MARS_R_KM**2 * math.radians(x1 - x0) * (math.sin(math.radians(y1)) - math.sin(math.radians(y0)))
    bbox = ",".join(map(str, box))
    geometry = {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}
    client = api_for(cast.owner)
    stats = client.post("/api/v1/stats/region/", {"body": "mars", "geometry": geometry}, format="json").json()
    summary = client.get("/api/v1/features/summary/", {"body": "mars", "bbox": bbox}).json()
    total = scc(cast.owner, {"body": "mars", "bbox": bbox}, tmp_path).area_km2
    assert stats["area_km2"] == pytest.approx(zone, rel=5e-3)
    assert summary["region_area_km2"] == pytest.approx(zone, rel=5e-3)
    assert total == pytest.approx(zone, rel=5e-3)
    assert stats["area_km2"] == pytest.approx(summary["region_area_km2"], rel=1e-9)
