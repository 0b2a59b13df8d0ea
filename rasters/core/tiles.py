"""PNG map tiles of COGs: in a body's lon/lat grid for Leaflet, or in pixel space for plain images.

The geographic grid matches Leaflet's ``L.CRS.EPSG4326``: zoom 0 is 2 x 1 tiles of 256 px over
-180..180, -90..90, each zoom halves the cell size, tile rows count from the north. It is built in the
body's own IAU CRS (EPSG:4326 only for Earth), so rio-tiler warps a Mars raster into Mars lon/lat and PROJ
never sees an Earth CRS for it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from functools import cache
from typing import cast

import morecantile
import numpy as np
import pyproj
from rasterio.enums import Resampling
from rasterio.errors import RasterioError
from rasterio.windows import Window
from rio_tiler.colormap import cmap
from rio_tiler.errors import TileOutsideBounds
from rio_tiler.io import Reader
from rio_tiler.models import ImageData

from rasters.core.bodies import Body, body_geographic_crs, get_body
from rasters.core.cog import band_statistics, display_indexes
from rasters.core.errors import CorruptRaster, CRSError
from rasters.core.geodesy import body_transformer
from rasters.core.safe_open import open_raster

TILE_SIZE = 256
MAX_ZOOM = 22
COLORMAPS = ("terrain", "viridis", "gray")

Stretch = tuple[float, float] | Sequence[tuple[float, float]]


@cache
def _tms_for_slug(slug: str) -> morecantile.TileMatrixSet:
    crs = body_geographic_crs(slug)
    return morecantile.TileMatrixSet.custom(
        [-180.0, -90.0, 180.0, 90.0],
        crs,
        extent_crs=crs,
        matrix_scale=[2, 1],
        minzoom=0,
        maxzoom=MAX_ZOOM,
        id=f"{slug}-geographic-quad",
        title=f"{get_body(slug).name} lon/lat quad (Leaflet EPSG4326 grid)",
    )


def tms_for_body(body: Body | str) -> morecantile.TileMatrixSet:
    """The body's lon/lat TileMatrixSet with Leaflet EPSG4326's grid (2 x 1 tiles of 256 px at zoom 0)."""
    return _tms_for_slug(body if isinstance(body, str) else body.slug)


def _ranges(stretch: Stretch, count: int) -> list[tuple[float, float]]:
    if len(stretch) == 2 and isinstance(stretch[0], int | float):
        low, high = cast(tuple[float, float], stretch)
        return [(float(low), float(high))] * count
    ranges = [(float(low), float(high)) for low, high in cast(Sequence[tuple[float, float]], stretch)]
    return ranges if len(ranges) == count else [ranges[0]] * count


def _default_stretch(cog_path: str | os.PathLike[str], dtype: str, count: int) -> Stretch | None:
    # 8-bit images display as stored; other types need a range, taken once from the COG's overview.
    if dtype == "uint8":
        return None
    stats = band_statistics(cog_path)
    return [(stats[i].p2, stats[i].p98) for i in range(min(count, len(stats)))]


def _render(image: ImageData, stretch: Stretch | None, colormap: str | None) -> bytes:
    if stretch is not None:
        image = image.rescale(in_range=_ranges(stretch, image.count))
    elif image.array.dtype != np.uint8:
        image = image.rescale(in_range=[(0, 255)] * image.count)
    if colormap and image.count == 1:
        return image.render(img_format="PNG", colormap=cmap.get(colormap))
    return image.render(img_format="PNG")


def render_tile(
    cog_path: str | os.PathLike[str],
    z: int,
    x: int,
    y: int,
    *,
    tms: morecantile.TileMatrixSet,
    stretch: Stretch | None = None,
    colormap: str | None = None,
    tilesize: int = TILE_SIZE,
) -> bytes | None:
    """A PNG tile (alpha from nodata/mask) of a georeferenced COG in ``tms``, or None outside the image.

    Raises CRSError when the COG has no CRS or its CRS belongs to another body than the tile grid.

    ``stretch`` is a (low, high) range in physical units (scale/offset applied), or one per band; by
    default 8-bit images are shown as stored and other types with their 2-98 % range. ``colormap``
    ('terrain', 'viridis'...) colours single-band images such as DEMs.
    """
    with open_raster(cog_path) as dataset:
        if dataset.crs is None:
            raise CRSError("This image is not georeferenced; it is tiled in pixel space.")
        # Fails with CRSError before any warping when the grid belongs to another body.
        body_transformer(pyproj.CRS.from_wkt(dataset.crs.to_wkt()), tms.geographic_crs)
        indexes = display_indexes(dataset)
        dtype, count = dataset.dtypes[0], len(indexes)
        # Only unscale when it changes something: rio-tiler then casts to float, which it cannot combine with
        # an 8-bit alpha band.
        scaled = any(dataset.scales[i - 1] != 1 or dataset.offsets[i - 1] != 0 for i in indexes)
        with Reader(None, dataset=dataset, tms=tms, options={"unscale": scaled}) as reader:
            if not reader.tile_exists(x, y, z):
                return None
            try:
                image = reader.tile(x, y, z, tilesize=tilesize, indexes=indexes, resampling_method="bilinear")
            except TileOutsideBounds:
                return None
            except RasterioError as exc:
                raise CorruptRaster() from exc
    if stretch is None:
        stretch = _default_stretch(cog_path, dtype, count)
    return _render(image, stretch, colormap)


def pixel_max_zoom(width: int, height: int, tilesize: int = TILE_SIZE) -> int:
    """Zoom at which a pixel-space image shows at full resolution in Leaflet CRS.Simple."""
    return max(0, math.ceil(math.log2(max(width, height) / tilesize)))


def render_pixel_tile(
    cog_path: str | os.PathLike[str],
    z: int,
    x: int,
    y: int,
    *,
    stretch: Stretch | None = None,
    colormap: str | None = None,
    tilesize: int = TILE_SIZE,
) -> bytes | None:
    """A PNG tile of an image in pixel space (Leaflet CRS.Simple), or None outside it.

    At ``pixel_max_zoom`` one tile pixel is one image pixel; at zoom z a tile covers a square of
    ``tilesize * 2 ** (max_zoom - z)`` image pixels from the top-left corner, read from the overviews.
    Zooms past ``max_zoom`` magnify. The area beyond the image's right and bottom edges is transparent.
    """
    with open_raster(cog_path) as dataset:
        width, height = dataset.width, dataset.height
        span = tilesize * 2.0 ** (pixel_max_zoom(width, height, tilesize) - z)
        col_off, row_off = x * span, y * span
        if x < 0 or y < 0 or col_off >= width or row_off >= height:
            return None
        win_width, win_height = min(span, width - col_off), min(span, height - row_off)
        out_width = max(1, round(win_width * tilesize / span))
        out_height = max(1, round(win_height * tilesize / span))
        indexes = display_indexes(dataset)
        try:
            data = dataset.read(
                indexes,
                window=Window(col_off, row_off, win_width, win_height),
                out_shape=(len(indexes), out_height, out_width),
                masked=True,
                resampling=Resampling.bilinear,
            )
        except RasterioError as exc:
            raise CorruptRaster() from exc
        scales = np.array([dataset.scales[i - 1] for i in indexes])[:, None, None]
        offsets = np.array([dataset.offsets[i - 1] for i in indexes])[:, None, None]
        dtype = dataset.dtypes[0]
    values = data.astype("float64") * scales + offsets if dtype != "uint8" else data
    canvas = np.ma.masked_all((len(indexes), tilesize, tilesize), dtype=values.dtype)
    canvas[:, :out_height, :out_width] = values
    if stretch is None:
        stretch = _default_stretch(cog_path, dtype, len(indexes))
    return _render(ImageData(canvas), stretch, colormap)
