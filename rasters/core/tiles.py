"""PNG map tiles of COGs: in a body's lon/lat grid for Leaflet, or in pixel space for plain images.

The geographic grid matches Leaflet's ``L.CRS.EPSG4326``: zoom 0 is 2 x 1 tiles of 256 px over
-180..180, -90..90, each zoom halves the cell size, tile rows count from the north. It is built in the
body's own IAU CRS (EPSG:4326 only for Earth), so rio-tiler warps a Mars raster into Mars lon/lat and PROJ
never sees an Earth CRS for it.
"""

from __future__ import annotations

import math
import os
import struct
import zlib
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import cast

import morecantile
import numpy as np
import pyproj
from rasterio.enums import Resampling
from rasterio.errors import RasterioError
from rasterio.io import DatasetReader
from rasterio.warp import calculate_default_transform
from rasterio.windows import Window
from rio_tiler.colormap import cmap
from rio_tiler.errors import TileOutsideBounds
from rio_tiler.io import Reader
from rio_tiler.models import ImageData

from rasters.core.bodies import Body, body_geographic_crs, get_body
from rasters.core.cog import band_statistics, display_indexes
from rasters.core.errors import CorruptRaster, CRSError
from rasters.core.geodesy import body_transformer
from rasters.core.safe_open import open_own_cog

TILE_SIZE = 256
MAX_ZOOM = 22
COLORMAPS = ("terrain", "viridis", "gray")
# zlib level of tile PNGs: 1 encodes ~6x faster than the default 6 for ~10 % more bytes (see encode_png).
PNG_ZLIB_LEVEL = 1

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


def _linear_to_uint8(values: np.ndarray, low: float, high: float) -> np.ndarray:
    # rio-tiler's linear_rescale + astype("uint8"), so tiles look as they did when rio-tiler rendered them.
    scaled = (np.clip(values, low, high, dtype=np.float64) - low) / np.float64(high - low) * 255.0
    return np.nan_to_num(scaled, nan=0.0).astype(np.uint8)


@lru_cache(maxsize=256)
def _stretch_lut(low: float, high: float) -> np.ndarray:
    # An 8-bit band takes 256 values: look the stretch up instead of doing float maths on 65,536 pixels.
    return _linear_to_uint8(np.arange(256, dtype=np.float64), low, high)


@cache
def _colormap_lut(name: str) -> np.ndarray:
    colours = cmap.get(name)
    if not isinstance(colours, dict):
        raise ValueError(f"{name!r} is an interval colormap, not a 256-entry one.")
    lut = np.zeros((256, 4), dtype=np.uint8)
    for value, colour in colours.items():
        lut[int(value)] = colour
    return lut


def _display_bands(image: ImageData, stretch: Stretch | None) -> np.ndarray:
    """The bands as 8-bit (count, h, w): stretched, or clipped to 0..255 for other types without a range."""
    data = image.array.data
    if stretch is None and data.dtype == np.uint8:
        return data
    ranges = _ranges(stretch, image.count) if stretch is not None else [(0.0, 255.0)] * image.count
    if data.dtype == np.uint8:
        return np.stack([_stretch_lut(low, high)[band] for band, (low, high) in zip(data, ranges, strict=True)])
    return np.stack([_linear_to_uint8(band, low, high) for band, (low, high) in zip(data, ranges, strict=True)])


def tile_pixels(image: ImageData, stretch: Stretch | None, colormap: str | None) -> np.ndarray:
    """An (h, w, 1 to 4) uint8 array ready for PNG: grey or RGB, with an alpha channel only where one is needed.

    Alpha is 0 wherever the image has no data (nodata, mask, outside its footprint); those pixels are also
    zeroed in the colour bands, which costs nothing on screen and compresses better. A tile the image covers
    entirely carries no alpha channel: half the bytes for zlib to compress for a grey image, the same picture.
    """
    bands = _display_bands(image, stretch)
    valid = ~np.ma.getmaskarray(image.array).any(axis=0)
    opaque = bool(valid.all())
    if colormap and image.count == 1:
        rgba = _colormap_lut(colormap)[bands[0]]
        if opaque and bool((rgba[..., 3] == 255).all()):
            return rgba[..., :3]
        rgba[..., 3] = np.where(valid, rgba[..., 3], 0)
        rgba[~valid, :3] = 0
        return rgba
    count = min(image.count, 3)
    if opaque:
        return np.moveaxis(bands[:count], 0, -1)
    pixels = np.zeros((*bands.shape[1:], count + 1), dtype=np.uint8)
    for position in range(count):
        pixels[..., position] = np.where(valid, bands[position], 0)
    pixels[..., count] = np.where(valid, 255, 0)
    return pixels


_PNG_COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # grey, grey + alpha, RGB, RGBA


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def encode_png(pixels: np.ndarray, level: int = PNG_ZLIB_LEVEL) -> bytes:
    """8-bit grey, grey+alpha, RGB or RGBA PNG bytes of an (h, w, 1 to 4) uint8 array.

    Every row uses PNG's "up" filter (one vectorised subtraction) and zlib runs at ``level``: at level 1 this
    is about ten times faster than GDAL's PNG driver at its default level 6, for tiles about 10 % larger.
    Encoding was most of a cold tile's time; tiles are cached, so the bytes are paid for once.
    """
    height, width, channels = pixels.shape
    rows = np.ascontiguousarray(pixels).reshape(height, width * channels)
    filtered = np.empty((height, width * channels + 1), dtype=np.uint8)
    filtered[:, 0] = 2  # "up": each byte minus the one above it (the first row has zeros above it)
    filtered[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])
    header = struct.pack(">IIBBBBB", width, height, 8, _PNG_COLOUR_TYPES[channels], 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(filtered.tobytes(), level)),
            _png_chunk(b"IEND", b""),
        )
    )


