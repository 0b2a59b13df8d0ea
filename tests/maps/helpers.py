"""Fixtures and builders for the maps tests (imported by each module, so tests/maps/core and stats are untouched).

Rasters are plain rows (no upload) where a test only needs an image the cast may or may not see; the real
Robbins (2012) craters of Arabia Terra give realistic features for filters and exports.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from rasters.models import Body, Raster
from segmentation.models import Feature
from tests.factories import make_analysis, make_features
from tests.shared import shared_data_dir

ROBBINS = Path("mars/catalogs/robbins2012_arabia_D10km_eqc_IAU2015-49910.geojson")


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def api_for(user: Any, token: bool = False) -> APIClient:
    client = APIClient()
    if user is not None:
        if token:
            key = Token.objects.get_or_create(user=user)[0].key
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        else:
            client.force_authenticate(user)
    return client


def raster_row(owner: Any, body: str = "mars", bbox: tuple[float, float, float, float] = (0, -10, 40, 30),
               title: str = "Image") -> Raster:
    """A ready, georeferenced image row covering ``bbox`` on ``body`` (no file: tiles are not requested)."""
    footprint = MultiPolygon(Polygon.from_bbox(bbox), srid=0)
    return Raster.objects.create(
        owner=owner, title=title, body=Body.objects.get(slug=body), original_name="x.tif", original_ext=".tif",
        size_bytes=1, checksum_sha256="0" * 64, driver="GTiff", width=100, height=100, band_count=1, dtype="uint8",
        georeferenced=True, footprint=footprint, footprint_area_km2=1.0e6, status=Raster.Status.READY,
    )


def analysis_with(owner: Any, specs: list[dict[str, Any]], **raster: Any) -> Any:
    analysis = make_analysis(raster_row(owner, **raster))
    make_features(analysis, specs)
    return analysis


@functools.cache
def robbins_lonlat() -> list[tuple[str, float, float, float]]:
    """(polygon WKT in Mars lon/lat, diameter km, lon, lat) of the 3,706 Robbins craters (D >= 10 km, Arabia)."""
    import numpy as np
    import shapely
    from pyproj import Transformer
    from shapely.geometry import shape

    doc = json.loads((shared_data_dir() / ROBBINS).read_text())
    to_lonlat = Transformer.from_crs("IAU_2015:49910", "IAU_2015:49900", always_xy=True).transform
    out = []
    for feature in doc["features"]:
        geom = shapely.transform(shape(feature["geometry"]), lambda xy: np.column_stack(to_lonlat(xy[:, 0], xy[:, 1])))
        p = feature["properties"]
        out.append((geom.wkt, float(p["diam_km"]), float(p["lon"]), float(p["lat"])))
    return out


def robbins_analysis(owner: Any) -> Any:
    """An analysis of a Mars image holding the real Robbins craters, with varied confidences and reviews."""
    analysis = make_analysis(raster_row(owner, bbox=(0, -35, 75, 35), title="Arabia Terra"))
    raster = analysis.raster
    rows = []
    for i, (wkt, diam, lon, lat) in enumerate(robbins_lonlat()):
        geom = GEOSGeometry(wkt, srid=0)
        rows.append(Feature(
            analysis=analysis, raster=raster, body=raster.body, class_name="crater", geom=geom,
            pixel_geom=GEOSGeometry("POINT(1 1)", srid=0).buffer(1), confidence=0.5 + (i % 50) / 100,
            area_px=1.0, area_km2=3.14159 * diam * diam / 4, perimeter_km=3.14159 * diam, center_lon=lon,
            center_lat=lat, diameter_km=diam,
            review_status="rejected" if i % 100 == 0 else "unreviewed",
        ))
    Feature.objects.bulk_create(rows, batch_size=2000)
    return analysis
