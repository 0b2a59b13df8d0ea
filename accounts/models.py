"""A user's public face (display name, affiliation, bio) and the email address they proved they receive."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Profile(models.Model):
    """One per user, created with the account by ``accounts.services.user_register``."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=120, blank=True)
    affiliation = models.CharField(max_length=200, blank=True)
    bio = models.TextField(max_length=2000, blank=True)
    # The address a verification link was confirmed for. It counts only while it is still the account's email,
    # so changing the email (admin, shell) unverifies the account without anything else to keep in step.
    email_verified_for = models.EmailField(blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        """The name shown beside the user's work: the display name, or the username."""
        return self.display_name or self.user.get_username()

    @property
    def email_verified(self) -> bool:
        """Whether the account's current email is the address its owner proved they receive."""
        email = self.user.email
        return bool(email) and self.email_verified_for.lower() == email.lower()
