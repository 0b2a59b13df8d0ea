"""Demo content: a project holding the demo images, with a comment pinned on a crater of the analysis."""

from __future__ import annotations

from typing import Any

from collab.access import PROJECT
from collab.services import comments, projects


def seed(user: Any, stdout: Any) -> None:
    """Create the demo project, put the demo images in it, and pin a comment on the largest detected crater."""
    from rasters.models import Raster
    from segmentation.models import Analysis

    project = projects.project_create(
        owner=user, name="Demo: craters of Mars and the Moon",
        description="Real MOLA and LRO mosaics with a finished analysis by the shipped model.",
    )
    for raster in Raster.objects.filter(owner=user):
        projects.raster_share_settings(by=user, raster=raster, project=project, visibility=PROJECT)
    analysis = Analysis.objects.filter(raster__owner=user, status=Analysis.Status.DONE).order_by("-id").first()
    if analysis is None:
        return
    crater = analysis.features.filter(class_name="crater", diameter_km__isnull=False).order_by("-diameter_km").first()
    if crater is None:
        comments.comment_create(author=user, target=analysis, text="No crater found in this demo run.")
        return
    comments.comment_create(
        author=user, target=crater, lon=crater.center_lon, lat=crater.center_lat,
        text=(
            f"The largest crater found here: **{crater.diameter_km:.0f} km** across on Mars' radius. "
            "Compare it with the Robbins & Hynek (2012) catalogue."
        ),
    )
    stdout.write(f"Demo project {project.pk} with a comment pinned on crater {crater.pk}")
