"""Primary-key reads compiled once (geoplanet.kept): the same instances as the ORM's, current on every read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from accounts.backends import ModelBackend
from geoplanet.kept import KeptLookup
from rasters import selectors, tiles
from rasters.models import Raster

MARS = Path("mars") / "mars_mola_shaded_global_IAU2015-49900.tif"


def _loaded(obj: Any) -> dict[str, Any]:
    """Every column the instance holds, by attribute name."""
    deferred = obj.get_deferred_fields()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in deferred}


@pytest.mark.parametrize("fields", [None, tiles.TILE_FIELDS])
def test_kept_read_is_the_orms(fields: tuple[str, ...] | None, make_raster: Callable[..., Raster],
                               shared_data: Path, cast: Any) -> None:
    raster = make_raster(shared_data / MARS)
    if fields is None:
        orm = Raster.objects.select_related("body", "owner").get(pk=raster.pk)
    else:
        orm = Raster.objects.select_related("body").only(*selectors.ACCESS_FIELDS, *fields).get(pk=raster.pk)
    with CaptureQueriesContext(connection) as queries:
        kept = selectors.raster_for_user(cast.owner, raster.pk, fields=fields)
        assert kept.body is not None and kept.body.slug == "mars"  # select_related: no second query
        if fields is None:
            assert kept.owner.username == cast.owner.username
    assert len(queries) == 1
    assert kept.get_deferred_fields() == orm.get_deferred_fields()
    assert _loaded(kept) == _loaded(orm)
    assert _loaded(kept.body) == _loaded(orm.body)
    assert isinstance(kept.band_stats, list)  # the JSON column converted as the ORM converts it
    assert kept._state.adding is False and kept._state.db == "default"


def test_every_read_sees_the_row_as_it_is_now(make_raster: Callable[..., Raster], shared_data: Path,
                                              cast: Any) -> None:
    raster = make_raster(shared_data / MARS)
    assert selectors.raster_for_user(cast.owner, raster.pk, fields=tiles.TILE_FIELDS)
    with pytest.raises(Http404):
        selectors.raster_for_user(cast.stranger, raster.pk, fields=tiles.TILE_FIELDS)
    Raster.objects.filter(pk=raster.pk).update(visibility="public")
    assert selectors.raster_for_user(cast.stranger, raster.pk, fields=tiles.TILE_FIELDS).visibility == "public"
    Raster.objects.filter(pk=raster.pk).delete()
    with pytest.raises(Http404):
        selectors.raster_for_user(cast.owner, raster.pk, fields=tiles.TILE_FIELDS)


@pytest.mark.parametrize("pk", [0, -1, 2**63, -(2**63) - 1, 10**30])
def test_ids_out_of_range_or_unknown_are_no_row_not_a_database_error(pk: int, cast: Any) -> None:
    users: KeptLookup[Any] = KeptLookup(lambda: get_user_model()._default_manager.all())
    assert users.get(pk) is None
    with pytest.raises(Http404):
        selectors.raster_for_user(cast.owner, pk)


def test_session_user_read_keeps_djangos_rule(cast: Any) -> None:
    backend = ModelBackend()
    user = backend.get_user(cast.owner.pk)
    assert user is not None and user.pk == cast.owner.pk and user.username == cast.owner.username
    assert user.password == cast.owner.password
    assert backend.get_user(str(cast.owner.pk)) is not None  # the session stores the id as text
    assert backend.get_user("not a number") is None
    assert backend.get_user(10**30) is None
    get_user_model().objects.filter(pk=cast.owner.pk).update(is_active=False)
    assert backend.get_user(cast.owner.pk) is None  # deactivated: logged out on the next request


def test_annotated_lookups_are_refused() -> None:
    from django.db.models import Value

    with pytest.raises(ValueError, match="annotate"):
        KeptLookup(lambda: Raster.objects.annotate(x=Value(1))).get(1)
