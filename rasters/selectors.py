"""Reads for rasters, and the one place that decides who may see or change a raster."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from rasters.models import Body, Raster


def rasters_visible_to(user: Any) -> QuerySet[Raster]:
    """Every raster ``user`` may see. Anonymous users see none; the collaboration app widens this query."""
    if not getattr(user, "is_authenticated", False):
        return Raster.objects.none()
    return Raster.objects.filter(owner=user)


def raster_for_user(user: Any, pk: int | str, *, write: bool = False) -> Raster:
    """The raster ``pk`` if ``user`` may see it (or change it, with ``write``); else 404, leaking nothing.

    Every page, API endpoint, tile, thumbnail, download and export goes through here.
    """
    try:
        pk_int = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such image.") from None
    raster = rasters_visible_to(user).select_related("body", "owner").filter(pk=pk_int).first()
    if raster is None:
        raise Http404("No such image.")
    if write and raster.owner_id != user.pk:
        raise Http404("No such image.")
    return raster


def bodies() -> QuerySet[Body]:
    """All bodies, for pickers."""
    return Body.objects.all()
