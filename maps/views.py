"""Map pages: the explorer of a body (features, region queries, exports), the comparison, export jobs."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from maps import selectors, services
from maps.exports import FORMATS
from maps.reference.selectors import explorer_reference


def _projects(user: Any) -> list[dict[str, Any]]:
    if not apps.is_installed("collab"):
        return []
    from collab.access import projects_visible_to

    return [{"id": p.pk, "name": p.name} for p in projects_visible_to(user).order_by("name")]


@login_required
def explorer_index(request: HttpRequest) -> HttpResponse:
    """Bodies with images the user may see. Unless asked to choose (``?choose=1``), go straight to the map of
    the body with the most features, so the first page after logging in is a populated map."""
    bodies = selectors.bodies_with_images(request.user)
    if bodies and not request.GET.get("choose"):
        busiest = selectors.busiest_body(request.user) or bodies[0]["slug"]
        return redirect("maps:explorer", body=busiest)
    return render(request, "maps/index.html", {"bodies": bodies})


@login_required
def explorer(request: HttpRequest, body: str) -> HttpResponse:
    """The map of one body; the query string (filters, region) is read by the page's script, so URLs share."""
    body_obj = selectors.body_by_slug(body)
    data = selectors.explorer_data(request.user, body_obj)
    data["projects"] = _projects(request.user)
    data["formats"] = {k: f.label for k, f in FORMATS.items()}
    data["reference"] = explorer_reference(body_obj)
    return render(request, "maps/explorer.html", {"body": body_obj, "page_data": data})


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    """Two analyses or images side by side (``?left=analysis:1&right=raster:2``), maps kept in sync."""
    left = selectors.compare_side(request.user, request.GET.get("left", ""))
    right = selectors.compare_side(request.user, request.GET.get("right", ""))
    return render(request, "maps/compare.html", {
        "choices": selectors.compare_choices(request.user),
        "left": left, "right": right,
        "selected": {"left": request.GET.get("left", ""), "right": request.GET.get("right", "")},
        "page_data": {"left": left, "right": right},
    })


@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    """Status of a large export; the page polls the API and offers the download when ready."""
    from maps.api import job_json

    job = services.export_job_for_user(request.user, pk)
    return render(request, "maps/export_job.html", {"job": job, "page_data": job_json(job)})
