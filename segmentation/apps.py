"""Django app configuration for the segmentation bounded context."""

from django.apps import AppConfig


class SegmentationConfig(AppConfig):
    """Registers the segmentation app; the engine itself never imports Django."""

    name = "segmentation"
    default_auto_field = "django.db.models.BigAutoField"
