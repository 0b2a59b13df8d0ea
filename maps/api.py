"""REST API of features under /api/v1/: GeoJSON lists, region summaries, vector tiles and exports."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, renderer_classes
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from maps import selectors, services
from maps.exports import FORMATS
from maps.filters import MAX_LIMIT, BadQuery, FeatureQuery, page_bounds, page_cursor
from maps.serializers import (
    ExportJobSerializer,
    FeatureCollectionSerializer,
    FeaturePage,
    GeoJSONFeatureSerializer,
    RegionSummarySerializer,
    feature_dict,
    feature_page,
    feature_rows,
)
from maps.statements import feature_statement, region_condition
from maps.vector_tiles import BadTile, RenderedTile, UnknownBody, render_tile, tile_answer, tile_rows

DEFAULT_LIMIT = 100
# What an export answers with, per format: GeoJSON is a JSON document, the others files.
EXPORT_BODIES: dict[tuple[int, str], Any] = {
    (200, "application/geo+json"): OpenApiTypes.OBJECT,
    **{(200, f.content_type): bytes for f in FORMATS.values() if f.key != "geojson"},
}


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


def _p(name: str, description: str, kind: Any = str, **kw: Any) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, **kw)


FILTER_PARAMETERS = [
    _p("body", "Body slug (mars, moon...). Required with bbox or intersects: coordinates are on one body."),
    _p("bbox", "minlon,minlat,maxlon,maxlat in the body's degrees"),
    _p("intersects", "A region as WKT or GeoJSON, in the body's lon/lat degrees"),
    _p("class", "Effective class (a reviewer's relabel wins); comma-separated for several"),
    _p("confidence_min", "Minimum model confidence (0-1)", float),
    _p("confidence_max", "Maximum model confidence (0-1)", float),
    _p("diameter_min", "Minimum diameter in km on the body", float),
    _p("diameter_max", "Maximum diameter in km on the body", float),
    _p("area_min", "Minimum area in km² on the body", float),
    _p("area_max", "Maximum area in km² on the body", float),
    _p("raster", "Image id(s), comma-separated"),
    _p("analysis", "Analysis id(s), comma-separated"),
    _p("project", "Project id(s) (when the collaboration app is installed)"),
    _p("review_status", "unreviewed, confirmed, rejected, relabelled or redrawn; comma-separated"),
    _p("include_rejected", "Also return features a reviewer rejected (default false)", bool),
]
PAGE_PARAMETERS = [
    _p("limit", f"Features per page (default {DEFAULT_LIMIT}, at most {MAX_LIMIT})", int),
    _p("offset", "Index of the first feature (not with after or before)", int),
    _p("after", "Keyset cursor: the features with an id above this one (what the next links use; as fast on a "
                "deep page as on the first)", int),
    _p("before", "Keyset cursor: the features with an id below this one, the nearest first "
                 "(what the previous links of cursor pages use)", int),
]


def page_url(request: Request, limit: int, **position: int) -> str:
    """This request's URL on another page: ``offset=``, ``after=`` or ``before=`` (the others dropped)."""
    params = request.query_params.copy()
    for name in ("offset", "after", "before"):
        params.pop(name, None)
    params.update({name: str(value) for name, value in position.items()})
    params["limit"] = str(limit)
    return request.build_absolute_uri(request.path + "?" + params.urlencode())


def page_links(request: Request, page: FeaturePage, limit: int, offset: int, after: int | None,
               before: int | None) -> tuple[str | None, str | None]:
    """``next`` and ``previous``: next pages go by cursor; an offset page's previous stays an offset."""
    backwards = before is not None
    has_next = page.more if not backwards else page.returned > 0
    if backwards:
        has_previous = page.more
    elif after is not None:
        has_previous = page.returned > 0
    else:
        has_previous = offset > 0
    following = page_url(request, limit, after=page.last_id) if has_next and page.last_id is not None else None
    if not has_previous:
        preceding = None
    elif after is None and not backwards:
        preceding = page_url(request, limit, offset=max(0, offset - limit))
    else:
        preceding = page_url(request, limit, before=page.first_id) if page.first_id is not None else None
    return following, preceding


@extend_schema(operation_id="api_v1_features_list",
               parameters=FILTER_PARAMETERS + PAGE_PARAMETERS, responses=FeatureCollectionSerializer,
               description="Features you may see as a GeoJSON FeatureCollection (lon/lat on the body named), in id "
                           "order. The next links carry an after= cursor; offset is still accepted.")
@api_view(["GET"])
@renderer_classes([GeoJSONRenderer, JSONRenderer])
def feature_list(request: Request) -> HttpResponse:
    query = FeatureQuery.from_params(request.query_params)
    limit, offset = page_bounds(request.query_params, DEFAULT_LIMIT)
    after, before = page_cursor(request.query_params)
    # The count, the page's Features and the body's name come from PostGIS in one statement, as one JSON text,
    # with the visibility rule and the filters inside it.
    page = feature_page(request.user, query, limit, offset=offset, after=after, before=before, body=query.body or "")
    if query.body and page.body is None:
        raise Http404("No such body.")
    following, preceding = page_links(request, page, limit, offset, after, before)
    head = json.dumps({
        "type": "FeatureCollection",
        **({"body": page.body.name, "crs_code": page.body.crs_code} if page.body else {}),
        "numberMatched": page.matched,
        "numberReturned": page.returned,
        "next": following,
        "previous": preceding,
    }, separators=(",", ":"), ensure_ascii=False)
    body_text = head[:-1] + ',"features":' + page.text + "}"
    return HttpResponse(body_text, content_type=request.accepted_renderer.media_type)


