"""Demo content: a finished analysis of the global Mars image with the shipped model."""

from __future__ import annotations

from typing import Any

from rasters.models import Raster
from segmentation import services


def seed(user: Any, stdout: Any) -> None:
    """Run the shipped model on the demo's global Mars image, in this process (a few seconds on a CPU)."""
    raster = Raster.objects.filter(owner=user, title__startswith="Mars — MOLA shaded relief", status="ready").first()
    if raster is None:
        return
    services.model_versions_sync()
    analysis = services.analysis_start(user=user, raster=raster)
    # Seeding runs outside any request; the queued task (sent on commit) finds the analysis done and skips it.
    services.analysis_run(analysis.pk)
    analysis.refresh_from_db()
    stdout.write(f"Demo analysis {analysis.pk}: {analysis.status}, {analysis.features.count()} features")
