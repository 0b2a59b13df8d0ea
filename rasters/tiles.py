"""Map tiles of a raster for Leaflet, cached in Redis with ETag and Cache-Control.

Georeferenced rasters are tiled on their own body's sphere (a TileMatrixSet in the body's geographic CRS,
displayed by Leaflet's lon/lat CRS); rasters without georeference are tiled in pixel space for L.CRS.Simple.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotModified

from rasters.core.bodies import get_body
from rasters.models import Raster

TILE_CACHE_SECONDS = 24 * 3600
# Raised whenever the drawing of tiles changes (resampling, stretch, PNG encoding), so no tile drawn the old way
# is served from the cache after a deploy.
RENDER_VERSION = 3
# The columns a tile reads (with the access rule's, see ``selectors.raster_for_user``): the rest of the row,
# footprint included, is never loaded for a tile.
TILE_FIELDS = (
    "status", "storage_key", "checksum_sha256", "updated_at", "band_stats", "band_count", "dtype", "georeferenced",
    "body__slug",
)


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


def _cog_identity(raster: Raster) -> str:
    # A COG rewritten in place (reprocessing writes a new file and renames it over the old) has a new inode,
    # modification time or size even when the row did not change.
    try:
        stat = os.stat(raster.cog_path)
    except OSError:
        return "missing"
    return f"{stat.st_ino}.{stat.st_mtime_ns}.{stat.st_size}"


def tile_cache_key(raster: Raster, z: int, x: int, y: int) -> str:
    """Cache key (and ETag seed) of one tile: it changes with anything that changes the tile's pixels.

    That is the COG file on disk, the upload's checksum, the body and georeference (the grid), the stretch and
    colormap (from the band statistics, which processing writes with a queryset update that leaves
    ``updated_at`` alone), ``RENDER_VERSION``, and every save of the row. The key names no user: the access
    decision is made before the cache is read, on every request.
    """
    seed = json.dumps(
        [
            RENDER_VERSION,
            raster.checksum_sha256,
            str(raster.storage_key),
            _cog_identity(raster),
            raster.body.slug if raster.body is not None else None,
            raster.georeferenced,
            tile_style(raster),
            # Microseconds: two saves within the same second still give the tiles a new version.
            f"{raster.updated_at.timestamp():.6f}",
        ]
    )
    digest = hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()[:24]
    return f"tile:{raster.pk}:{digest}:{z}:{x}:{y}"


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
