from django.contrib import admin

from rasters.models import Body, Raster


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "iau_code", "srid", "mean_radius_m"]


@admin.register(Raster)
class RasterAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "body", "status", "width", "height", "created_at"]
    list_filter = ["status", "body"]
    search_fields = ["title", "owner__username"]
    # computed from the image; shown as text, as the map widget needs a CDN and inline script (refused by the CSP)
    readonly_fields = ["footprint"]
