"""The analyses panel shown on an image's page (the rasters app stays free of segmentation imports)."""

from __future__ import annotations

from typing import Any

from django import template

from segmentation import services
from segmentation.forms import AnalysisStartForm

register = template.Library()


@register.inclusion_tag("segmentation/raster_analyses.html", takes_context=True)
def raster_analyses(context: dict[str, Any], raster: Any, can_edit: bool) -> dict[str, Any]:
    if can_edit:
        services.model_versions_sync()
    return {
        "raster": raster,
        "can_edit": can_edit,
        "analyses": raster.analyses.select_related("model_version", "started_by"),
        "form": AnalysisStartForm(),
        "csrf_token": context.get("csrf_token"),
    }
