from django.contrib import admin

from rasters.models import Body, Raster
from rasters.widgets import BodyLonLatAdminMixin


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "iau_code", "srid", "mean_radius_m"]


@admin.register(Raster)
class RasterAdmin(BodyLonLatAdminMixin, admin.ModelAdmin):
    list_display = ["title", "owner", "body", "status", "width", "height", "created_at"]
    list_filter = ["status", "body"]
    search_fields = ["title", "owner__username"]
    # The footprint is computed from the image: shown on a django-leaflet map (CSP-safe, no base tiles), not edited.
    modifiable = False
