from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """User profiles, registration and the sign-in pages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
