"""Reads of accounts: whose email is verified, and whether a verification link still fits its account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import F, QuerySet

from accounts.errors import AlreadyVerified, VerificationLinkInvalid
from accounts.models import Profile
from accounts.tokens import read_verification_token


def email_is_verified(user: Any) -> bool:
    """Whether ``user`` (a real, signed-up account) proved they receive mail at their current email."""
    email = (getattr(user, "email", "") or "").strip()
    if not email or not getattr(user, "is_authenticated", False):
        return False
    return Profile.objects.filter(user_id=user.pk, email_verified_for__iexact=email).exists()


def users_with_verified_email(email: str) -> QuerySet[User]:
    """Accounts whose current email is ``email`` (case-insensitive) and verified."""
    users = get_user_model().objects
    email = email.strip()
    if not email:
        return users.none()
    return users.filter(email__iexact=email, profile__email_verified_for__iexact=F("email"))


def verification_address(user: Any, token: str) -> str:
    """The address ``token`` would verify for ``user``, who must be the account it was sent to; else raises.

    A link stops working once it is used (the address is verified), when the account's email changes, and after
    ``accounts.tokens.VERIFICATION_MAX_AGE``.
    """
    claim = read_verification_token(token)
    if claim.user_id != user.pk:
        raise VerificationLinkInvalid(
            "This verification link was sent to another account. Log out, then open it again and log in as the "
            "account it was sent to."
        )
    email = (user.email or "").strip()
    if not email or not claim.is_for_address(email):
        raise VerificationLinkInvalid(
            "This verification link was sent to an address that is no longer your account's email. "
            "Ask for a new one from your profile page."
        )
    if email_is_verified(user):
        raise AlreadyVerified(f"This link was used already: {email} is verified.")
    return email
