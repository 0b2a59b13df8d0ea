"""Tile HTTP caching: ETag, Cache-Control, 304s, a new key after any change to the pixels, and no leak through a
cached tile (the access decision runs before the cache on every request)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collab.models import Membership, Role
from collab.services.projects import member_remove, project_create, raster_share_settings
from rasters import services
from rasters.models import Raster
from rasters.tiles import TILE_CACHE_SECONDS, tile_cache_key
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


def test_removing_a_member_ends_their_warm_tiles(cast: Any, raster: Raster) -> None:
    # The tile stays in the cache under the same key (the image's row did not change): only the access decision,
    # made on every request before the cache is read, stands between the former member and the tile.
    project = project_create(owner=cast.owner, name="Arabia")
    Membership.objects.create(project=project, user=cast.collaborator, role=Role.VIEWER)
    raster_share_settings(by=cast.owner, raster=raster, project=project, visibility="project")
    member = api_for(cast.collaborator)
    first = member.get(_url(raster))
    assert first.status_code == 200
    assert cache.get(tile_cache_key(raster_row(raster), 1, 1, 0)) == first.content
    member_remove(by=cast.owner, project=project, user=cast.collaborator)
    assert member.get(_url(raster)).status_code == 404
    assert member.get(_url(raster), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404
    assert api_for(cast.owner).get(_url(raster)).content == first.content  # still cached for those who may see it


def test_new_band_statistics_redraw_a_cached_tile(cast: Any, raster: Raster) -> None:
    # Processing writes the statistics with a queryset update that leaves updated_at alone.
    client = api_for(cast.owner)
    first = client.get(_url(raster))
    updated_at = Raster.objects.get(pk=raster.pk).updated_at
    Raster.objects.filter(pk=raster.pk).update(band_stats=[{"p2": 100.0, "p98": 110.0}])
    assert Raster.objects.get(pk=raster.pk).updated_at == updated_at
    again = client.get(_url(raster), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert again.content != first.content  # a harder stretch, not the cached tile


def test_a_rewritten_cog_is_not_served_from_the_cache(cast: Any, raster: Raster, make_raster: Any,
                                                      shared_data: Path) -> None:
    client = api_for(cast.owner)
    first = client.get(_url(raster, 2, 4, 1))  # 0..45 E, 0..45 N: Arabia
    assert first.status_code == 200
    crop = make_raster(shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif")
    # Rewritten as processing does it: a new file renamed over the old one, the row untouched.
    partial = raster.cog_path.with_name("cog.partial.tif")
    shutil.copyfile(crop.cog_path, partial)
    partial.replace(raster.cog_path)
    again = client.get(_url(raster, 2, 4, 1))
    assert again.status_code == 200 and again["ETag"] != first["ETag"] and again.content != first.content


def test_a_tile_reads_one_slim_raster_row(cast: Any, raster: Raster) -> None:
    client = api_for(cast.owner)
    client.get(_url(raster))
    with CaptureQueriesContext(connection) as queries:
        warm = client.get(_url(raster))
    assert warm.status_code == 200
    raster_queries = [q["sql"] for q in queries.captured_queries if "rasters_raster" in q["sql"]]
    assert len(raster_queries) == 1, raster_queries
    assert '"footprint"' not in raster_queries[0] and '"metadata"' not in raster_queries[0]


def raster_row(raster: Raster) -> Raster:
    """The row as the tile view loads it."""
    return Raster.objects.select_related("body").get(pk=raster.pk)
