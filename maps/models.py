"""Export jobs (large exports written by a Celery worker) and the published reference crater catalogues."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.gis.db import models

from maps.exports import FORMATS
from rasters.fields import BODY_LONLAT_SRID
from rasters.models import Body


class ExportJob(models.Model):
    """One export of a filtered feature set, run off the request; only its owner may download it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    format = models.CharField(max_length=10, choices=[(k, f.label) for k, f in FORMATS.items()])
    params = models.JSONField(default=dict, help_text="The FeatureQuery's parameters")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    storage_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    feature_count = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.format}, {self.status})"

    @property
    def path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / "exports" / f"{self.storage_key}{FORMATS[self.format].extension}"

    @property
    def download_name(self) -> str:
        return f"geoplanet-export-{self.pk}{FORMATS[self.format].extension}"


class ReferenceCatalogue(models.Model):
    """A published crater catalogue of one body (Robbins & Hynek 2012, Head et al. 2010...), loaded by
    ``manage.py load_reference_catalogues``; everyone may see it, as a paper's table is public."""

    slug = models.SlugField(unique=True)
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="reference_catalogues")
    name = models.CharField(max_length=120)
    citation = models.CharField(max_length=400)
    source = models.CharField(max_length=400, help_text="Where the file came from")
    min_diameter_km = models.FloatField(null=True, blank=True)
    max_diameter_km = models.FloatField(null=True, blank=True)
    crater_count = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["body__naif_id", "slug"]

    def __str__(self) -> str:
        return self.name


class ReferenceCrater(models.Model):
    """One crater of a reference catalogue: its centre (planetocentric, east, -180..180) and rim diameter."""

    catalogue = models.ForeignKey(ReferenceCatalogue, on_delete=models.CASCADE, related_name="craters")
    # Denormalised from the catalogue so a body's tiles filter without a join.
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="reference_craters")
    lon = models.FloatField()
    lat = models.FloatField()
    diameter_km = models.FloatField()
    geom = models.PointField(srid=BODY_LONLAT_SRID, help_text="Centre, body lon/lat")

    class Meta:
        indexes = [models.Index(fields=["catalogue", "diameter_km"]), models.Index(fields=["body", "diameter_km"])]

    def __str__(self) -> str:
        return f"{self.catalogue_id}: {self.diameter_km:g} km at {self.lat:.3f}, {self.lon:.3f}"


class DataVersion(models.Model):
    """One counter the database raises whenever what a feature tile shows may have changed.

    Triggers of migration ``0004_data_version`` raise it once per committing transaction that writes features
    (a detection, a review, a redraw), images (visibility, project) or project memberships. It is transactional,
    so a reader that sees a new version sees the data behind it too: tiles cached under a version are never stale.
    """

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"data version {self.version}"
