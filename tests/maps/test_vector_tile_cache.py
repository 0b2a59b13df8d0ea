"""The vector tile cache: keyed on the data version, so a committed review, redraw or change of access shows on
the very next tile. These tests commit (``transaction=True``): the version is raised by triggers at commit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from collab import services as collab_services
from maps.vector_tiles import CACHE_MAX_ZOOM, data_version, etag_of, tile_cache_key, version_key
from rasters.models import Raster
from tests.maps.gdal import feature_count, ogrinfo
from tests.maps.helpers import analysis_with, api_for

# transactional_db by name: the autouse fixture that puts the flushed bodies back looks for it.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("transactional_db")]
URL = "/api/v1/features/tiles/mars/3/9/2.pbf"
# A tile below CACHE_MAX_ZOOM holding the crater at 30 E 30 N: rendered on every request, never cached.
DEEP = (8, 298, 85)
DEEP_URL = "/api/v1/features/tiles/mars/{}/{}/{}.pbf".format(*DEEP)


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


def count_deep(content: bytes, tmp_path: Path) -> int:
    path = tmp_path / "deep.pbf"
    path.write_bytes(content)
    z, x, y = DEEP
    return feature_count(ogrinfo("-so", "-oo", f"Z={z}", "-oo", f"X={x}", "-oo", f"Y={y}", path, "features"))


def test_a_deep_tile_is_rendered_not_cached_yet_revalidated(cast: Any, craters: Any, tmp_path: Path) -> None:
    assert DEEP[0] > CACHE_MAX_ZOOM
    client = api_for(cast.owner)
    first = client.get(DEEP_URL)
    assert first.status_code == 200 and count_deep(first.content, tmp_path) == 1
    key = tile_cache_key(cast.owner.pk, [("body", "mars")], *DEEP)
    assert key is not None and cache.get(key) is None  # nothing kept
    assert first["ETag"] and first["Cache-Control"] == "private, no-cache"
    assert client.get(DEEP_URL)["ETag"] == first["ETag"]  # the same version and key: the same ETag
    assert client.get(DEEP_URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # A stranger's ETag is another one, and the owner's does not open the stranger's (empty) tile.
    stranger = api_for(cast.stranger)
    assert stranger.get(DEEP_URL)["ETag"] != first["ETag"]
    assert stranger.get(DEEP_URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    # A review raises the version: the old ETag is stale and the tile is drawn again without the feature.
    collab_services.feature_review(user=cast.owner, feature=craters.features.order_by("id")[0], action="reject")
    after = client.get(DEEP_URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"] and not after.content
    assert after["ETag"] == etag_of(version_key(data_version(), cast.owner.pk, [("body", "mars")], *DEEP))


def test_a_deep_tile_of_an_unknown_body_is_a_404(cast: Any) -> None:
    client = api_for(cast.owner)
    assert client.get("/api/v1/features/tiles/pluto-x/{}/{}/{}.pbf".format(*DEEP)).status_code == 404
    beyond = 2 ** (DEEP[0] + 1)  # one column past the grid's east edge
    assert client.get(f"/api/v1/features/tiles/mars/{DEEP[0]}/{beyond}/0.pbf").status_code == 404


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