def _render(image: ImageData, stretch: Stretch | None, colormap: str | None) -> bytes:
    return encode_png(tile_pixels(image, stretch, colormap))


_grid_memo: dict[tuple[object, ...], float | None] = {}


def _measure_on_grid(dataset: DatasetReader, tms: morecantile.TileMatrixSet) -> float | None:
    # Fails with CRSError before any warping when the grid belongs to another body.
    body_transformer(pyproj.CRS.from_wkt(dataset.crs.to_wkt()), tms.geographic_crs)
    if dataset.crs == tms.rasterio_crs:
        return abs(dataset.transform.a)
    try:
        transform, _, _ = calculate_default_transform(
            dataset.crs, tms.rasterio_crs, dataset.width, dataset.height, *dataset.bounds
        )
    except (RasterioError, ValueError):
        return None
    return abs(transform.a)


def _pixel_size_on_grid(dataset: DatasetReader, tms: morecantile.TileMatrixSet) -> float | None:
    """The COG's pixel size in the grid's units (None if unknown), after checking it is on the grid's body.

    Building a PROJ transformer costs more than reading a small tile, so the answer is kept per (grid, CRS,
    geotransform, size): a COG rewritten with another georeference gets a new entry.
    """
    key = (tms.id, dataset.crs.to_wkt(), tuple(dataset.transform)[:6], dataset.width, dataset.height)
    if key not in _grid_memo:
        if len(_grid_memo) >= 1024:
            _grid_memo.clear()
        _grid_memo[key] = _measure_on_grid(dataset, tms)
    return _grid_memo[key]


def _resampling(tile_pixel: float, source_pixel: float | None) -> str:
    # Zoomed in to (or past) the image's own resolution, nearest shows its true pixels, sharp and cheap to
    # encode; bilinear only smooths when several source pixels fall into one tile pixel.
    if source_pixel is not None and tile_pixel <= source_pixel * 1.0001:
        return "nearest"
    return "bilinear"


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

    ``cog_path`` must be a COG the platform wrote (it is opened without the upload checks). ``stretch`` is a
    (low, high) range in physical units (scale/offset applied), or one per band; by default 8-bit images are
    shown as stored and other types with their 2-98 % range. ``colormap`` ('terrain', 'viridis'...) colours
    single-band images such as DEMs. Tiles finer than the image use nearest resampling, coarser ones bilinear.
    """
    with open_own_cog(cog_path) as dataset:
        if dataset.crs is None:
            raise CRSError("This image is not georeferenced; it is tiled in pixel space.")
        source_pixel = _pixel_size_on_grid(dataset, tms)
        indexes = display_indexes(dataset)
        dtype, count = dataset.dtypes[0], len(indexes)
        # Only unscale when it changes something: rio-tiler then casts to float, which it cannot combine with
        # an 8-bit alpha band.
        scaled = any(dataset.scales[i - 1] != 1 or dataset.offsets[i - 1] != 0 for i in indexes)
        left, _, right, _ = tms.xy_bounds(morecantile.Tile(x, y, z))
        method = _resampling((right - left) / tilesize, source_pixel)
        with Reader(None, dataset=dataset, tms=tms, options={"unscale": scaled}) as reader:
            try:
                image = reader.tile(
                    x, y, z, tilesize=tilesize, indexes=indexes, resampling_method=method, reproject_method=method
                )
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


def pixel_tile_window(
    width: int, height: int, z: int, x: int, y: int, tilesize: int = TILE_SIZE
) -> tuple[Window, tuple[int, int], float] | None:
    """The image window a pixel-space tile covers, the (rows, cols) it fills in the tile, and the window's span.

    At ``pixel_max_zoom`` one tile pixel is one image pixel; at zoom z a tile covers a square of
    ``tilesize * 2 ** (max_zoom - z)`` image pixels from the top-left corner. None outside the image.
    """
    span = tilesize * 2.0 ** (pixel_max_zoom(width, height, tilesize) - z)
    col_off, row_off = x * span, y * span
    if x < 0 or y < 0 or col_off >= width or row_off >= height:
        return None
    win_width, win_height = min(span, width - col_off), min(span, height - row_off)
    out_shape = (max(1, round(win_height * tilesize / span)), max(1, round(win_width * tilesize / span)))
    return Window(col_off, row_off, win_width, win_height), out_shape, span


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
    with open_own_cog(cog_path) as dataset:
        grid = pixel_tile_window(dataset.width, dataset.height, z, x, y, tilesize)
        if grid is None:
            return None
        window, (out_height, out_width), span = grid
        indexes = display_indexes(dataset)
        try:
            data = dataset.read(
                indexes,
                window=window,
                out_shape=(len(indexes), out_height, out_width),
                masked=True,
                # At or past full resolution nearest keeps the image's own pixels; bilinear only downsamples.
                resampling=Resampling.nearest if span <= tilesize else Resampling.bilinear,
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
