"""The vector tile cache: keyed on the data version, so a committed review, redraw or change of access shows on
the very next tile. These tests commit (``transaction=True``): the version is raised by triggers at commit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from collab import services as collab_services
from maps.vector_tiles import data_version, tile_cache_key
from rasters.models import Raster
from tests.maps.gdal import feature_count, ogrinfo
from tests.maps.helpers import analysis_with, api_for

# transactional_db by name: the autouse fixture that puts the flushed bodies back looks for it.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("transactional_db")]
URL = "/api/v1/features/tiles/mars/3/9/2.pbf"


def count(content: bytes, tmp_path: Path) -> int:
    if not content:
        return 0
    path = tmp_path / "tile.pbf"
    path.write_bytes(content)
    return feature_count(ogrinfo("-so", "-oo", "Z=3", "-oo", "X=9", "-oo", "Y=2", path, "features"))


@pytest.fixture
def craters(cast: Any) -> Any:
    return analysis_with(cast.owner, [
        {"lon": 30, "lat": 30, "diameter_km": 30}, {"lon": 35, "lat": 35, "diameter_km": 5},
        {"lon": 40, "lat": 40, "diameter_km": 8},
    ])


def test_tile_is_cached_and_revalidated_by_etag(cast: Any, craters: Any, tmp_path: Path) -> None:
    client = api_for(cast.owner)
    first = client.get(URL)
    assert first.status_code == 200 and count(first.content, tmp_path) == 3
    assert first["Cache-Control"] == "private, no-cache" and first["ETag"]
    key = tile_cache_key(cast.owner.pk, [("body", "mars")], 3, 9, 2)
    assert key is not None and cache.get(key) == first.content
    again = client.get(URL)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # Another user or other filters never get this entry.
    assert tile_cache_key(cast.stranger.pk, [("body", "mars")], 3, 9, 2) != key
    assert count(api_for(cast.stranger).get(URL).content, tmp_path) == 0
    assert count(client.get(URL, {"diameter_max": 10}).content, tmp_path) == 2


def test_a_review_shows_on_the_next_tile(cast: Any, craters: Any, tmp_path: Path) -> None:
    client = api_for(cast.owner)
    before = client.get(URL)
    assert count(before.content, tmp_path) == 3
    version = data_version()
    collab_services.feature_review(user=cast.owner, feature=craters.features.order_by("id")[0], action="reject")
    assert data_version() == version + 1  # once for the transaction, however many rows it wrote
    after = client.get(URL)
    assert count(after.content, tmp_path) == 2 and after["ETag"] != before["ETag"]
    assert client.get(URL, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200


def test_a_redraw_shows_on_the_next_tile(cast: Any, craters: Any, tmp_path: Path) -> None:
    client = api_for(cast.owner)
    assert count(client.get(URL).content, tmp_path) == 3
    feature = craters.features.order_by("id")[0]
    far = {"type": "Polygon", "coordinates": [[[100, 30], [101, 30], [101, 31], [100, 31], [100, 30]]]}
    collab_services.feature_review(user=cast.owner, feature=feature, action="redraw", geometry=far)
    assert count(client.get(URL).content, tmp_path) == 2
    assert count(client.get("/api/v1/features/tiles/mars/3/12/2.pbf").content, tmp_path) >= 1


def test_a_change_of_access_shows_on_the_next_tile(cast: Any, craters: Any, tmp_path: Path) -> None:
    stranger = api_for(cast.stranger)
    assert count(stranger.get(URL).content, tmp_path) == 0
    Raster.objects.filter(pk=craters.raster_id).update(visibility="public")
    assert count(stranger.get(URL).content, tmp_path) == 3


def test_no_cache_inside_a_transaction(cast: Any) -> None:
    # Inside one the version does not count the transaction's own writes yet.
    with transaction.atomic():
        assert tile_cache_key(cast.owner.pk, [], 0, 0, 0) is None
    assert tile_cache_key(cast.owner.pk, [], 0, 0, 0) is not None


def test_an_uncommitted_write_leaves_the_version(cast: Any, craters: Any) -> None:
    version = data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        craters.features.update(diameter_km=1)
        raise RuntimeError("rolled back")
    assert data_version() == version
    craters.features.update(diameter_km=2)
    assert data_version() == version + 1
