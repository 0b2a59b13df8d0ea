from django.apps import AppConfig


class MapsConfig(AppConfig):
    """Feature maps, region queries, comparison, the features API, OGC API - Features, exports and statistics."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "maps"

    def ready(self) -> None:
        from geoplanet.errors import register
        from maps.exports.ogr import ExportError
        from maps.filters import BadQuery

        register(BadQuery, 400)
        register(ExportError, 500)
