"""What GDAL (and so QGIS) reads from the exports: the body's CRS in GeoJSON, one typed schema in GeoPackage and
Shapefile whatever the rows (craters only, valleys only, nothing), multipolygons throughout."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from maps.serializers import SHORT_NAMES
from tests.maps.gdal import feature_count, ogrinfo
from tests.maps.helpers import analysis_with, api_for, media  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
FEATURES: list[dict[str, Any]] = [
    {"lon": 10, "lat": 5, "diameter_km": 10},
    {"lon": 12, "lat": 6, "diameter_km": 30},
    {"class_name": "valley", "lon": 20, "lat": 8, "length_km": 120.0, "orientation_deg": 30.0},
]

# Ids are bigints; measures are reals even where every row lacks them.
SCHEMA = {
    "id": "Integer64", "body": "String", "body_slug": "String", "raster": "Integer64", "analysis": "Integer64",
    "class_name": "String", "effective_class": "String", "review_status": "String", "confidence": "Real",
    "area_km2": "Real", "perimeter_km": "Real", "diameter_km": "Real", "length_km": "Real",
    "orientation_deg": "Real", "center_lon": "Real", "center_lat": "Real",
}


def download(user: Any, params: dict[str, Any]) -> bytes:
    r: Any = api_for(user).get("/api/v1/features/export/", params)
    assert r.status_code == 200, getattr(r, "content", b"")[:500]
    return b"".join(r.streaming_content) if r.streaming else r.content


def fields(info: str) -> dict[str, str]:
    """``name: Type (width.precision)`` lines of ``ogrinfo -so`` as {name: Type}."""
    return dict(re.findall(r"^(\w+): (\w+) \(\d+\.\d+\)$", info, flags=re.M))


def geometry(info: str) -> str:
    return re.search(r"^Geometry: (.+)$", info, flags=re.M).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize("slug, name", [("mars", "Mars (2015)"), ("moon", "Moon (2015)")])
def test_geojson_opens_on_its_body(cast: Any, media: Path, tmp_path: Path, slug: str, name: str) -> None:  # noqa: F811
    analysis_with(cast.owner, [{"lon": 10, "lat": 5, "diameter_km": 10}], body=slug)
    path = tmp_path / "features.geojson"
    path.write_bytes(download(cast.owner, {"body": slug, "format": "geojson"}))
    info = ogrinfo("-so", "-al", path)
    srs = info[info.index("Layer SRS WKT"):]
    assert name in srs and "WGS 84" not in srs
    assert feature_count(info) == 1


@pytest.fixture
def mixed(cast: Any, media: Path) -> Any:  # noqa: F811
    return analysis_with(cast.owner, FEATURES)


@pytest.mark.parametrize("fmt", ["gpkg", "shp"])
def test_every_export_has_the_same_typed_schema(cast: Any, mixed: Any, tmp_path: Path, fmt: str) -> None:
    expected = SCHEMA if fmt == "gpkg" else {SHORT_NAMES[k]: v for k, v in SCHEMA.items()}
    for cls, n in (("crater", 2), ("valley", 1), ("nothing", 0)):
        data = download(cast.owner, {"body": "mars", "class": cls, "format": fmt})
        folder = tmp_path / f"{cls}-{fmt}"
        folder.mkdir()
        if fmt == "gpkg":
            path = folder / "features.gpkg"
            path.write_bytes(data)
        else:
            zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
            path = folder / "features.shp"
        info = ogrinfo("-so", path, "features")
        assert fields(info) == expected, cls
        assert feature_count(info) == n
        assert "Mars" in info[info.index("Layer SRS WKT"):]
        if fmt == "gpkg":
            assert geometry(info) == "Multi Polygon", cls
            declared = ogrinfo(path, "-sql", "SELECT geometry_type_name FROM gpkg_geometry_columns")
            assert "geometry_type_name (String) = MULTIPOLYGON" in declared
        else:
            assert geometry(info) == "Polygon", cls  # a shapefile's polygons may have several parts


def test_typed_values_survive(cast: Any, mixed: Any, tmp_path: Path) -> None:
    path = tmp_path / "valley.gpkg"
    path.write_bytes(download(cast.owner, {"body": "mars", "class": "valley", "format": "gpkg"}))
    row = ogrinfo("-q", path, "features")
    assert "length_km (Real) = 120" in row and "orientation_deg (Real) = 30" in row
    assert "diameter_km (Real) = (null)" in row and "effective_class (String) = valley" in row
    assert "MULTIPOLYGON (((" in row
