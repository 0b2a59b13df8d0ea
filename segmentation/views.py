"""Analysis pages: start from the image page, results with live progress, cancel/retry, downloads."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rasters.selectors import raster_for_user
from rasters.views import map_config
from segmentation import selectors, services
from segmentation.forms import AnalysisStartForm
from segmentation.models import Analysis
from segmentation.views_support import features_geojson


@login_required
@require_POST
def analysis_start(request: HttpRequest, raster_pk: int) -> HttpResponse:
    raster = raster_for_user(request.user, raster_pk, write=True)
    form = AnalysisStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("rasters:detail", pk=raster.pk)
    data = dict(form.cleaned_data)
    version = data.pop("model_version", None)
    try:
        analysis = services.analysis_start(user=request.user, raster=raster, model_version=version, parameters=data)
    except services.AnalysisError as error:
        messages.error(request, error.message)
        return redirect("rasters:detail", pk=raster.pk)
    messages.success(request, "Analysis queued.")
    return redirect("segmentation:analysis", pk=analysis.pk)


@login_required
def analysis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = selectors.analysis_for_user(request.user, pk)
    raster = analysis.raster
    can_edit = _can_edit(request, analysis)
    page = map_config(raster)
    page.update(
        {
            "analysis": {
                "id": analysis.pk,
                "status": analysis.status,
                "api": reverse("api-analysis-detail", kwargs={"pk": analysis.pk}),
                "features": reverse("segmentation:features", kwargs={"pk": analysis.pk}),
                "mask_tiles": reverse("api-analysis-mask-tile", kwargs={"pk": analysis.pk, "z": 0, "x": 0, "y": 0})
                .replace("/0/0/0.png", "/{z}/{x}/{y}.png"),
                "classes": analysis.model_version.classes,
            }
        }
    )
    return render(
        request,
        "segmentation/analysis_detail.html",
        {
            "analysis": analysis,
            "raster": raster,
            "summary": selectors.class_summary(analysis) if analysis.status == Analysis.Status.DONE else [],
            "can_edit": can_edit,
            "page_data": page,
            "siblings": raster.analyses.exclude(pk=analysis.pk).select_related("model_version")[:20],
        },
    )


def _can_edit(request: HttpRequest, analysis: Analysis) -> bool:
    try:
        raster_for_user(request.user, analysis.raster_id, write=True)
    except Http404:
        return False
    return True


@login_required
@require_POST
def analysis_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = selectors.analysis_for_user(request.user, pk, write=True)
    if services.analysis_cancel(analysis):
        messages.success(request, "Cancellation requested.")
    else:
        messages.error(request, "Only a queued or running analysis can be cancelled.")
    return redirect("segmentation:analysis", pk=pk)


@login_required
@require_POST
def analysis_retry(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = selectors.analysis_for_user(request.user, pk, write=True)
    if services.analysis_retry(analysis):
        messages.success(request, "Analysis queued again.")
    else:
        messages.error(request, "Only a failed or cancelled analysis can be retried.")
    return redirect("segmentation:analysis", pk=pk)


@login_required
@require_POST
def analysis_delete(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = selectors.analysis_for_user(request.user, pk, write=True)
    raster_pk = analysis.raster_id
    if analysis.is_active:
        messages.error(request, "Cancel the analysis before deleting it.")
        return redirect("segmentation:analysis", pk=pk)
    services.analysis_delete(analysis)
    messages.success(request, "Analysis deleted.")
    return redirect("rasters:detail", pk=raster_pk)


@login_required
def features(request: HttpRequest, pk: int) -> HttpResponse:
    """The analysis' features as GeoJSON (``?space=pixel`` for pixel coordinates; ``?download=1`` to save)."""
    analysis = selectors.analysis_for_user(request.user, pk)
    data = features_geojson(analysis, pixel=request.GET.get("space") == "pixel")
    response = HttpResponse(json.dumps(data), content_type="application/geo+json")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="analysis-{analysis.pk}-features.geojson"'
    return response


@login_required
def mask(request: HttpRequest, pk: int) -> FileResponse:
    """Download the class mask GeoTIFF (georeferenced like the image)."""
    analysis = selectors.analysis_for_user(request.user, pk)
    if analysis.status != Analysis.Status.DONE or not analysis.mask_path.exists():
        raise Http404("The analysis has no mask yet.")
    return FileResponse(analysis.mask_path.open("rb"), as_attachment=True, filename=f"analysis-{analysis.pk}-mask.tif")


@login_required
def confidence(request: HttpRequest, pk: int) -> FileResponse:
    """Download the confidence GeoTIFF."""
    analysis = selectors.analysis_for_user(request.user, pk)
    if analysis.status != Analysis.Status.DONE or not analysis.confidence_path.exists():
        raise Http404("The analysis has no confidence raster yet.")
    return FileResponse(
        analysis.confidence_path.open("rb"), as_attachment=True, filename=f"analysis-{analysis.pk}-confidence.tif"
    )
