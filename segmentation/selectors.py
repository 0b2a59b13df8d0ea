"""Reads for analyses and features; visibility always derives from the image (rasters.selectors)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from rasters.selectors import raster_for_user, rasters_visible_to
from segmentation.models import MANUAL_MODEL_KEY, Analysis, Feature, ModelVersion


def analyses_visible_to(user: Any) -> QuerySet[Analysis]:
    """Analyses of every image ``user`` may see."""
    return Analysis.objects.filter(raster__in=rasters_visible_to(user).values("pk"))


def analysis_for_user(user: Any, pk: int | str, *, write: bool = False) -> Analysis:
    """The analysis if its image is visible to ``user`` (changeable, with ``write``); else 404."""
    try:
        pk_int = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such analysis.") from None
    analysis = (
        Analysis.objects.select_related("raster", "raster__body", "model_version", "started_by")
        .filter(pk=pk_int)
        .first()
    )
    if analysis is None:
        raise Http404("No such analysis.")
    raster_for_user(user, analysis.raster_id, write=write)  # raises 404 when not allowed
    return analysis


def features_visible_to(user: Any) -> QuerySet[Feature]:
    """Features of every image ``user`` may see: every feature route, export and tile starts here."""
    return Feature.objects.filter(raster__in=rasters_visible_to(user).values("pk"))


def model_versions() -> QuerySet[ModelVersion]:
    """Registered model versions, newest first (not the pseudo version of manual counts: it runs nothing)."""
    return ModelVersion.objects.exclude(weights_sha256=MANUAL_MODEL_KEY)


def class_summary(analysis: Analysis) -> list[dict[str, Any]]:
    """Counts and areas by effective class (reviews honoured: rejected features are out)."""
    from django.db.models import Count, Max, Min, Sum, Value
    from django.db.models.functions import Coalesce, NullIf

    rows = (
        analysis.features.exclude(review_status=Feature.Review.REJECTED)
        .annotate(effective=Coalesce(NullIf("reviewed_class", Value("")), "class_name"))
        .values("effective")
        .annotate(
            count=Count("id"),
            area_km2=Sum("area_km2"),
            area_px=Sum("area_px"),
            min_diameter_km=Min("diameter_km"),
            max_diameter_km=Max("diameter_km"),
            min_diameter_px=Min("diameter_px"),
            max_diameter_px=Max("diameter_px"),
            length_km=Sum("length_km"),
        )
        .order_by("effective")
    )
    return [{"class_name": r.pop("effective"), **r} for r in rows]
