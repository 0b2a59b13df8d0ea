"""Domain errors of collaboration; ``register_all`` adds them to geoplanet.errors' status table."""

from __future__ import annotations


class CollabError(Exception):
    """Base of collaboration errors; ``message`` is safe to show to the user."""

    code = "collab_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(CollabError):
    """The user may see the object but not do this to it (a viewer trying to edit, a non-author editing)."""

    code = "not_allowed"


class InvalidInput(CollabError):
    """A value the user sent cannot be used (unknown role, bad geometry, unknown class)."""

    code = "invalid"


class Conflict(CollabError):
    """The request clashes with current state (already a member, last owner leaving)."""

    code = "conflict"

