"""REST API for rasters under /api/v1/rasters/."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from geoplanet.pagination import PAGE_PARAMETERS, page_of, paginate
from rasters import selectors, services, tiles
from rasters.serializers import BodySerializer, RasterSerializer, RasterUpdateSerializer, RasterUploadSerializer


class BodyViewSet(viewsets.ReadOnlyModelViewSet):
    """Bodies known to the platform, with IAU codes and radii from PROJ."""

    serializer_class = BodySerializer
    lookup_field = "slug"
    queryset = selectors.bodies()


# A plain ViewSet has no queryset to type the ``{id}`` path parameter from: declare it for the schema.
_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The image's id")


@extend_schema_view(
    retrieve=extend_schema(parameters=[_ID]),
    partial_update=extend_schema(parameters=[_ID]),
    destroy=extend_schema(parameters=[_ID], responses={204: None}),
    retry=extend_schema(parameters=[_ID]),
)
class RasterViewSet(viewsets.ViewSet):
    """Upload, list, read, edit and delete the images you may see."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(parameters=PAGE_PARAMETERS, responses=page_of(RasterSerializer))
    def list(self, request: Request) -> Response:
        queryset = selectors.rasters_visible_to(request.user).select_related("body", "owner")
        status_filter = request.query_params.get("status")
        if status_filter:
            queryset = queryset.filter(status=status_filter)
        body = request.query_params.get("body")
        if body:
            queryset = queryset.filter(body__slug=body)
        return paginate(request, queryset, RasterSerializer)

    @extend_schema(responses=RasterSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(RasterSerializer(selectors.raster_for_user(request.user, pk)).data)

    @extend_schema(
        request=RasterUploadSerializer,
        responses={201: RasterSerializer},
        description=(
            "Upload an image, or a planetary product as its files together or as one .zip. Refusals: 400 (a label "
            "naming a file outside the upload, a path, URL or VRT-like indirection; a zip member with an absolute "
            "path, '..' or a link; a damaged file), 413 (too large, too many files, a zip expanding too far), 415 "
            "(not a supported format, an archive inside the archive, files that are not one product)."
        ),
    )
    def create(self, request: Request) -> Response:
        form = RasterUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        files = data["file"]
        options = {
            "title": data.get("title", ""),
            "description": data.get("description", ""),
            "body_slug": data.get("body") or None,
        }
        if len(files) == 1:
            raster = services.raster_create(owner=request.user, upload=files[0], **options)
        else:
            raster = services.raster_create_product(owner=request.user, uploads=files, **options)
        return Response(RasterSerializer(raster).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RasterUpdateSerializer, responses=RasterSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        raster = selectors.raster_for_user(request.user, pk, write=True)
        changes = {key: request.data[key] for key in ("title", "description") if key in request.data}
        form = RasterUpdateSerializer(data={"title": raster.title, "description": raster.description, **changes})
        form.is_valid(raise_exception=True)
        services.raster_update(raster, **form.validated_data)
        return Response(RasterSerializer(raster).data)

    def destroy(self, request: Request, pk: str) -> Response:
        raster = selectors.raster_for_user(request.user, pk, write=True)
        if raster.owner_id != request.user.pk:
            raise PermissionDenied("Only the image's owner can delete it.")
        services.raster_delete(raster)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={202: RasterSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        raster = selectors.raster_for_user(request.user, pk, write=True)
        if not services.raster_retry(raster):
            return Response({"detail": "Only a failed image can be retried."}, status=status.HTTP_409_CONFLICT)
        raster.refresh_from_db()
        return Response(RasterSerializer(raster).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(responses={(200, "image/png"): bytes}, description="A 256 px PNG map tile of the image.")
@api_view(["GET"])
def tile(request: Request, pk: str, z: int, x: int, y: int) -> HttpResponse:
    """``/api/v1/rasters/{id}/tiles/{z}/{x}/{y}.png`` with session or token authentication."""
    raster = selectors.raster_for_user(request.user, pk, fields=tiles.TILE_FIELDS)
    return tiles.tile_response(request, raster, z, x, y)
