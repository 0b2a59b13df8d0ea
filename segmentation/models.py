"""Model versions, analyses and the features they produce (stored in the body's lon/lat, see rasters.fields)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.gis.db import models

from rasters.fields import BODY_LONLAT_SRID
from rasters.models import Body, Raster

# The pseudo model version of craters digitised by hand (segmentation.manual): it has no weights, and no
# inference analysis may be started with it.
MANUAL_MODEL_KEY = "manual"


class ModelVersion(models.Model):
    """One trained segmentation model; the shipped weights are registered automatically.

    One row, keyed ``weights_sha256="manual"``, stands for hand measurement: manual counts record it as their
    model version, so every stored result still names what produced it.
    """

    name = models.CharField(max_length=100)
    version = models.CharField(max_length=50)
    weights_file = models.CharField(max_length=300, help_text="Path of the weights, relative to the project")
    weights_sha256 = models.CharField(max_length=64, unique=True)
    classes = models.JSONField(help_text="[{index, name, color}] in the model's output order")
    card = models.JSONField(default=dict, help_text="The model card: data, normalization, tile size, metrics")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["name", "version", "weights_sha256"], name="uniq_model_version")]

    def __str__(self) -> str:
        return f"{self.name} {self.version} ({self.weights_sha256[:8]})"

    @property
    def label(self) -> str:
        return f"{self.name}-{self.version}-{self.weights_sha256[:8]}"

    @property
    def class_names(self) -> list[str]:
        return [c["name"] for c in sorted(self.classes, key=lambda c: c["index"])]


class Analysis(models.Model):
    """A segmentation run of one model version over one image, with its parameters, progress and provenance."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Kind(models.TextChoices):
        DETECTION = "detection", "Detection"
        MANUAL = "manual", "Manual count"

    raster = models.ForeignKey(Raster, on_delete=models.CASCADE, related_name="analyses")
    # A manual count holds craters digitised by hand on the image (one per image, its editors add to it); it is
    # counted when named (analysis=), never in place of the newest detection.
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DETECTION)
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="analyses")
    parameters = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds per phase")
    error = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="analyses_started"
    )
    code_version = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return f"Analysis {self.pk} of {self.raster_id} with {self.model_version_id}"

    @property
    def directory(self) -> Path:
        return self.raster.directory / "analyses" / str(self.pk)

    @property
    def mask_path(self) -> Path:
        return self.directory / "mask.tif"

    @property
    def confidence_path(self) -> Path:
        return self.directory / "confidence.tif"

    @property
    def crater_view_path(self) -> Path:
        """Crater confidence of the local-contrast second view (written when the analysis runs it)."""
        return self.directory / "crater-view.tif"

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_manual(self) -> bool:
        return self.kind == self.Kind.MANUAL

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}


class Feature(models.Model):
    """A crater, valley or ridge found by an analysis, measured on its body (or in pixels without georeference)."""

    class Review(models.TextChoices):
        UNREVIEWED = "unreviewed", "Unreviewed"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"
        RELABELLED = "relabelled", "Relabelled"
        REDRAWN = "redrawn", "Redrawn"

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="features")
    # Denormalised from analysis -> raster so region queries across images filter without joins.
    raster = models.ForeignKey(Raster, on_delete=models.CASCADE, related_name="features")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, null=True, blank=True, related_name="features")
    class_name = models.CharField(max_length=40, db_index=True, help_text="As detected by the model")
    geom = models.GeometryField(srid=BODY_LONLAT_SRID, null=True, blank=True, help_text="Body lon/lat")
    pixel_geom = models.GeometryField(srid=BODY_LONLAT_SRID, help_text="Image pixel coordinates (x right, y down)")
    confidence = models.FloatField()
    area_px = models.FloatField()
    area_km2 = models.FloatField(null=True, blank=True)
    perimeter_km = models.FloatField(null=True, blank=True)
    center_lon = models.FloatField(null=True, blank=True)
    center_lat = models.FloatField(null=True, blank=True)
    center_x_px = models.FloatField(null=True, blank=True)
    center_y_px = models.FloatField(null=True, blank=True)
    diameter_px = models.FloatField(null=True, blank=True)
    diameter_km = models.FloatField(null=True, blank=True)
    length_px = models.FloatField(null=True, blank=True)
    length_km = models.FloatField(null=True, blank=True)
    orientation_deg = models.FloatField(null=True, blank=True)
    light_score = models.FloatField(
        null=True, blank=True,
        help_text="Craters: correlation of the shading with a depression's under the scene's sun (-1 dome, +1 bowl)")
    review_status = models.CharField(max_length=12, choices=Review.choices, default=Review.UNREVIEWED, db_index=True)
    reviewed_class = models.CharField(max_length=40, blank=True, help_text="The class after review (relabel)")

    class Meta:
        indexes = [
            models.Index(fields=["analysis", "class_name"]),
            models.Index(fields=["body", "class_name"]),
        ]

    def __str__(self) -> str:
        return f"{self.effective_class} {self.pk}"

    @property
    def effective_class(self) -> str:
        """The class that counts in statistics and exports: a reviewer's relabel wins."""
        return self.reviewed_class or self.class_name
