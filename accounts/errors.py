"""Domain errors of accounts; ``AccountsConfig.ready`` adds them to geoplanet.errors' status table."""

from __future__ import annotations


class AccountError(Exception):
    """Base of account errors; ``message`` is safe to show to the user."""

    code = "account_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VerificationLinkInvalid(AccountError):
    """A verification link that was altered, belongs to another account, or names an address no longer used."""

    code = "verification_link_invalid"


class VerificationLinkExpired(AccountError):
    """A genuine verification link older than ``accounts.tokens.VERIFICATION_MAX_AGE``."""

    code = "verification_link_expired"


class AlreadyVerified(AccountError):
    """The account's current email is verified already (a link used a second time, a needless resend)."""

    code = "already_verified"


class TooSoon(AccountError):
    """A verification email was sent moments ago; another must wait (``RESEND_INTERVAL_S``)."""

    code = "too_soon"


class MailNotSent(AccountError):
    """The mail server refused or could not be reached."""

    code = "mail_not_sent"
