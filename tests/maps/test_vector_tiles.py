"""Vector tiles: Leaflet's lon/lat grid, ST_AsMVT content read back by GDAL's MVT driver, filters, visibility."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from maps.filters import FeatureQuery
from maps.statements import feature_statement
from maps.vector_tiles import BadTile, UnknownBody, render_tile, tile_envelope, tile_rows
from tests.maps.gdal import feature_count, ogrinfo
from tests.maps.helpers import analysis_with, api_for

pytestmark = pytest.mark.django_db


def test_grid_matches_leaflet_epsg4326() -> None:
    assert tile_envelope(0, 0, 0) == (-180.0, -90.0, 0.0, 90.0)
    assert tile_envelope(0, 1, 0) == (0.0, -90.0, 180.0, 90.0)
    assert tile_envelope(3, 9, 2) == (22.5, 22.5, 45.0, 45.0)
    for bad in ((0, 2, 0), (0, 0, 1), (-1, 0, 0), (23, 0, 0)):
        with pytest.raises(BadTile):
            tile_envelope(*bad)


def tile_features(content: bytes, tmp_path: Path) -> int:
    if not content:
        return 0
    path = tmp_path / "tile.pbf"
    path.write_bytes(content)
    return feature_count(ogrinfo("-so", "-oo", "Z=3", "-oo", "X=9", "-oo", "Y=2", path, "features"))


def test_tile_content_filters_and_visibility(cast: Any, tmp_path: Path) -> None:
    analysis_with(cast.owner, [
        {"lon": 30, "lat": 30, "diameter_km": 30, "confidence": 0.9},
        {"lon": 35, "lat": 35, "diameter_km": 5, "confidence": 0.5},
        {"class_name": "valley", "lon": 40, "lat": 40},
        {"lon": 100, "lat": 30},  # another tile
        {"lon": 31, "lat": 31, "review_status": "rejected"},
    ])
    analysis_with(cast.stranger, [{"lon": 30, "lat": 30}])
    url = "/api/v1/features/tiles/mars/3/9/2.pbf"
    r = api_for(cast.owner).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert tile_features(r.content, tmp_path) == 3
    assert tile_features(api_for(cast.owner).get(url, {"class": "crater"}).content, tmp_path) == 2
    assert tile_features(api_for(cast.owner).get(url, {"confidence_min": 0.8}).content, tmp_path) == 2
    assert tile_features(api_for(cast.owner).get(url, {"diameter_max": 10}).content, tmp_path) == 1
    assert tile_features(api_for(cast.owner).get(url, {"include_rejected": "true"}).content, tmp_path) == 4
    assert tile_features(api_for(cast.stranger).get(url).content, tmp_path) == 1
    assert tile_features(api_for(cast.collaborator).get(url).content, tmp_path) == 0
    assert api_for(None).get(url).status_code in {401, 403}
    assert api_for(cast.owner).get("/api/v1/features/tiles/mars/0/5/0.pbf").status_code == 404
    assert api_for(cast.owner).get("/api/v1/features/tiles/pluto-x/0/0/0.pbf").status_code == 404


def test_features_of_other_bodies_stay_off_the_tile(cast: Any, tmp_path: Path) -> None:
    analysis_with(cast.owner, [{"lon": 30, "lat": 30}], body="moon")
    assert not api_for(cast.owner).get("/api/v1/features/tiles/mars/3/9/2.pbf").content
    assert api_for(cast.owner).get("/api/v1/features/tiles/moon/3/9/2.pbf").content


def test_render_tile_checks_the_body_only_when_given(cast: Any) -> None:
    rows = feature_statement("tile", cast.owner, FeatureQuery.from_params({"body": "mars"}), tile_rows)
    assert render_tile(rows, 3, 9, 2).data == b""  # no body given: an empty tile, not an unknown body
    assert render_tile(rows, 3, 9, 2, body="mars").data == b""
    with pytest.raises(UnknownBody):
        render_tile(rows, 3, 9, 2, body="pluto-x")


def test_the_tile_carries_each_features_properties(cast: Any, tmp_path: Path) -> None:
    """Read back by GDAL: confidence to three decimals, diameter and ids as stored."""
    confidences = [0.9, 0.12345, 0.6666666, 0.0004, 1.0]
    analysis = analysis_with(cast.owner, [{"lon": 30 + i, "lat": 30, "diameter_km": 20 + i, "confidence": c}
                                          for i, c in enumerate(confidences)])
    r = api_for(cast.owner).get("/api/v1/features/tiles/mars/3/9/2.pbf")
    path = tmp_path / "tile.pbf"
    path.write_bytes(r.content)
    text = ogrinfo("-al", "-oo", "Z=3", "-oo", "X=9", "-oo", "Y=2", path, "features")
    read = {}
    for block in text.split("OGRFeature(features):")[1:]:
        values = dict(line.strip().split(" = ", 1) for line in block.splitlines() if " = " in line)
        read[float(values["diameter_km (Real)"])] = values
    assert len(read) == len(confidences)
    for i, c in enumerate(confidences):
        values = read[20.0 + i]
        assert float(values["confidence (Real)"]) == pytest.approx(round(c, 3), abs=1e-12)
        assert int(values["analysis (Integer)"]) == analysis.pk
