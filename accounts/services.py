"""Writes for accounts: registration and profile edits."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from accounts.models import Profile


@transaction.atomic
def user_register(*, username: str, email: str, password: str) -> User:
    """Create a user and their empty profile together; the password must already be validated."""
    user_model = get_user_model()
    user = user_model.objects.create_user(username=username, email=email, password=password)
    Profile.objects.create(user=user)
    return user


def profile_for(user: User) -> Profile:
    """The user's profile, created on first use for accounts made outside registration (admin, shell)."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def profile_update(*, profile: Profile, display_name: str, affiliation: str, bio: str) -> Profile:
    """Save the editable profile fields."""
    profile.display_name = display_name
    profile.affiliation = affiliation
    profile.bio = bio
    profile.full_clean()
    profile.save(update_fields=["display_name", "affiliation", "bio", "updated_at"])
    return profile