@extend_schema(operation_id="api_v1_features_retrieve", responses=GeoJSONFeatureSerializer)
@api_view(["GET"])
@renderer_classes([GeoJSONRenderer, JSONRenderer])
def feature_detail(request: Request, pk: int) -> Response:
    feature = selectors.feature_for_user(request.user, pk)
    everything = selectors.features_matching(request.user, FeatureQuery(include_rejected=True))
    row = feature_rows(everything.filter(pk=feature.pk))[0]
    return Response(feature_dict(row))


@extend_schema(parameters=FILTER_PARAMETERS, responses=RegionSummarySerializer,
               description="Counts and statistics by effective class of the features matching a (region) query.")
@api_view(["GET"])
def feature_summary(request: Request) -> Response:
    query = FeatureQuery.from_params(request.query_params)
    return Response(selectors.region_summary(request.user, query))


@extend_schema(parameters=FILTER_PARAMETERS,
               responses={(200, "application/vnd.mapbox-vector-tile"): bytes,
                          304: OpenApiResponse(description="The tile named by If-None-Match is still current")},
               description="Mapbox vector tile (layer 'features') on Leaflet's lon/lat grid (zoom 0 = 2 x 1 tiles). "
                           "Its ETag changes with every committed edit, review or change of access.")
@api_view(["GET"])
def feature_tile(request: Request, body: str, z: int, x: int, y: int) -> HttpResponse:
    params = request.query_params.copy()
    params["body"] = body
    query = FeatureQuery.from_params(params)

    def render() -> RenderedTile:
        rows = feature_statement("tile", request.user, query, tile_rows)
        return render_tile(rows, z, x, y, region=region_condition(query, 'q."geom"'), body=body)

    try:
        answer = tile_answer(request.user.pk, [(k, v) for k in params for v in params.getlist(k)], z, x, y, render,
                             request.headers.get("If-None-Match"))
    except BadTile as error:
        raise Http404(str(error)) from None
    except UnknownBody:
        raise Http404("No such body.") from None  # never an empty tile kept in the cache
    if answer.data is None:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(answer.data, content_type="application/vnd.mapbox-vector-tile")
    if answer.etag:
        response["ETag"] = answer.etag
    # Revalidate every time: an edit or a review must show on the next request, not after a max-age.
    response["Cache-Control"] = "private, no-cache"
    return response


@extend_schema(
    parameters=[*FILTER_PARAMETERS, _p("format", ", ".join(FORMATS), enum=list(FORMATS))],
    responses={**EXPORT_BODIES, 202: ExportJobSerializer},
    description="Export the matching features. Small sets are returned directly (GeoJSON and CSV streamed); "
                "larger ones start an export job (202) to download when ready.",
)
@api_view(["GET"])
def feature_export(request: Request) -> Any:
    return _export(request)


class _FormatIsOurs(DefaultContentNegotiation):
    """``format`` names the export format here, not a DRF renderer."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


feature_export.cls.content_negotiation_class = _FormatIsOurs


def _export(request: Request) -> Any:
    query = FeatureQuery.from_params(request.query_params)
    fmt = request.query_params.get("format") or "geojson"
    if fmt not in FORMATS:
        raise BadQuery(f"Unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    body = selectors.export_body(request.user, query)
    features = selectors.export_features(request.user, query, fmt)
    if features.count() > getattr(settings, "MAPS_EXPORT_SYNC_LIMIT", 50_000):
        job = services.export_job_create(request.user, query, fmt)
        return Response(job_json(job), status=202)
    name = f"geoplanet-{body.slug}-features{FORMATS[fmt].extension}"
    if fmt in services.TEXT_FORMATS:
        chunks = services.export_chunks(request.user, query, fmt, body)
        response = StreamingHttpResponse(chunks, content_type=FORMATS[fmt].content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    import tempfile
    from pathlib import Path

    tmp = Path(tempfile.mkdtemp(prefix="geoplanet-export-")) / name
    services.write_export(request.user, query, fmt, tmp)
    return FileResponse(_unlink_on_close(tmp), as_attachment=True, filename=name,
                        content_type=FORMATS[fmt].content_type)


def _unlink_on_close(path: Any) -> Any:
    """Open ``path`` and remove it (and its temporary folder) once the response has sent it."""
    import shutil

    handle = path.open("rb")
    original_close = handle.close

    def close() -> None:
        original_close()
        shutil.rmtree(path.parent, ignore_errors=True)

    handle.close = close
    return handle


def job_json(job: Any) -> dict[str, Any]:
    from django.urls import reverse

    done = job.status == job.Status.DONE
    return {
        "id": job.pk, "status": job.status, "format": job.format, "feature_count": job.feature_count,
        "error": job.error, "created_at": job.created_at,
        "download": reverse("api-export-download", kwargs={"pk": job.pk}) if done else None,
        "status_url": reverse("api-export-detail", kwargs={"pk": job.pk}),
    }


@extend_schema(responses=ExportJobSerializer)
@api_view(["GET"])
def export_detail(request: Request, pk: int) -> Response:
    return Response(job_json(services.export_job_for_user(request.user, pk)))


@extend_schema(responses=EXPORT_BODIES)
@api_view(["GET"])
def export_download(request: Request, pk: int) -> FileResponse:
    job = services.export_job_for_user(request.user, pk)
    if job.status != job.Status.DONE or not job.path.exists():
        raise Http404("The export is not ready.")
    return FileResponse(job.path.open("rb"), as_attachment=True, filename=job.download_name,
                        content_type=FORMATS[job.format].content_type)

