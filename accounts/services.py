"""Writes for accounts: registration, email verification and profile edits."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.errors import AlreadyVerified, MailNotSent, TooSoon, VerificationLinkInvalid
from accounts.models import Profile
from accounts.selectors import email_is_verified, verification_address
from accounts.tokens import VERIFICATION_MAX_AGE, verification_token

log = logging.getLogger(__name__)

RESEND_INTERVAL_S = 60


@transaction.atomic
def user_register(*, username: str, email: str, password: str) -> User:
    """Create a user and their empty profile together; the password must already be validated.

    The email starts unverified: ``email_verification_send`` mails the link that verifies it.
    """
    user_model = get_user_model()
    user = user_model.objects.create_user(username=username, email=email, password=password)
    Profile.objects.create(user=user)
    return user


def _resend_key(user: User) -> str:
    return f"accounts:verification-sent:{user.pk}"


def email_verification_send(*, user: User, base_url: str) -> None:
    """Mail ``user`` a link that verifies their current email; at most one mail per ``RESEND_INTERVAL_S``.

    ``base_url`` is the site's scheme and host (``https://geoplanet.example``), as the request that asked saw it.
    """
    if not user.email:
        raise VerificationLinkInvalid("Your account has no email address to verify.")
    if email_is_verified(user):
        raise AlreadyVerified(f"{user.email} is verified already.")
    # add() is atomic in Redis: two quick clicks send one mail.
    if not cache.add(_resend_key(user), 1, timeout=RESEND_INTERVAL_S):
        raise TooSoon("A verification email was sent less than a minute ago. Check your inbox, or try again soon.")
    url = base_url.rstrip("/") + reverse("accounts:verify_email", kwargs={"token": verification_token(user)})
    context = {"user": user, "url": url, "days": VERIFICATION_MAX_AGE.days}
    try:
        send_mail(
            "Confirm your email address for GeoPlanet",
            render_to_string("accounts/email/verify_email.txt", context),
            None,
            [user.email],
        )
    except OSError as error:  # smtplib's errors are OSErrors
        cache.delete(_resend_key(user))
        log.warning("verification email to user %s not sent: %s", user.pk, error)
        raise MailNotSent("The verification email could not be sent just now. Try again in a few minutes.") from None


def email_verify(*, user: User, token: str) -> Profile:
    """Mark ``user``'s current email verified if ``token`` is a working link sent to it (``verification_address``)."""
    verification_address(user, token)
    return email_mark_verified(user=user)


def email_mark_verified(*, user: User) -> Profile:
    """Record ``user``'s current email as verified, without a link: for accounts we vouch for (the demo seed)."""
    profile = profile_for(user)
    profile.email_verified_for = user.email
    profile.email_verified_at = timezone.now()
    profile.save(update_fields=["email_verified_for", "email_verified_at", "updated_at"])
    return profile


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
