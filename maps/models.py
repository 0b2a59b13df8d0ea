"""Export jobs: large exports are written by a Celery worker and downloaded when ready."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models

from maps.exports import FORMATS


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
