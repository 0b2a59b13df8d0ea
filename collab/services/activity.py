"""Activity feed lines and in-app notifications; other apps call ``activity_record`` (e.g. analysis started)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from collab.models import Activity, Notification, Project
from collab.paths import site_path


def _raster_of(target: Any) -> Any:
    """The image a target belongs to (an image, analysis, feature or comment), or None."""
    from rasters.models import Raster

    if isinstance(target, Raster):
        return target
    return getattr(target, "raster", None)


def activity_record(actor: Any, verb: str, target: Any = None, project: Project | None = None) -> Activity:
    """Add a line to the activity feed: ``actor`` ``verb`` ``target`` (in ``project``, else the image's project).

    Safe to call from any app's service, e.g. ``activity_record(user, "started analysis", analysis)``.
    """
    raster = _raster_of(target)
    if project is None and raster is not None and raster.project_id and raster.visibility != "private":
        project = raster.project
    if project is None and isinstance(target, Project):
        project = target
    return Activity.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb[:40],
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "pk", None),
        target_repr=str(target)[:200] if target is not None else "",
        project=project,
        raster=raster,
    )


def notify(recipients: Iterable[Any], actor: Any, verb: str, text: str, url: str = "") -> list[Notification]:
    """One notification per recipient (the actor is never notified of their own action).

    ``url`` must be a path of this site (build it with ``reverse``); anything else, or a path too long to store
    whole, is dropped and the notification has no link.
    """
    url = site_path(url)
    url = url if len(url) <= 300 else ""  # Notification.url's length: a cut path would lead elsewhere
    rows = [
        Notification(recipient=user, actor=actor, verb=verb[:40], text=text[:300], url=url)
        for user in {u.pk: u for u in recipients}.values()
        if user.pk != getattr(actor, "pk", None)
    ]
    return Notification.objects.bulk_create(rows)


def notifications_mark_read(user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s notifications read (all of them, or only ``ids``); returns how many changed."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())
