"""Pages for images: list, upload, detail with map, edit, delete, retry, thumbnail and original download."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from rasters import selectors, services
from rasters.forms import RasterEditForm
from rasters.models import Raster
from rasters.serializers import RasterSerializer


@login_required
def raster_list(request: HttpRequest) -> HttpResponse:
    rasters = selectors.rasters_visible_to(request.user).select_related("body", "owner")
    return render(request, "rasters/list.html", {"rasters": rasters})


@login_required
def raster_upload(request: HttpRequest) -> HttpResponse:
    """The drag-and-drop page; files go to the API one request per file, each with its own progress bar."""
    bodies = [{"slug": b.slug, "name": b.name} for b in selectors.bodies()]
    return render(
        request,
        "rasters/upload.html",
        {"page_data": {"api": reverse("api-raster-list"), "bodies": bodies, "list": reverse("rasters:list")}},
    )


def map_config(raster: Raster) -> dict[str, object]:
    """What the page's map needs: body radius, tile URL, footprint, pixel size."""
    data = RasterSerializer(raster).data
    return {
        "id": raster.pk,
        "status": raster.status,
        "georeferenced": raster.georeferenced,
        "body": raster.body.name if raster.body else None,
        "radius_m": raster.body.mean_radius_m if raster.body else None,
        "width": raster.width,
        "height": raster.height,
        "tiles": data["tiles"],
        "footprint": data["footprint"],
        "api": reverse("api-raster-detail", kwargs={"pk": raster.pk}),
    }


# What a planetary label said (rasters.core.labels), in the order a scientist reads it.
_LABEL_ROWS = (
    ("mission", "Mission", ""),
    ("instrument", "Instrument", ""),
    ("product_id", "Product id", ""),
    ("target", "Target", ""),
    ("start_time", "Start time", ""),
    ("pixel_scale_m", "Pixel scale", " m/px"),
)
_ILLUMINATION_ROWS = (
    ("incidence_deg", "Incidence angle", "°"),
    ("sun_azimuth_deg", "Sun azimuth", "° clockwise from image up"),
)


def label_rows(metadata: dict[str, Any]) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """The label's fields as (name, shown value) rows, and the file's other tags for the plain list."""
    rows = [(name, f"{metadata[key]}{unit}") for key, name, unit in _LABEL_ROWS if key in metadata]
    illumination = metadata.get("illumination")
    if isinstance(illumination, dict):
        rows += [(name, f"{illumination[key]:g}{unit}") for key, name, unit in _ILLUMINATION_ROWS
                 if key in illumination]
    structured = {key for key, _, _ in _LABEL_ROWS} | {"illumination"}
    return rows, {key: value for key, value in metadata.items() if key not in structured}


@login_required
def raster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raster = selectors.raster_for_user(request.user, pk)
    rows, tags = label_rows(raster.metadata if isinstance(raster.metadata, dict) else {})
    return render(
        request,
        "rasters/detail.html",
        {
            "raster": raster,
            "can_edit": raster.owner_id == request.user.pk,
            "page_data": map_config(raster),
            "label_rows": rows,
            "tags": tags,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def raster_edit(request: HttpRequest, pk: int) -> HttpResponse:
    raster = selectors.raster_for_user(request.user, pk, write=True)
    form = RasterEditForm(request.POST or None, initial={"title": raster.title, "description": raster.description})
    if request.method == "POST" and form.is_valid():
        services.raster_update(raster, **form.cleaned_data)
        messages.success(request, "Image details saved.")
        return redirect("rasters:detail", pk=raster.pk)
    return render(request, "rasters/edit.html", {"raster": raster, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def raster_delete(request: HttpRequest, pk: int) -> HttpResponse:
    raster = selectors.raster_for_user(request.user, pk, write=True)
    if raster.owner_id != request.user.pk:
        raise PermissionDenied("Only the image's owner can delete it.")
    if request.method == "POST":
        title = raster.title
        services.raster_delete(raster)
        messages.success(request, f"“{title}” and its files were deleted.")
        return redirect("rasters:list")
    return render(request, "rasters/confirm_delete.html", {"raster": raster})


@login_required
@require_POST
def raster_retry(request: HttpRequest, pk: int) -> HttpResponse:
    raster = selectors.raster_for_user(request.user, pk, write=True)
    if services.raster_retry(raster):
        messages.success(request, "Processing queued again.")
    else:
        messages.error(request, "Only a failed image can be retried.")
    return redirect("rasters:detail", pk=raster.pk)


@login_required
def thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    raster = selectors.raster_for_user(request.user, pk)
    if not raster.thumbnail_path.exists():
        raise Http404("No thumbnail yet.")
    response = FileResponse(raster.thumbnail_path.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _product_zip(raster: Raster) -> IO[bytes]:
    spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024**2)  # noqa: SIM115 - FileResponse closes it
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in raster.product_files:
            archive.write(raster.product_directory / name, arcname=name)
    spool.seek(0)
    return cast(IO[bytes], spool)


@login_required
def original(request: HttpRequest, pk: int) -> FileResponse:
    raster = selectors.raster_for_user(request.user, pk)
    if not raster.original_path.exists():
        raise Http404("The original file is missing.")
    # The download name is derived from the title and the stored extension, never a client-supplied path.
    safe_stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in raster.title)[:80] or "image"
    if raster.product_files:
        # A product downloads as the files it was uploaded as, together in one zip.
        return FileResponse(
            _product_zip(raster), as_attachment=True, filename=f"{safe_stem}.zip", content_type="application/zip"
        )
    return FileResponse(
        raster.original_path.open("rb"), as_attachment=True, filename=f"{safe_stem}{Path(raster.original_ext).suffix}"
    )
