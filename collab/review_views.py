"""Review and discussion pages: an analysis' features on the map with the review panel, and one feature."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from collab import selectors, services
from collab.access import can_edit_raster
from collab.errors import CollabError
from collab.forms import CommentForm
from collab.paths import site_path
from collab.services.reviews import feature_classes
from rasters.views import map_config
from segmentation.selectors import analysis_for_user, class_summary


def review_context(request: HttpRequest, analysis: object) -> dict[str, object]:
    """What the review panel needs; the lead's analysis page can include collab/review_panel.html with it."""
    raster = analysis.raster  # type: ignore[attr-defined]
    features = analysis.features.order_by("pk")  # type: ignore[attr-defined]
    classes = [n for n in analysis.model_version.class_names if n != "background"]  # type: ignore[attr-defined]
    return {
        "can_review": can_edit_raster(request.user, raster),
        "summary": class_summary(analysis),  # type: ignore[arg-type]
        "comments": selectors.comments_on(request.user, analysis=analysis),
        "comment_form": CommentForm(),
        "review_data": {
            "map": map_config(raster),
            "features": selectors.features_geojson(features, raster.body),
            "classes": classes or ["crater", "valley", "ridge"],
            "can_review": can_edit_raster(request.user, raster),
            "reviewApi": reverse("api-feature-reviews", kwargs={"pk": 0}).replace("/0/", "/{id}/"),
            "commentApi": reverse("api-comments"),
            "analysis": analysis.pk,  # type: ignore[attr-defined]
        },
    }


@login_required
def analysis_review(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = analysis_for_user(request.user, pk)
    return render(request, "collab/analysis_review.html", {"analysis": analysis, **review_context(request, analysis)})


def _feature_page(request: HttpRequest, feature: Any, comment_form: CommentForm, status: int = 200) -> HttpResponse:
    page = reverse("collab:feature", kwargs={"pk": feature.pk})
    return render(request, "collab/feature_detail.html", {
        "feature": feature,
        "can_review": can_edit_raster(request.user, feature.raster),
        "classes": feature_classes(feature),
        "reviews": selectors.reviews_of(feature),
        "comments": selectors.comments_on(request.user, feature=feature),
        "comment_form": comment_form,
        "comments_next": page,
    }, status=status)


@login_required
def feature_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _feature_page(request, selectors.feature_for_user(request.user, pk), CommentForm())


@login_required
@require_POST
def feature_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Form fallback of the review panel (confirm, reject, relabel) for pages without JavaScript."""
    feature = selectors.feature_for_user(request.user, pk)
    try:
        services.feature_review(user=request.user, feature=feature, action=request.POST.get("action", ""),
                                new_class=request.POST.get("new_class", ""))
        messages.success(request, f"Feature {feature.pk}: {feature.review_status}.")
    except CollabError as error:
        messages.error(request, error.message)
    return redirect("collab:feature", pk=feature.pk)


@login_required
@require_POST
def feature_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a comment; a refused one shows the feature's page again with the reason and the text as typed."""
    feature = selectors.feature_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_create(author=request.user, target=feature, **form.cleaned_data)
            return redirect("collab:feature", pk=feature.pk)
        except CollabError as error:
            form.add_error(None, error.message)
    return _feature_page(request, feature, form, status=400)


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.comment_for_user(request.user, pk)
    try:
        services.comment_delete(user=request.user, comment=comment)
        messages.success(request, "Comment deleted.")
    except CollabError as error:
        messages.error(request, error.message)
    # site_path: a path of this site only (a bare word would be taken for a URL name and fail to reverse).
    return redirect(site_path(request.POST.get("next")) or reverse("collab:list"))
