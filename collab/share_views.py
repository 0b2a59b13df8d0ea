"""What a share link opens, without login: that one object, read-only, with its thumbnail, tiles and features."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from collab.access import share_for_token
from collab.models import ShareLink
from collab.selectors import shared_features
from rasters import tiles
from rasters.views import map_config


def _raster_of(link: ShareLink) -> object:
    """The image a link reaches (an image link or an analysis link); a region link reaches no image."""
    raster = link.raster or (link.analysis.raster if link.analysis else None)
    if raster is None:
        raise Http404("This link shares no image.")
    return raster


def share_page(request: HttpRequest, token: str) -> HttpResponse:
    link = share_for_token(token)
    page: dict[str, object] = {"features": reverse("collab:share_features", kwargs={"token": token})}
    raster = link.raster or (link.analysis.raster if link.analysis else None)
    if raster is not None:
        config = map_config(raster)
        config["tiles"] = reverse("collab:share_tile", kwargs={"token": token, "z": 0, "x": 0, "y": 0}).replace(
            "/0/0/0.png", "/{z}/{x}/{y}.png")
        config.pop("api", None)
        page["map"] = config
    elif link.region is not None:
        body = link.region.body
        page["map"] = {"georeferenced": True, "radius_m": body.mean_radius_m, "body": body.name, "tiles": None}
    response = render(request, "collab/share.html", {
        "link": link, "raster": raster, "analysis": link.analysis, "region": link.region, "page_data": page,
    })
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token must not leak to other sites
    response["X-Robots-Tag"] = "noindex"
    return response


def share_thumbnail(request: HttpRequest, token: str) -> FileResponse:
    raster = _raster_of(share_for_token(token))
    if not raster.thumbnail_path.exists():  # type: ignore[attr-defined]
        raise Http404("No thumbnail yet.")
    response = FileResponse(raster.thumbnail_path.open("rb"), content_type="image/png")  # type: ignore[attr-defined]
    response["Cache-Control"] = "private, no-store"
    return response


def share_tile(request: HttpRequest, token: str, z: int, x: int, y: int) -> HttpResponse:
    response = tiles.tile_response(request, _raster_of(share_for_token(token)), z, x, y)  # type: ignore[arg-type]
    response["Cache-Control"] = "private, no-store"  # a revoked link must stop showing tiles at once
    return response


def share_features(request: HttpRequest, token: str) -> JsonResponse:
    return JsonResponse(shared_features(share_for_token(token)), content_type="application/geo+json")


