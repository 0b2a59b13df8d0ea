"""Map tiles of a raster for Leaflet, cached in Redis with ETag and Cache-Control.

Georeferenced rasters are tiled on their own body's sphere (a TileMatrixSet in the body's geographic CRS,
displayed by Leaflet's lon/lat CRS); rasters without georeference are tiled in pixel space for L.CRS.Simple.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotModified

from rasters.core.bodies import get_body
from rasters.models import Raster

TILE_CACHE_SECONDS = 24 * 3600
_EMPTY_PNG_KEY = "tile:empty"


def tile_style(raster: Raster) -> dict[str, Any]:
    """Percentile stretch from the band statistics; a colormap for elevation models."""
    ranges = [
        (float(band["p2"]), float(band["p98"]))
        for band in raster.band_stats
        if band.get("p2") is not None and band.get("p98") is not None and band["p98"] > band["p2"]
    ]
    stretch: Any = None
    if len(ranges) == 1:
        stretch = ranges[0]
    elif len(ranges) >= 3:
        stretch = ranges[:3]
    return {"stretch": stretch, "colormap": "terrain" if raster.is_dem else None}


def render(raster: Raster, z: int, x: int, y: int) -> bytes | None:
    """PNG bytes of one tile, or None where the tile holds none of the image."""
    from rasters.core import tiles as core_tiles  # rio-tiler is heavy: loaded on the first tile

    style = tile_style(raster)
    if raster.georeferenced and raster.body is not None:
        tms = core_tiles.tms_for_body(get_body(raster.body.slug))
        return core_tiles.render_tile(raster.cog_path, z, x, y, tms=tms, **style)
    return core_tiles.render_pixel_tile(raster.cog_path, z, x, y, **style)


def tile_cache_key(raster: Raster, z: int, x: int, y: int) -> str:
    """Cache key (and ETag seed) of one tile; it changes whenever the raster is saved."""
    # Microseconds: two saves within the same second still give the tiles a new version.
    version = f"{raster.pk}:{raster.checksum_sha256[:16]}:{raster.updated_at.timestamp():.6f}"
    return f"tile:{version}:{z}:{x}:{y}"


def tile_response(request: Any, raster: Raster, z: int, x: int, y: int) -> HttpResponse:
    """Serve a tile from the cache or render it; 404 while the COG is not ready or outside the image."""
    if raster.status != Raster.Status.READY:
        raise Http404("The image is still being processed.")
    if not (0 <= z <= 24) or x < 0 or y < 0:
        raise Http404("No such tile.")
    key = tile_cache_key(raster, z, x, y)
    etag = '"' + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest() + '"'
    if request.headers.get("If-None-Match") == etag:
        return _headers(HttpResponseNotModified(), etag)
    data = cache.get(key)
    if data is None:
        rendered = render(raster, z, x, y)
        data = rendered if rendered is not None else b""
        cache.set(key, data, TILE_CACHE_SECONDS)
    if not data:
        raise Http404("This tile holds none of the image.")
    return _headers(HttpResponse(data, content_type="image/png"), etag)


def _headers(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    # Private: tiles of private images must never sit in a shared cache.
    response["Cache-Control"] = f"private, max-age={TILE_CACHE_SECONDS}"
    return response
