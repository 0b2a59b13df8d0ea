"""Signed, expiring email-verification tokens bound to one account and the address it had when asked.

The token carries the user's id and a keyed digest of the address (not the address itself: links end up in logs).
It is signed with the project's secret key and a salt of its own, so it is useless as any other kind of token.
Reading one checks the signature and the age only; whether it still fits the account is ``accounts.selectors``'.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core import signing
from django.utils.crypto import salted_hmac

from accounts.errors import VerificationLinkExpired, VerificationLinkInvalid

SALT = "accounts.email-verification"
VERIFICATION_MAX_AGE = timedelta(days=3)


@dataclass(frozen=True)
class VerificationClaim:
    """What a genuine, unexpired token says: this account asked to verify the address of this digest."""

    user_id: int
    address_digest: str

    def is_for_address(self, email: str) -> bool:
        return hmac.compare_digest(self.address_digest, address_digest(email))


def address_digest(email: str) -> str:
    """A keyed digest of the address, case-insensitive like every email match in the project."""
    return salted_hmac(f"{SALT}.address", email.strip().lower()).hexdigest()[:32]


def verification_token(user: Any) -> str:
    """A token for ``user``'s current email; URL-safe (letters, digits, ``-``, ``_`` and ``:``)."""
    return signing.dumps({"u": user.pk, "a": address_digest(user.email)}, salt=SALT)


def read_verification_token(token: str) -> VerificationClaim:
    """The claim of a token made by ``verification_token``; raises if it was altered or is too old."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=VERIFICATION_MAX_AGE)
    except signing.SignatureExpired:
        raise VerificationLinkExpired(
            f"This verification link has expired (links work for {VERIFICATION_MAX_AGE.days} days). "
            "Ask for a new one from your profile page."
        ) from None
    except signing.BadSignature:
        raise VerificationLinkInvalid(
            "This verification link is not valid: it may have been cut short or altered. "
            "Copy the whole link from the email, or ask for a new one from your profile page."
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int) or not isinstance(payload.get("a"), str):
        raise VerificationLinkInvalid("This verification link is not valid. Ask for a new one from your profile page.")
    return VerificationClaim(user_id=payload["u"], address_digest=payload["a"])
