"""``{% email_verification_notice %}``: a one-line reminder for a signed-in user whose email is unconfirmed."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.selectors import email_is_verified

register = template.Library()


@register.inclusion_tag("accounts/email_notice.html", takes_context=True)
def email_verification_notice(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    show = bool(getattr(user, "is_authenticated", False)) and not email_is_verified(user)
    return {
        "show": show,
        "email": getattr(user, "email", "") if show else "",
        "next": request.get_full_path() if show and request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
