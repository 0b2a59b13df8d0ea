"""JSON API for statistics under /api/v1/stats/: the same numbers the pages and reports show."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from geoplanet.errors import register
from maps.stats import selectors, services
from maps.stats.errors import StatsError
from maps.stats.summary import csfd_params, summarize, systems_for
from maps.stats.targets import Target, parse_token, region_target, target_from_dict

# Loaded with the URLconf, before any request: statistics errors answer 400 with their message.
register(StatsError, 400)

_PARAMS = [
    OpenApiParameter("system", str, description="craterstats chronology system (default: the body's first)"),
    OpenApiParameter("d_min", float, description="Fit range lower diameter, km"),
    OpenApiParameter("d_max", float, description="Fit range upper diameter, km"),
    OpenApiParameter("method", str, description="poisson (default), cumulative-fit, differential-fit"),
    OpenApiParameter("binning", str, description="pseudo-log (default), root-2, 10/decade, ..."),
]


def _answer(request: Request, target: Target, data: Any = None) -> Response:
    scope = selectors.scope_for_target(request.user, target)
    return Response(summarize(scope, csfd_params(data if data is not None else request.query_params)).as_dict())


@extend_schema(parameters=[OpenApiParameter("target", str, required=True), *_PARAMS])
@api_view(["GET"])
def stats_for_token(request: Request) -> Response:
    """Statistics of ``target`` (``analysis:<id>``, ``image:<id>``, ``project:<id>`` or ``region:<...>``)."""
    return _answer(request, parse_token(request.query_params.get("target", "")))


@extend_schema(parameters=_PARAMS)
@api_view(["GET"])
def stats_for_object(request: Request, kind: str, pk: int) -> Response:
    """Statistics of one analysis, image or project."""
    return _answer(request, Target(kind=kind, pk=pk))


@extend_schema(request=dict, parameters=_PARAMS)
@api_view(["POST"])
def stats_for_region(request: Request) -> Response:
    """Statistics of a region: {body, geometry (GeoJSON lon/lat), classes?, min_confidence?, area_km2?, ...}."""
    return _answer(request, region_target(request.data), request.data)


_AB = [OpenApiParameter("a", str, required=True), OpenApiParameter("b", str, required=True)]


@extend_schema(parameters=[*_AB, *_PARAMS])
@api_view(["GET"])
def compare(request: Request) -> Response:
    """Two surfaces side by side, with the same CSFD parameters."""
    params = csfd_params(request.query_params)
    out = {}
    for side in ("a", "b"):
        scope = selectors.scope_for_target(request.user, parse_token(request.query_params.get(side, "")))
        out[side] = summarize(scope, params).as_dict()
    return Response(out)


@extend_schema(parameters=[OpenApiParameter("body", str, required=True)])
@api_view(["GET"])
def systems(request: Request) -> Response:
    """craterstats' chronology systems for a body (e.g. ``?body=Mars``)."""
    return Response(
        [
            {"name": s.name, "production_function": s.production_function,
             "chronology_function": s.chronology_function, "reference": s.reference}
            for s in systems_for(request.query_params.get("body", "").strip().title())
        ]
    )  # fmt: skip


def job_dict(job: dict[str, Any]) -> dict[str, Any]:
    """A report job as the API and the status page show it."""
    out = {k: job.get(k) for k in ("id", "title", "status", "error", "created_at", "seconds", "params")}
    out["target"] = target_from_dict(job["target"]).token()
    out["url"] = reverse("api-stats-report", kwargs={"job_id": job["id"]})
    out["page"] = reverse("maps:stats-report", kwargs={"job_id": job["id"]})
    if job.get("status") == services.DONE:
        out["pdf"] = reverse("maps:stats-report-file", kwargs={"job_id": job["id"], "fmt": "pdf"})
        out["html"] = reverse("maps:stats-report-file", kwargs={"job_id": job["id"], "fmt": "html"})
    return out


@extend_schema(request=dict)
@api_view(["POST"])
def report_create(request: Request) -> Response:
    """Queue a PDF + HTML report: {target: token or region dict, system?, d_min?, d_max?, method?, binning?}."""
    raw = request.data.get("target")
    target = parse_token(raw) if isinstance(raw, str) else target_from_dict(raw or {})
    job = services.report_request(request.user, target, csfd_params(request.data))
    return Response(job_dict(job), status=status.HTTP_202_ACCEPTED)


@api_view(["GET"])
def report_detail(request: Request, job_id: str) -> Response:
    """Status of a report job, with download links once it is done."""
    return Response(job_dict(selectors.report_for_user(request.user, job_id)))
