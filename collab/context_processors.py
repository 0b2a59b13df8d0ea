"""Template context for base.html's nav: the number of unread notifications."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def notifications(request: HttpRequest) -> dict[str, Any]:
    from collab.selectors import unread_count

    return {"unread_notifications": unread_count(getattr(request, "user", None))}
