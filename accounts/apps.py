from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """User profiles, registration, email verification and the sign-in pages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        from accounts import errors
        from geoplanet.errors import register

        for error, status in [
            (errors.AccountError, 400),
            (errors.VerificationLinkExpired, 410),
            (errors.AlreadyVerified, 409),
            (errors.TooSoon, 429),
            (errors.MailNotSent, 503),
        ]:
            register(error, status)
