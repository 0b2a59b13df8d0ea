"""Django's model backend, with the per-request user read compiled once (:mod:`geoplanet.kept`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from geoplanet.kept import KeptLookup

_users: KeptLookup[Any] = KeptLookup(lambda: get_user_model()._default_manager.all())


class ModelBackend(DjangoModelBackend):
    """Passwords and permissions as Django's; the session's user, read on every request, costs one statement.

    ``get_user`` keeps Django's rule: no user for an unknown id, none for a deactivated account.
    """

    def get_user(self, user_id: Any) -> Any:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = _users.get(pk)
        return user if user is not None and self.user_can_authenticate(user) else None
