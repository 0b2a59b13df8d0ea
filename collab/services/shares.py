"""Read-only share links to one image, analysis or region query; revocable and optionally expiring."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from collab.access import can_edit_raster
from collab.errors import InvalidInput, NotAllowed
from collab.geometry import parse_polygon
from collab.models import SharedRegion, ShareLink
from collab.services.activity import activity_record


def shared_region_create(*, user: Any, body: Any, geometry: Any, filters: dict[str, Any] | None = None) -> SharedRegion:
    """Save a region query (geometry in ``body``'s lon/lat, plus class/confidence filters)."""
    filters = dict(filters or {})
    classes = filters.get("classes")
    if classes is not None and not (isinstance(classes, list) and all(isinstance(c, str) for c in classes)):
        raise InvalidInput("filters.classes is a list of class names.")
    confidence = filters.get("min_confidence")
    if confidence is not None and not (isinstance(confidence, int | float) and 0 <= confidence <= 1):
        raise InvalidInput("filters.min_confidence is a number between 0 and 1.")
    geom = parse_polygon(geometry)
    return SharedRegion.objects.create(body=body, geometry=geom, filters=filters, created_by=user)


@transaction.atomic
def share_link_create(*, user: Any, target: Any, expires_at: datetime | None = None) -> ShareLink:
    """A new link with an unguessable token. Images and analyses need edit rights; regions their creator.

    The rights are checked again whenever the link is used (``collab.access.share_link_works``); a region link
    only ever shows features of images its creator may change (``collab.selectors.region_features``).
    """
    from rasters.models import Raster
    from segmentation.models import Analysis

    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput("The expiry must be in the future.")
    fields: dict[str, Any]
    if isinstance(target, Raster):
        raster, fields = target, {"raster": target}
    elif isinstance(target, Analysis):
        raster, fields = target.raster, {"analysis": target}
    elif isinstance(target, SharedRegion):
        if target.created_by_id != user.pk:
            raise NotAllowed("Only the region's author can share it.")
        raster, fields = None, {"region": target}
    else:
        raise InvalidInput("Share an image, an analysis or a region.")
    if raster is not None and not can_edit_raster(user, raster):
        raise NotAllowed("Only the image's owner and project editors can share it.")
    link = ShareLink.objects.create(token=secrets.token_urlsafe(32), created_by=user, expires_at=expires_at, **fields)
    activity_record(user, "created a share link to", target)
    return link


def share_link_revoke(*, user: Any, link: ShareLink) -> ShareLink:
    """The link stops working at once; only its creator (or the image's owner) revokes it."""
    raster = link.raster or (link.analysis.raster if link.analysis else None)
    if link.created_by_id != user.pk and not (raster is not None and raster.owner_id == user.pk):
        raise NotAllowed("Only the link's creator can revoke it.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        activity_record(user, "revoked a share link to", link.raster or link.analysis or link.region)
    return link
