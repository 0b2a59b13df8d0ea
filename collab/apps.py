"""Django app configuration for collaboration: projects, sharing, discussion, review and notifications."""

from django.apps import AppConfig


class CollabConfig(AppConfig):
    """Registers the collab app; its domain errors sit in geoplanet.errors' status table."""

    name = "collab"
    default_auto_field = "django.db.models.BigAutoField"
