"""OGC API - Features endpoints: thin views over ``maps.selectors``, JSON by default and minimal HTML.

Authentication and visibility are the API's (token header or session; collections are the analyses of images
the user may see, 404 for the others).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request

from maps import selectors
from maps.filters import BadQuery, FeatureQuery, page_bounds, parse_bbox
from maps.ogc import documents as docs
from maps.serializers import crs_uri, feature_dict, feature_page, feature_rows
from segmentation.selectors import analyses_visible_to, analysis_for_user

DEFAULT_LIMIT = 10


def _base(request: Request) -> str:
    return request.build_absolute_uri("/ogc/")


def _wants_html(request: Request) -> bool:
    fmt = request.query_params.get("f")
    if fmt:
        return fmt == "html"
    accept = request.headers.get("Accept", "")
    return "text/html" in accept and "json" not in accept


def _respond(request: Request, doc: dict[str, Any], *, template: str, content_type: str = docs.JSON) -> HttpResponse:
    if _wants_html(request):
        return render(request._request, f"maps/ogc/{template}", {"doc": doc})
    response = JsonResponse(doc, json_dumps_params={"separators": (",", ":")})
    response["Content-Type"] = content_type
    return response


def _collection_crs(request: Request, analysis: Any) -> str | None:
    """The collection's one CRS (its body's); a ``crs`` or ``bbox-crs`` naming another is a 400 (Part 2)."""
    body = analysis.raster.body
    storage = crs_uri(body) if body else None
    for param in ("crs", "bbox-crs"):
        asked = request.query_params.get(param)
        if asked and asked.strip().strip("<>") != storage:
            raise BadQuery(f"{param}={asked!r} is not offered: this collection's coordinates are {storage}.")
    return storage


def _with_crs(response: HttpResponse, crs: str | None) -> HttpResponse:
    if crs and response["Content-Type"] == docs.GEOJSON:
        response["Content-Crs"] = f"<{crs}>"
    return response


def _analysis_row(analysis: Any) -> dict[str, Any]:
    raster = analysis.raster
    return {"id": analysis.pk, "raster_title": raster.title,
            "extent": raster.footprint.extent if raster.footprint else None}


@extend_schema(exclude=True)
@api_view(["GET"])
def landing(request: Request) -> HttpResponse:
    return _respond(request, docs.landing_doc(_base(request)), template="landing.html")


@extend_schema(exclude=True)
@api_view(["GET"])
def conformance(request: Request) -> HttpResponse:
    return _respond(request, {"conformsTo": docs.CONFORMANCE}, template="conformance.html")


@extend_schema(exclude=True)
@api_view(["GET"])
def collections(request: Request) -> HttpResponse:
    base = _base(request)
    analyses = (
        analyses_visible_to(request.user).filter(raster__georeferenced=True, raster__body__isnull=False)
        .select_related("raster", "raster__body").order_by("id")
    )
    doc = {
        "links": [docs.link(f"{base}collections?f=json", "self", docs.JSON),
                  docs.link(f"{base}collections?f=html", "alternate", docs.HTML)],
        "collections": [docs.collection_doc(base, _analysis_row(a), a.raster.body) for a in analyses],
    }
    return _respond(request, doc, template="collections.html")


@extend_schema(exclude=True)
@api_view(["GET"])
def collection(request: Request, collection_id: str) -> HttpResponse:
    analysis = analysis_for_user(request.user, docs.analysis_id_of(collection_id))
    doc = docs.collection_doc(_base(request), _analysis_row(analysis), analysis.raster.body)
    return _respond(request, doc, template="collection.html")


def _ogc_bbox(raw: str | None) -> str | None:
    """OGC allows 6 numbers (with heights); the features are 2D, so heights are dropped."""
    if not raw:
        return None
    parts = raw.split(",")
    if len(parts) == 6:
        parts = [parts[0], parts[1], parts[3], parts[4]]
    minx, miny, maxx, maxy = parse_bbox(",".join(parts))
    return f"{minx},{miny},{maxx},{maxy}"


def _query(analysis: Any, request: Request) -> FeatureQuery:
    body = analysis.raster.body
    params: dict[str, str] = {"analysis": str(analysis.pk), "body": body.slug if body else ""}
    bbox = _ogc_bbox(request.query_params.get("bbox"))
    if bbox:
        params["bbox"] = bbox
    from maps.filters import query_from_dict

    return query_from_dict(params)


@extend_schema(
    exclude=True,
    parameters=[OpenApiParameter("bbox", str), OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
)
@api_view(["GET"])
def items(request: Request, collection_id: str) -> HttpResponse:
    analysis = analysis_for_user(request.user, docs.analysis_id_of(collection_id))
    crs = _collection_crs(request, analysis)
    query = _query(analysis, request)
    limit, offset = page_bounds(request.query_params, DEFAULT_LIMIT)
    # The count and the page's Features come from PostGIS in one statement (the REST list's), as JSON text.
    found = feature_page(request.user, query, limit, offset=offset)
    matched = found.matched
    url = f"{_base(request)}collections/{collection_id}/items"
    keep = request.query_params.copy()
    keep.pop("offset", None)
    keep.pop("f", None)
    keep["limit"] = str(limit)

    def page_url(at: int, fmt: str = "json") -> str:
        keep["offset"] = str(at)
        keep["f"] = fmt
        return f"{url}?{keep.urlencode()}"

    links = [docs.link(page_url(offset), "self", docs.GEOJSON),
             docs.link(page_url(offset, "html"), "alternate", docs.HTML),
             docs.link(f"{_base(request)}collections/{collection_id}", "collection", docs.JSON)]
    if offset + limit < matched:
        links.append(docs.link(page_url(offset + limit), "next", docs.GEOJSON, "Next page"))
    if offset > 0:
        links.append(docs.link(page_url(max(0, offset - limit)), "prev", docs.GEOJSON, "Previous page"))
    body = analysis.raster.body
    doc = {
        "type": "FeatureCollection",
        "body": body.name if body else None,
        "timeStamp": timezone.now().isoformat(timespec="seconds"),
        "numberMatched": matched,
        "numberReturned": found.returned,
        "links": links,
    }
    if _wants_html(request):
        return _respond(request, {**doc, "features": json.loads(found.text)}, template="items.html")
    head = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    response = HttpResponse(head[:-1] + ',"features":' + found.text + "}", content_type=docs.GEOJSON)
    return _with_crs(response, crs)


@extend_schema(exclude=True)
@api_view(["GET"])
def item(request: Request, collection_id: str, fid: int) -> HttpResponse:
    analysis = analysis_for_user(request.user, docs.analysis_id_of(collection_id))
    crs = _collection_crs(request, analysis)
    query = FeatureQuery(analyses=(analysis.pk,))
    selectors.feature_for_user(request.user, fid, query)
    row = feature_rows(selectors.features_matching(request.user, query).filter(pk=fid))[0]
    doc = feature_dict(row)
    base = _base(request)
    doc["links"] = [
        docs.link(f"{base}collections/{collection_id}/items/{fid}?f=json", "self", docs.GEOJSON),
        docs.link(f"{base}collections/{collection_id}/items/{fid}?f=html", "alternate", docs.HTML),
        docs.link(f"{base}collections/{collection_id}", "collection", docs.JSON),
    ]
    return _with_crs(_respond(request, doc, template="item.html", content_type=docs.GEOJSON), crs)
