from django.apps import AppConfig


class RastersConfig(AppConfig):
    """Planetary images: upload, inspection, conversion to COG, tiles."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "rasters"
