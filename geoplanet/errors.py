"""One table maps domain errors to HTTP statuses; the message shown is the error's own user-safe text."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework.response import Response
from rest_framework.views import exception_handler

from collab import errors as collab_errors
from rasters.core import errors as raster_errors
from segmentation.engine import errors as engine_errors
from segmentation.services import AnalysisConflict, AnalysisError

# Most specific first: the first isinstance match wins.
STATUS_BY_ERROR: list[tuple[type[Exception], int]] = [
    (raster_errors.RasterTooLarge, 413),
    (raster_errors.UnsupportedFormat, 415),
    (raster_errors.UnsupportedLayout, 415),
    (raster_errors.EmptyFile, 400),
    (raster_errors.CorruptRaster, 400),
    (raster_errors.CRSError, 400),
    (raster_errors.RasterError, 400),
    (collab_errors.NotAllowed, 403),
    (collab_errors.Conflict, 409),
    (collab_errors.CollabError, 400),
    (AnalysisConflict, 409),
    (AnalysisError, 400),
    (engine_errors.SegmentationInputError, 400),
]


def register(error: type[Exception], status: int) -> None:
    """Let another app (segmentation, collab) add its own domain errors to the table."""
    STATUS_BY_ERROR.insert(0, (error, status))


def status_for(error: Exception) -> int | None:
    """The HTTP status of a domain error, or None for anything else."""
    for kind, status in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return None


def message_for(error: Exception) -> str:
    return str(getattr(error, "message", None) or error)


def code_for(error: Exception) -> str:
    return str(getattr(error, "code", "error"))


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the domain errors of the table above."""
    status = status_for(exc)
    if status is not None:
        return Response({"detail": message_for(exc), "code": code_for(exc)}, status=status)
    return exception_handler(exc, context)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 for a URL no route matches: JSON under /api/ (as the API's own 404s), the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)
