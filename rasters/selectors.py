"""Reads for rasters, and the one place that decides who may see or change a raster."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from geoplanet.kept import KeptLookup
from rasters.models import Body, Raster


def rasters_visible_to(user: Any) -> QuerySet[Raster]:
    """Every raster ``user`` may see, as decided by ``collab.access`` (anonymous users see none)."""
    from collab.access import visible_raster_q

    return Raster.objects.filter(visible_raster_q(user))


# The columns the access rule reads: always loaded, whatever a caller asks for.
ACCESS_FIELDS = ("owner", "visibility", "project")


_lookups: dict[tuple[str, ...] | None, KeptLookup[Raster]] = {}


def _raster_lookup(fields: tuple[str, ...] | None) -> KeptLookup[Raster]:
    lookup = _lookups.get(fields)
    if lookup is None:
        if fields is None:
            lookup = KeptLookup(lambda: Raster.objects.select_related("body", "owner"))
        else:
            lookup = KeptLookup(lambda: Raster.objects.select_related("body").only(*ACCESS_FIELDS, *fields))
        lookup = _lookups.setdefault(fields, lookup)
    return lookup


def raster_for_user(
    user: Any, pk: int | str, *, write: bool = False, fields: Sequence[str] | None = None
) -> Raster:
    """The raster ``pk`` if ``user`` may see it (or change it, with ``write``); else 404, leaking nothing.

    Every page, API endpoint, tile, thumbnail, download and export goes through here. ``fields`` loads only
    those columns (plus the access rule's, and the body's row) for hot paths such as map tiles: the whole row
    holds the footprint, whose geometry alone costs more to read and parse than a cached tile takes to serve.
    Other columns still load on first use, one query each.
    """
    try:
        pk_int = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such image.") from None
    from collab.access import can_edit_raster, can_see_raster

    # One primary-key read (compiled once per column set), then the same rule as rasters_visible_to applied to
    # the loaded row: the owner's requests (most tiles) need no membership query at all.
    raster = _raster_lookup(None if fields is None else tuple(fields)).get(pk_int)
    if raster is None or not can_see_raster(user, raster):
        raise Http404("No such image.")
    if write and not can_edit_raster(user, raster):
        raise Http404("No such image.")
    return raster


def bodies() -> QuerySet[Body]:
    """All bodies, for pickers."""
    return Body.objects.all()
