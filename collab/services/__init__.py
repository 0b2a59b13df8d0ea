"""Writes of the collab app. Every public service is importable from ``collab.services``."""

from collab.services.activity import activity_record, notifications_mark_read, notify
from collab.services.comments import comment_create, comment_delete, comment_update
from collab.services.projects import (
    invitation_accept,
    invitation_create,
    invitation_decline,
    member_remove,
    member_set_role,
    project_create,
    project_leave,
    raster_share_settings,
)
from collab.services.reviews import feature_review
from collab.services.shares import share_link_create, share_link_revoke, shared_region_create

__all__ = [
    "activity_record", "notifications_mark_read", "notify",
    "comment_create", "comment_delete", "comment_update",
    "invitation_accept", "invitation_create", "invitation_decline", "member_remove", "member_set_role",
    "project_create", "project_leave", "raster_share_settings",
    "feature_review",
    "share_link_create", "share_link_revoke", "shared_region_create",
]
