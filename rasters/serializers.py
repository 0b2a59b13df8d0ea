"""API representations of rasters. No business logic here: writes go through ``rasters.services``."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rasters.core.bodies import all_bodies
from rasters.models import Body, Raster


class BodySerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["slug", "name", "naif_id", "iau_code", "srid", "mean_radius_m", "crs_code"]


class RasterSerializer(serializers.ModelSerializer):
    # A plain image (PNG, JPEG, a TIFF without CRS) uploaded without a body choice has none.
    body: serializers.SlugRelatedField[Body] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    footprint = serializers.SerializerMethodField()
    owner = serializers.CharField(source="owner.username", read_only=True)
    tiles = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = Raster
        fields = [
            "id", "title", "description", "owner", "body", "body_detection", "crs_warning", "status", "error",
            "width", "height", "band_count", "dtype", "nodata", "georeferenced", "resolution_m", "footprint",
            "footprint_area_km2", "checksum_sha256", "size_bytes", "original_name", "acquired_at", "metadata",
            "band_stats", "created_at", "tiles", "thumbnail",
        ]
        read_only_fields = fields

    def get_footprint(self, raster: Raster) -> dict[str, Any] | None:
        """GeoJSON in the body's lon/lat (the body is named beside it)."""
        return json.loads(raster.footprint.geojson) if raster.footprint else None

    def get_tiles(self, raster: Raster) -> str:
        url = reverse("api-raster-tile", kwargs={"pk": raster.pk, "z": 0, "x": 0, "y": 0})
        return url.replace("/0/0/0.png", "/{z}/{x}/{y}.png")

    def get_thumbnail(self, raster: Raster) -> str:
        return reverse("rasters:thumbnail", kwargs={"pk": raster.pk})


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "binary"}, "minItems": 1, "maxItems": 16})
class UploadFilesField(serializers.ListField):
    """The repeated multipart ``file`` field: the files of one upload (binary in the schema, not URIs)."""


class RasterUploadSerializer(serializers.Serializer):
    # One image; or a multi-file product as its files (the field repeated) or as one .zip.
    file = UploadFilesField(
        child=serializers.FileField(allow_empty_file=True),
        min_length=1,
        max_length=16,
        help_text=(
            "One image file; or the files of one planetary product together (repeat the field: PDS4 .xml + "
            ".img, PDS3 .LBL + .IMG or .JP2, ISIS3 label + .cub, GeoTIFF + .aux.xml), or one .zip of them. "
            "A label may reference only files of the same upload."
        ),
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    # The reference list, not the table, says which bodies exist: a row it lacks is registered on upload.
    body = serializers.ChoiceField(
        choices=[body.slug for body in all_bodies()], required=False, allow_null=True, allow_blank=True
    )


class RasterUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
