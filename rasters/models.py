"""Bodies and rasters. A raster's footprint is stored in its body's lon/lat (see ``rasters.fields``)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.gis.db import models

from rasters.fields import BODY_LONLAT_SRID


class Body(models.Model):
    """A celestial body; rows come from PROJ's IAU 2015 database through a migration, never typed by hand."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=50, unique=True)
    naif_id = models.IntegerField(unique=True)
    iau_code = models.IntegerField(unique=True, help_text="IAU_2015 code of the body's geographic CRS")
    srid = models.IntegerField(unique=True, help_text="SRID of that CRS in PostGIS spatial_ref_sys")
    mean_radius_m = models.FloatField()
    semi_major_m = models.FloatField()
    semi_minor_m = models.FloatField()
    crs_wkt = models.TextField()

    class Meta:
        ordering = ["naif_id"]
        verbose_name_plural = "bodies"

    def __str__(self) -> str:
        return self.name

    @property
    def crs_code(self) -> str:
        """``IAU_2015:49900`` style code (``EPSG:4326`` for Earth)."""
        return "EPSG:4326" if self.slug == "earth" else f"IAU_2015:{self.iau_code}"


class Raster(models.Model):
    """An uploaded image, its derived COG and thumbnail, and what inspection learned about it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rasters")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    body = models.ForeignKey(Body, on_delete=models.PROTECT, null=True, blank=True, related_name="rasters")
    body_detection = models.CharField(
        max_length=20, blank=True, help_text="How the body was found: authority, name, radius, user, or blank"
    )
    crs_warning = models.CharField(max_length=300, blank=True)

    storage_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    original_name = models.CharField(max_length=255, help_text="Client file name, for display only")
    original_ext = models.CharField(max_length=10)
    size_bytes = models.BigIntegerField()
    checksum_sha256 = models.CharField(max_length=64, db_index=True)

    driver = models.CharField(max_length=30)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    band_count = models.PositiveSmallIntegerField()
    dtype = models.CharField(max_length=20)
    nodata = models.FloatField(null=True, blank=True)
    scales = models.JSONField(default=list)
    offsets = models.JSONField(default=list)
    crs_wkt = models.TextField(blank=True)
    georeferenced = models.BooleanField(default=False)
    resolution_m = models.FloatField(null=True, blank=True, help_text="Metres per pixel on the body")
    footprint = models.MultiPolygonField(srid=BODY_LONLAT_SRID, null=True, blank=True, spatial_index=True)
    footprint_area_km2 = models.FloatField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    product_files = models.JSONField(
        default=list, blank=True, help_text="A multi-file product's stored file names, the one GDAL opens first"
    )
    acquired_at = models.DateTimeField(null=True, blank=True)
    # Sharing (decided in collab.access): private = owner only, project = the project's members, public = anyone.
    project = models.ForeignKey(
        "collab.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="rasters"
    )
    visibility = models.CharField(
        max_length=10, choices=[("private", "Private"), ("project", "Project"), ("public", "Public")], default="private"
    )

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    error = models.TextField(blank=True)
    band_stats = models.JSONField(default=list, blank=True)
    overview_count = models.PositiveSmallIntegerField(default=0)
    processing_seconds = models.FloatField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def directory(self) -> Path:
        """Private folder of this raster's files: original, COG and thumbnail, deleted together."""
        return Path(settings.MEDIA_ROOT) / "rasters" / str(self.storage_key)

    @property
    def product_directory(self) -> Path:
        """A multi-file product's own folder: its files under their uploaded names, nothing else."""
        return self.directory / "product"

    @property
    def original_path(self) -> Path:
        """The file GDAL opens: the single upload, or a product's label (its first file)."""
        if self.product_files:
            return self.product_directory / self.product_files[0]
        return self.directory / f"original{self.original_ext}"

    @property
    def cog_path(self) -> Path:
        return self.directory / "cog.tif"

    @property
    def thumbnail_path(self) -> Path:
        return self.directory / "thumbnail.png"

    @property
    def is_dem(self) -> bool:
        """Single-band non-8-bit rasters (elevation models) get a colormap instead of a grey stretch."""
        return self.band_count == 1 and self.dtype not in {"uint8", "int8"}
