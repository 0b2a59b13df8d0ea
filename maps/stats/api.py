"""JSON API for statistics under /api/v1/stats/: the same numbers the pages and reports show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from geoplanet.errors import register
from maps.stats import selectors, services
from maps.stats.errors import InvalidTarget, StatsError
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

# OpenAPI shapes of the answers below (documentation only: the views build plain dicts).
_SUMMARY = inline_serializer("StatsSummary", {
    "target": serializers.JSONField(help_text="The target as a dict (kind, pk or region fields)"),
    "token": serializers.CharField(help_text="The target as a token (analysis:<id>, image:<id>, ...)"),
    "title": serializers.CharField(),
    "body": serializers.CharField(),
    "area_km2": serializers.FloatField(allow_null=True),
    "area_source": serializers.CharField(),
    "analyses": serializers.ListField(child=serializers.IntegerField()),
    "rasters": serializers.ListField(child=serializers.IntegerField()),
    "stats": serializers.JSONField(help_text="Class statistics by effective class (reviews honoured)"),
    "csfd": serializers.JSONField(help_text="CSFD series, fitted isochron and model age"),
    "params": serializers.JSONField(help_text="The CSFD parameters used"),
    "systems": serializers.ListField(child=serializers.CharField()),
})  # fmt: skip
_CSFD_FIELDS: dict[str, serializers.Field] = {
    "system": serializers.CharField(required=False, help_text="craterstats chronology system"),
    "d_min": serializers.FloatField(required=False, help_text="Fit range lower diameter, km"),
    "d_max": serializers.FloatField(required=False, help_text="Fit range upper diameter, km"),
    "method": serializers.CharField(required=False, help_text="poisson (default), cumulative-fit, differential-fit"),
    "binning": serializers.CharField(required=False, help_text="pseudo-log (default), root-2, 10/decade, ..."),
}
_REGION = inline_serializer("StatsRegionRequest", {
    "body": serializers.CharField(help_text="Body slug, e.g. mars"),
    "geometry": serializers.JSONField(help_text="GeoJSON geometry in lon/lat degrees on the body"),
    "classes": serializers.ListField(child=serializers.CharField(), required=False),
    "min_confidence": serializers.FloatField(required=False),
    "analyses": serializers.ListField(child=serializers.IntegerField(), required=False),
    "area_km2": serializers.FloatField(required=False, help_text="Counting area (default: the region's)"),
    "name": serializers.CharField(required=False),
    **_CSFD_FIELDS,
})  # fmt: skip
_REPORT_REQUEST = inline_serializer("StatsReportRequest", {
    "target": serializers.JSONField(help_text="A target token, or a region dict as for /stats/region/"),
    **_CSFD_FIELDS,
})  # fmt: skip
_REPORT_JOB = inline_serializer("StatsReportJob", {
    "id": serializers.CharField(),
    "title": serializers.CharField(),
    "status": serializers.CharField(help_text="queued, running, done or failed"),
    "error": serializers.CharField(),
    "created_at": serializers.DateTimeField(),
    "seconds": serializers.FloatField(allow_null=True),
    "params": serializers.JSONField(),
    "target": serializers.CharField(help_text="The target as a token"),
    "url": serializers.CharField(),
    "page": serializers.CharField(),
    "pdf": serializers.CharField(required=False, help_text="Once done"),
    "html": serializers.CharField(required=False, help_text="Once done"),
})  # fmt: skip
_SYSTEMS = inline_serializer("ChronologySystem", {
    "name": serializers.CharField(),
    "production_function": serializers.CharField(),
    "chronology_function": serializers.CharField(),
    "reference": serializers.CharField(),
}, many=True)  # fmt: skip
_COMPARISON = inline_serializer("StatsComparison", {"a": _SUMMARY, "b": _SUMMARY})


def _json_object(request: Request) -> Mapping[str, Any]:
    """The request's JSON body, which these endpoints need to be an object."""
    if not isinstance(request.data, Mapping):
        raise StatsError("The request body must be a JSON object.")
    return request.data


def _answer(request: Request, target: Target, data: Any = None) -> Response:
    scope = selectors.scope_for_target(request.user, target)
    return Response(summarize(scope, csfd_params(data if data is not None else request.query_params)).as_dict())


@extend_schema(parameters=[OpenApiParameter("target", str, required=True), *_PARAMS], responses=_SUMMARY)
@api_view(["GET"])
def stats_for_token(request: Request) -> Response:
    """Statistics of ``target`` (``analysis:<id>``, ``image:<id>``, ``project:<id>`` or ``region:<...>``)."""
    return _answer(request, parse_token(request.query_params.get("target", "")))


@extend_schema(parameters=_PARAMS, responses=_SUMMARY)
@api_view(["GET"])
def stats_for_object(request: Request, kind: str, pk: int) -> Response:
    """Statistics of one analysis, image or project."""
    return _answer(request, Target(kind=kind, pk=pk))


@extend_schema(request=_REGION, responses=_SUMMARY)
@api_view(["POST"])
def stats_for_region(request: Request) -> Response:
    """Statistics of a region: {body, geometry (GeoJSON lon/lat), classes?, min_confidence?, area_km2?, ...}."""
    data = _json_object(request)
    return _answer(request, region_target(data), data)


_AB = [OpenApiParameter("a", str, required=True), OpenApiParameter("b", str, required=True)]


@extend_schema(parameters=[*_AB, *_PARAMS], responses=_COMPARISON)
@api_view(["GET"])
def compare(request: Request) -> Response:
    """Two surfaces side by side, with the same CSFD parameters."""
    params = csfd_params(request.query_params)
    out = {}
    for side in ("a", "b"):
        scope = selectors.scope_for_target(request.user, parse_token(request.query_params.get(side, "")))
        out[side] = summarize(scope, params).as_dict()
    return Response(out)


@extend_schema(parameters=[OpenApiParameter("body", str, required=True)], responses=_SYSTEMS)
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


@extend_schema(request=_REPORT_REQUEST, responses={202: _REPORT_JOB})
@api_view(["POST"])
def report_create(request: Request) -> Response:
    """Queue a PDF + HTML report: {target: token or region dict, system?, d_min?, d_max?, method?, binning?}."""
    data = _json_object(request)
    raw = data.get("target")
    if raw in (None, ""):
        raise InvalidTarget("target is required: a token (analysis:<id>, ...) or a region object.")
    target = parse_token(raw) if isinstance(raw, str) else target_from_dict(raw)
    job = services.report_request(request.user, target, csfd_params(data))
    return Response(job_dict(job), status=status.HTTP_202_ACCEPTED)


@extend_schema(responses=_REPORT_JOB)
@api_view(["GET"])
def report_detail(request: Request, job_id: str) -> Response:
    """Status of a report job, with download links once it is done."""
    return Response(job_dict(selectors.report_for_user(request.user, job_id)))
