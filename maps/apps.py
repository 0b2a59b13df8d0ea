from django.apps import AppConfig


class MapsConfig(AppConfig):
    """Feature maps, region queries, comparison, the features API, OGC API - Features, exports and statistics."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "maps"
