"""REST API of reference catalogues under /api/v1/reference/: the list, vector tiles, and comparisons."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from maps.reference import selectors
from maps.selectors import body_by_slug
from maps.stats.selectors import scope_for_target
from maps.stats.targets import parse_token
from maps.vector_tiles import BadTile


def _catalogue_fields() -> dict[str, Any]:
    # Fresh fields for each serializer: DRF's metaclass takes the field objects out of the dict it is given.
    return {
        "slug": serializers.CharField(), "name": serializers.CharField(), "body": serializers.CharField(),
        "citation": serializers.CharField(), "source": serializers.CharField(),
        "crater_count": serializers.IntegerField(), "min_diameter_km": serializers.FloatField(),
        "max_diameter_km": serializers.FloatField(),
    }


_CATALOGUE = inline_serializer("ReferenceCatalogue", _catalogue_fields())
_BINS = inline_serializer("CatalogueComparisonBin", {
    "min_km": serializers.FloatField(), "max_km": serializers.FloatField(), "matched": serializers.IntegerField(),
    "missed": serializers.IntegerField(), "new": serializers.IntegerField(),
    "completeness": serializers.FloatField(allow_null=True), "precision": serializers.FloatField(allow_null=True),
}, many=True)
_COMPARISON_FIELDS: dict[str, Any] = {
    "target": serializers.CharField(), "title": serializers.CharField(), "catalogue": _CATALOGUE,
    "body_name": serializers.CharField(), "body_radius_m": serializers.FloatField(),
    "area_km2": serializers.FloatField(), "detections": serializers.IntegerField(),
    "reference": serializers.IntegerField(),
    "diameter_range_km": serializers.ListField(child=serializers.FloatField(allow_null=True),
                                               help_text="[min, max]; max null when the catalogue has no bound"),
    "matched": serializers.IntegerField(), "missed": serializers.IntegerField(), "new": serializers.IntegerField(),
    "outside_range": serializers.IntegerField(), "completeness": serializers.FloatField(allow_null=True),
    "precision": serializers.FloatField(allow_null=True), "bins": _BINS, "rule": serializers.CharField(),
    "layer": serializers.JSONField(required=False, help_text="GeoJSON points, properties kind and diameter_km"),
}
_COMPARISON = inline_serializer("CatalogueComparison", _COMPARISON_FIELDS)


@extend_schema(parameters=[OpenApiParameter("body", str, required=True, description="Body slug")],
               responses=inline_serializer("ReferenceCatalogueList", _catalogue_fields(), many=True))
@api_view(["GET"])
def catalogue_list(request: Request) -> Response:
    """The reference crater catalogues loaded for a body, with their citation."""
    slug = request.query_params.get("body", "")
    if not selectors.SLUG.fullmatch(slug):
        raise Http404("No such body.")
    return Response(selectors.catalogues_for_body(body_by_slug(slug)))


@extend_schema(parameters=[OpenApiParameter("catalogue", str, description="Only this catalogue (slug)")],
               responses={(200, "application/vnd.mapbox-vector-tile"): bytes},
               description="Reference craters of a body as a Mapbox vector tile (layer 'reference', points with "
                           "catalogue and diameter_km) on Leaflet's lon/lat grid; the largest first.")
@api_view(["GET"])
def reference_tile(request: Request, body: str, z: int, x: int, y: int) -> HttpResponse:
    catalogue = request.query_params.get("catalogue") or None
    if catalogue is not None and not selectors.SLUG.fullmatch(catalogue):
        raise Http404("No such catalogue.")
    try:
        data = selectors.reference_tile(body_by_slug(body), z, x, y, catalogue)
    except BadTile as error:
        raise Http404(str(error)) from None
    response = HttpResponse(data, content_type="application/vnd.mapbox-vector-tile")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@extend_schema(
    parameters=[
        OpenApiParameter("target", str, required=True,
                         description="analysis:<id>, image:<id>, project:<id> or region:<...> (as on /api/v1/stats/)"),
        OpenApiParameter("catalogue", str, required=True, description="Catalogue slug (robbins2012, head2010...)"),
        OpenApiParameter("layer", bool, description="Also return the matched / missed / new craters as GeoJSON"),
    ],
    responses=_COMPARISON,
)
@api_view(["GET"])
def comparison(request: Request) -> Response:
    """Detected craters against a reference catalogue inside the target's area: matched, missed and new per
    diameter bin, completeness and precision (the project's crater match rule, on the body's sphere)."""
    scope = scope_for_target(request.user, parse_token(request.query_params.get("target", "")))
    catalogue = selectors.catalogue_for_body(request.query_params.get("catalogue", ""), scope.body)
    layer = request.query_params.get("layer", "").lower() in {"1", "true", "yes"}
    return Response(selectors.scope_against_catalogue(scope, catalogue, layer=layer))
