"""The one place that decides who may see or change an image (and so its analyses, features and comments).

Rules:
- ``private``: the image's owner only (even when it sits in a project).
- ``project``: the owner and every member of its project; owners and editors may change it, viewers read.
- ``public``: any logged-in user reads it; changes follow the ``project`` rule.
- Anonymous users see nothing here; they reach one object read-only through a share link (``share_for_token``).
- A share link lends its creator's right to share, checked each time it is used: an image or analysis link works
  while its creator may still change the image; a region link shows only features of images its creator may change.
- A deactivated account changes nothing, so every link it made stops working.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q
from django.http import Http404

from collab.models import Membership, Project, Role, ShareLink

PRIVATE, PROJECT, PUBLIC = "private", "project", "public"
EDIT_ROLES = {Role.OWNER.value, Role.EDITOR.value}


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _active(user: Any) -> bool:
    """A signed-up account that is not deactivated (only such accounts change anything, or lend that right)."""
    return _authenticated(user) and bool(getattr(user, "is_active", False))


def role_in(user: Any, project: Project | int | None) -> str | None:
    """``owner``, ``editor``, ``viewer`` or None for a non-member (or anonymous user, or no project)."""
    if project is None or not _authenticated(user):
        return None
    project_id = project.pk if isinstance(project, Project) else project
    return Membership.objects.filter(project_id=project_id, user=user).values_list("role", flat=True).first()


def visible_raster_q(user: Any) -> Q:
    """Filter on ``rasters.Raster`` for the images ``user`` may see (prefix-free, use on Raster querysets)."""
    if not _authenticated(user):
        return Q(pk__in=[])
    member_of = Membership.objects.filter(user=user).values("project_id")
    return Q(owner=user) | Q(visibility=PUBLIC) | Q(visibility=PROJECT, project_id__in=member_of)


def can_see_raster(user: Any, raster: Any) -> bool:
    """Whether ``user`` may read ``raster`` (the same rule as ``visible_raster_q``, for one loaded row)."""
    if not _authenticated(user):
        return False
    if raster.owner_id == user.pk or raster.visibility == PUBLIC:
        return True
    return raster.visibility == PROJECT and role_in(user, raster.project_id) is not None


def can_edit_raster(user: Any, raster: Any) -> bool:
    """Whether ``user`` may change ``raster``, run analyses on it and review its features (never when deactivated)."""
    if not _active(user):
        return False
    if raster.owner_id == user.pk:
        return True
    return raster.visibility != PRIVATE and role_in(user, raster.project_id) in EDIT_ROLES


def editable_raster_q(user: Any) -> Q:
    """Filter on ``rasters.Raster`` for the images ``user`` may change (the rule of ``can_edit_raster``)."""
    if not _active(user):
        return Q(pk__in=[])
    edits_in = Membership.objects.filter(user=user, role__in=EDIT_ROLES).values("project_id")
    return Q(owner=user) | Q(visibility__in=[PROJECT, PUBLIC], project_id__in=edits_in)


def can_manage_project(user: Any, project: Project) -> bool:
    """Owners invite, remove members and change roles."""
    return role_in(user, project) == Role.OWNER


def projects_visible_to(user: Any) -> Any:
    """Projects ``user`` belongs to."""
    if not _authenticated(user):
        return Project.objects.none()
    return Project.objects.filter(memberships__user=user).distinct()


def project_for_user(user: Any, pk: int | str, *, manage: bool = False) -> Project:
    """The project if ``user`` is a member (an owner, with ``manage``); else 404, leaking nothing."""
    try:
        pk_int = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such project.") from None
    project = projects_visible_to(user).filter(pk=pk_int).first()
    if project is None or (manage and not can_manage_project(user, project)):
        raise Http404("No such project.")
    return project


def share_link_works(link: ShareLink) -> bool:
    """Whether ``link`` opens its object now: not revoked or expired, its creator's account not deactivated and, for
    an image or an analysis, its creator may still change the image (a member removed or demoted, or an image made
    private, ends their links)."""
    if not link.is_active or not _active(link.created_by):
        return False
    raster = link.raster or (link.analysis.raster if link.analysis else None)
    return raster is None or can_edit_raster(link.created_by, raster)


_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def share_for_token(token: str) -> ShareLink:
    """The working share link of ``token``; 404 when unknown, revoked, expired or no longer backed by its creator's
    rights (the same answer for all: a visitor learns nothing about why)."""
    # Tokens are token_urlsafe(32): anything else (a NUL byte PostgreSQL refuses, an overlong string) is unknown.
    if not _TOKEN.fullmatch(token):
        raise Http404("This link does not exist or no longer works.")
    link = (
        ShareLink.objects.select_related(
            "created_by", "raster", "raster__body", "analysis", "analysis__raster", "region"
        )
        .filter(token=token)
        .first()
    )
    if link is None or not share_link_works(link):
        raise Http404("This link does not exist or no longer works.")
    return link
