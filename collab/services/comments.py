"""Comments on images, analyses and features (optionally pinned to a lon/lat), with @mentions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from collab.access import can_see_raster
from collab.errors import InvalidInput, NotAllowed
from collab.markdown import mentioned_usernames, render_markdown
from collab.models import Comment
from collab.services.activity import activity_record, notify

MAX_COMMENT_CHARS = 10_000


def _target_fields(target: Any) -> dict[str, Any]:
    from rasters.models import Raster
    from segmentation.models import Analysis, Feature

    if isinstance(target, Feature):
        return {"raster": target.raster, "analysis": target.analysis, "feature": target}
    if isinstance(target, Analysis):
        return {"raster": target.raster, "analysis": target, "feature": None}
    if isinstance(target, Raster):
        return {"raster": target, "analysis": None, "feature": None}
    raise InvalidInput("Comments go on an image, an analysis or a feature.")


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("A comment cannot be empty.")
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidInput(f"A comment has at most {MAX_COMMENT_CHARS} characters.")
    return text


def _clean_pin(lon: float | None, lat: float | None) -> tuple[float | None, float | None]:
    if lon is None and lat is None:
        return None, None
    if lon is None or lat is None:
        raise InvalidInput("A pin needs both longitude and latitude.")
    lon, lat = float(lon), float(lat)
    if not (-180.0 <= lon <= 360.0 and -90.0 <= lat <= 90.0):
        raise InvalidInput("The pin lies outside the body's longitude/latitude range.")
    return lon, lat


def comment_url(comment: Comment) -> str:
    """The page that shows ``comment``, anchored on it: the feature's page, the analysis' review, or the image."""
    if comment.feature_id is not None:
        page = reverse("collab:feature", kwargs={"pk": comment.feature_id})
    elif comment.analysis_id is not None:
        page = reverse("collab:analysis_review", kwargs={"pk": comment.analysis_id})
    else:
        page = reverse("rasters:detail", kwargs={"pk": comment.raster_id})
    return f"{page}#comment-{comment.pk}"


def _notify_mentions(comment: Comment) -> None:
    """Notify the users named with @ who may see the commented object (nobody else learns it exists)."""
    names = mentioned_usernames(comment.text)
    if not names:
        return
    users = get_user_model().objects.filter(username__in=names)
    visible = [u for u in users if can_see_raster(u, comment.raster)]
    notify(visible, comment.author, "mentioned", f"{comment.author.get_username()} mentioned you in a comment.",
           comment_url(comment))


@transaction.atomic
def comment_create(
    *, author: Any, target: Any, text: str, lon: float | None = None, lat: float | None = None
) -> Comment:
    """A comment by ``author`` (who must see the target) on an image, analysis or feature.

    Mentions link to the page of the comment, built here: never to a URL the client sent (a Referer).
    """
    fields = _target_fields(target)
    if not can_see_raster(author, fields["raster"]):
        raise NotAllowed("You cannot comment on this.")
    text = _clean_text(text)
    lon, lat = _clean_pin(lon, lat)
    comment = Comment.objects.create(author=author, text=text, html=render_markdown(text), lon=lon, lat=lat, **fields)
    _notify_mentions(comment)
    activity_record(author, "commented on", target)
    return comment


def comment_update(*, user: Any, comment: Comment, text: str) -> Comment:
    """Authors edit their own comments (mentions new to the edit are notified)."""
    if comment.author_id != user.pk:
        raise NotAllowed("Only the author can edit a comment.")
    comment.text = _clean_text(text)
    comment.html = render_markdown(comment.text)
    comment.save(update_fields=["text", "html", "updated_at"])
    return comment


def comment_delete(*, user: Any, comment: Comment) -> None:
    """Authors delete their own comments."""
    if comment.author_id != user.pk:
        raise NotAllowed("Only the author can delete a comment.")
    comment.delete()
