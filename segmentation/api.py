"""REST API for analyses: start on an image, follow progress, cancel, retry; mask tiles; model versions."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response

from geoplanet.pagination import PAGE_PARAMETERS, page_of, paginate
from rasters.selectors import raster_for_user
from segmentation import manual, selectors, services, views_support
from segmentation.models import ModelVersion
from segmentation.serializers import (
    AnalysisSerializer,
    AnalysisStartSerializer,
    ManualCraterResultSerializer,
    ManualCraterSerializer,
    ModelVersionSerializer,
)


class ModelVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Registered segmentation model versions (newest first) with their classes and metrics."""

    serializer_class = ModelVersionSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database (it may not exist yet)
            return ModelVersion.objects.none()
        services.model_versions_sync()
        return selectors.model_versions()


# A plain ViewSet has no queryset to type the ``{id}`` path parameter from: declare it for the schema.
_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The analysis' id")


@extend_schema_view(
    retrieve=extend_schema(parameters=[_ID]),
    cancel=extend_schema(parameters=[_ID]),
    retry=extend_schema(parameters=[_ID]),
    destroy=extend_schema(parameters=[_ID], responses={204: None}),
)
class AnalysisViewSet(viewsets.ViewSet):
    """Analyses of the images you may see."""

    @extend_schema(parameters=PAGE_PARAMETERS, responses=page_of(AnalysisSerializer))
    def list(self, request: Request) -> Response:
        queryset = selectors.analyses_visible_to(request.user).select_related("model_version", "started_by")
        raster = request.query_params.get("raster")
        if raster:
            queryset = queryset.filter(raster_id=raster) if raster.isdigit() else queryset.none()
        return paginate(request, queryset, AnalysisSerializer)

    @extend_schema(responses=AnalysisSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(AnalysisSerializer(selectors.analysis_for_user(request.user, pk)).data)

    @extend_schema(request=None, responses={202: AnalysisSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        analysis = selectors.analysis_for_user(request.user, pk, write=True)
        if not services.analysis_cancel(analysis):
            return Response({"detail": "Only a queued or running analysis can be cancelled."}, status=409)
        analysis.refresh_from_db()
        return Response(AnalysisSerializer(analysis).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: AnalysisSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        analysis = selectors.analysis_for_user(request.user, pk, write=True)
        if not services.analysis_retry(analysis):
            return Response({"detail": "Only a failed or cancelled analysis can be retried."}, status=409)
        analysis.refresh_from_db()
        return Response(AnalysisSerializer(analysis).data, status=status.HTTP_202_ACCEPTED)

    def destroy(self, request: Request, pk: str) -> Response:
        analysis = selectors.analysis_for_user(request.user, pk, write=True)
        if analysis.is_active:
            return Response({"detail": "Cancel the analysis before deleting it."}, status=409)
        services.analysis_delete(analysis)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(methods=["GET"], responses=AnalysisSerializer(many=True))
@extend_schema(methods=["POST"], request=AnalysisStartSerializer, responses={202: AnalysisSerializer})
@api_view(["GET", "POST"])
def raster_analyses(request: Request, pk: str) -> Response:
    """``POST /api/v1/rasters/{id}/analyses/`` starts an analysis (202 with its id); GET lists them."""
    if request.method == "GET":
        raster = raster_for_user(request.user, pk)
        analyses = raster.analyses.select_related("model_version", "started_by")
        return Response(AnalysisSerializer(analyses, many=True).data)
    raster = raster_for_user(request.user, pk, write=True)
    form = AnalysisStartSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    data = dict(form.validated_data)
    version = data.pop("model_version", None)
    analysis = services.analysis_start(user=request.user, raster=raster, model_version=version, parameters=data)
    return Response(AnalysisSerializer(analysis).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    request=ManualCraterSerializer,
    responses={201: ManualCraterResultSerializer},
    description=(
        "Add a crater digitised by hand to the image's manual count (an analysis of kind 'manual', created with "
        "the first crater), measured as CraterTools does: the circle through three rim points fitted in a "
        "projection centred at the crater, or a centre and a great-circle radius; the diameter is at true scale "
        "at the crater's centre on the body's sphere. The image's owner and its project's editors may add; "
        "others get 404. Bad coordinates, a non-finite value, a radius not positive or over 45 degrees of arc, "
        "three points on a line, a centre outside the image or another body than the image's: 400."
    ),
)
@api_view(["POST"])
def raster_manual_craters(request: Request, pk: str) -> Response:
    """``POST /api/v1/rasters/{id}/manual-craters/``: a hand-digitised crater joins the image's manual count."""
    raster = raster_for_user(request.user, pk, write=True)
    form = ManualCraterSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    data = dict(form.validated_data)
    feature = manual.manual_crater_add(
        user=request.user, raster=raster, body=data.pop("body"), method=data.pop("method"), data=data
    )
    return Response(ManualCraterResultSerializer(feature).data, status=status.HTTP_201_CREATED)


@extend_schema(responses={(200, "image/png"): bytes})
@api_view(["GET"])
def mask_tile(request: Request, pk: str, z: int, x: int, y: int) -> HttpResponse:
    """The class mask of a finished analysis as coloured PNG tiles (transparent background)."""
    analysis = selectors.analysis_for_user(request.user, pk)
    return views_support.mask_tile_response(request, analysis, z, x, y)
