"""Tile HTTP caching: ETag, Cache-Control, 304s, a new ETag after an edit, and no leak through a cached tile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from rasters import services
from rasters.models import Raster
from rasters.tiles import TILE_CACHE_SECONDS
from tests.rasters.conftest import api_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def raster(make_raster: Any, shared_data: Path) -> Raster:
    cache.clear()  # the test Redis database: no tile left from another test
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif")
    assert raster.status == Raster.Status.READY, raster.error
    return raster


def _url(raster: Raster, z: int = 1, x: int = 1, y: int = 0) -> str:
    return f"/api/v1/rasters/{raster.pk}/tiles/{z}/{x}/{y}.png"


def test_tile_carries_a_private_cache_header_and_an_etag(cast: Any, raster: Raster) -> None:
    client = api_for(cast.owner)
    first = client.get(_url(raster))
    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    assert first["Cache-Control"] == f"private, max-age={TILE_CACHE_SECONDS}"
    again = client.get(_url(raster))  # served from the cache: the same bytes under the same ETag
    assert again.content == first.content and again["ETag"] == etag
    other = client.get(_url(raster, 1, 0, 0))
    assert other.status_code == 200 and other["ETag"] != etag


def test_matching_etag_gets_304_with_the_same_headers(cast: Any, raster: Raster) -> None:
    client = api_for(cast.owner)
    etag = client.get(_url(raster))["ETag"]
    cached = client.get(_url(raster), HTTP_IF_NONE_MATCH=etag)
    assert cached.status_code == 304 and cached.content == b""
    assert cached["ETag"] == etag
    assert cached["Cache-Control"] == f"private, max-age={TILE_CACHE_SECONDS}"
    stale = client.get(_url(raster), HTTP_IF_NONE_MATCH='"not-this-one"')
    assert stale.status_code == 200 and stale.content


def test_editing_the_image_changes_the_etag(cast: Any, raster: Raster) -> None:
    client = api_for(cast.owner)
    etag = client.get(_url(raster))["ETag"]
    services.raster_update(raster, title="Renamed", description="")
    fresh = client.get(_url(raster), HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag


@pytest.mark.parametrize("who", ["collaborator", "stranger"])
def test_a_known_etag_or_a_cached_tile_leaks_nothing(cast: Any, raster: Raster, who: str) -> None:
    etag = api_for(cast.owner).get(_url(raster))["ETag"]  # now in Redis too
    client = api_for(getattr(cast, who))
    assert client.get(_url(raster), HTTP_IF_NONE_MATCH=etag).status_code == 404
    assert client.get(_url(raster)).status_code == 404
    assert api_for(None).get(_url(raster), HTTP_IF_NONE_MATCH=etag).status_code in (401, 403)


def test_tile_outside_the_image_is_404_and_cached_as_such(cast: Any, make_raster: Any, shared_data: Path) -> None:
    crop = make_raster(shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif")
    client = api_for(cast.owner)
    assert client.get(_url(crop, 2, 0, 0)).status_code == 404  # 180W..135W: nothing of the crop
    assert client.get(_url(crop, 2, 0, 0)).status_code == 404  # the empty answer is cached
