"""What GDAL (and so QGIS) reads from the exports: the body's CRS in GeoJSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.maps.gdal import feature_count, ogrinfo
from tests.maps.helpers import analysis_with, api_for, media  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def download(user: Any, params: dict[str, Any]) -> bytes:
    r: Any = api_for(user).get("/api/v1/features/export/", params)
    assert r.status_code == 200, getattr(r, "content", b"")[:500]
    return b"".join(r.streaming_content) if r.streaming else r.content


@pytest.mark.parametrize("slug, name", [("mars", "Mars (2015)"), ("moon", "Moon (2015)")])
def test_geojson_opens_on_its_body(cast: Any, media: Path, tmp_path: Path, slug: str, name: str) -> None:  # noqa: F811
    analysis_with(cast.owner, [{"lon": 10, "lat": 5, "diameter_km": 10}], body=slug)
    path = tmp_path / "features.geojson"
    path.write_bytes(download(cast.owner, {"body": slug, "format": "geojson"}))
    info = ogrinfo("-so", "-al", path)
    srs = info[info.index("Layer SRS WKT"):]
    assert name in srs and "WGS 84" not in srs
    assert feature_count(info) == 1
