"""Cloud-optimised GeoTIFF conversion, thumbnails and band statistics.

Every upload is converted once into a COG with internal overviews; thumbnails, statistics and tiles then
read the overview that matches the size they need instead of decoding the full-resolution image.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from rasterio.enums import Resampling
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.io import DatasetReader
from rio_cogeo.cogeo import cog_translate
from rio_cogeo.profiles import cog_profiles

from rasters.core.errors import CorruptRaster
from rasters.core.safe_open import open_raster, safe_options

COG_BLOCK_SIZE = 256
STATS_MAX_SIZE = 1024


@dataclass(frozen=True)
class BandStats:
    """Statistics of one band in physical units (scale and offset applied), nodata excluded."""

    band: int
    min: float
    max: float
    mean: float
    std: float
    p2: float
    p98: float
    valid_count: int
    # True when computed from an overview: valid_count is then scaled up to the full-resolution grid.
    sampled: bool


def make_cog(
    src_path: str | os.PathLike[str], dst_path: str | os.PathLike[str], product: Collection[str] | None = None
) -> Path:
    """Convert an upload into a deflate COG with internal overviews.

    ``product``: the files of a multi-file product beside ``src_path`` (its label), as ``open_raster`` takes.

    Nodata, per-band scale/offset, tags and the CRS (as WKT) are kept; an image without georeferencing stays
    in pixel space. A source GDAL cannot decode raises CorruptRaster.
    """
    profile = cog_profiles.get("deflate")
    profile.update(blockxsize=COG_BLOCK_SIZE, blockysize=COG_BLOCK_SIZE, BIGTIFF="IF_SAFER")
    dst = Path(dst_path)
    options = safe_options(product is not None, _has_sidecar(src_path, product))
    with open_raster(src_path, product) as src:
        # JPEG's 3-band YCbCr and PNG palettes are not carried over: the COG stores plain bands.
        profile.update(predictor=3 if src.dtypes[0].startswith("float") else 2)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NotGeoreferencedWarning)
                cog_translate(
                    src,
                    dst,
                    profile,
                    overview_resampling="average",
                    forward_band_tags=True,
                    config={**options, "GDAL_NUM_THREADS": "ALL_CPUS"},
                    quiet=True,
                )
        except RasterioError as exc:
            dst.unlink(missing_ok=True)
            raise CorruptRaster() from exc
    return dst


def _has_sidecar(src_path: str | os.PathLike[str], product: Collection[str] | None) -> bool:
    wanted = f"{Path(src_path).name}.aux.xml".lower()
    return product is not None and wanted in {name.lower() for name in product}


def display_indexes(dataset: DatasetReader) -> list[int]:
    """Bands shown on screen: the first three for RGB(A) images, else the first band."""
    return [1, 2, 3] if dataset.count >= 3 else [1]


def _decimated_shape(width: int, height: int, max_size: int) -> tuple[int, int]:
    scale = min(1.0, max_size / max(width, height))
    return max(1, round(height * scale)), max(1, round(width * scale))


def read_decimated(dataset: DatasetReader, indexes: list[int], max_size: int) -> np.ma.MaskedArray:
    """Bands resampled to at most ``max_size`` px per side, physical units, nodata masked.

    GDAL serves a reduced ``out_shape`` from the nearest overview, so this stays cheap on large COGs.
    """
    out_height, out_width = _decimated_shape(dataset.width, dataset.height, max_size)
    try:
        data = dataset.read(
            indexes, out_shape=(len(indexes), out_height, out_width), masked=True, resampling=Resampling.average
        )
    except RasterioError as exc:
        raise CorruptRaster() from exc
    scales = np.array([dataset.scales[i - 1] for i in indexes], dtype="float64")[:, None, None]
    offsets = np.array([dataset.offsets[i - 1] for i in indexes], dtype="float64")[:, None, None]
    values = data.astype("float64") * scales + offsets
    # NaN nodata in float rasters is not always flagged by the mask.
    return np.ma.masked_invalid(values)


def stretch_to_uint8(values: np.ma.MaskedArray, low: float, high: float) -> np.ndarray:
    """Linear stretch of ``low..high`` to 0..255 (masked pixels become 0)."""
    span = high - low if high > low else 1.0
    scaled = np.clip((values.filled(low) - low) / span * 255.0, 0, 255)
    return scaled.round().astype("uint8")


def percentile_range(values: np.ma.MaskedArray, low: float = 2, high: float = 98) -> tuple[float, float]:
    """The ``low``/``high`` percentiles of the valid values (0, 1 when nothing is valid)."""
    valid = values.compressed()
    if valid.size == 0:
        return 0.0, 1.0
    p_low, p_high = np.percentile(valid, [low, high])
    return float(p_low), float(p_high)


def make_thumbnail(
    cog_path: str | os.PathLike[str], dst_png: str | os.PathLike[str], max_size: int = 256
) -> Path:
    """Write a PNG preview of at most ``max_size`` px, 2-98 % stretched, transparent where there is no data.

    RGB images share one stretch across bands so their colours stay balanced.
    """
    with open_raster(cog_path) as dataset:
        values = read_decimated(dataset, display_indexes(dataset), max_size)
    low, high = percentile_range(values)
    grey_or_rgb = stretch_to_uint8(values, low, high)
    alpha = np.where(np.ma.getmaskarray(values).any(axis=0), 0, 255).astype("uint8")
    bands = np.concatenate([grey_or_rgb, alpha[None]], axis=0)
    mode = "RGBA" if bands.shape[0] == 4 else "LA"
    dst = Path(dst_png)
    Image.fromarray(np.moveaxis(bands, 0, -1), mode=mode).save(dst, format="PNG", optimize=True)
    return dst


def band_statistics(cog_path: str | os.PathLike[str], max_size: int = STATS_MAX_SIZE) -> list[BandStats]:
    """Per-band min, max, mean, std, 2nd/98th percentiles and valid pixel count in physical units.

    Images larger than ``max_size`` px per side are measured on an overview (``sampled=True``).
    """
    with open_raster(cog_path) as dataset:
        indexes = list(dataset.indexes)
        values = read_decimated(dataset, indexes, max_size)
        full_pixels = dataset.width * dataset.height
    sampled = values.shape[1] * values.shape[2] < full_pixels
    ratio = full_pixels / (values.shape[1] * values.shape[2])
    stats = []
    for position, band in enumerate(indexes):
        valid = values[position].compressed()
        if valid.size == 0:
            nan = float("nan")
            stats.append(BandStats(band, nan, nan, nan, nan, nan, nan, valid_count=0, sampled=sampled))
            continue
        p2, p98 = np.percentile(valid, [2, 98])
        stats.append(
            BandStats(
                band=band,
                min=float(valid.min()),
                max=float(valid.max()),
                mean=float(valid.mean()),
                std=float(valid.std()),
                p2=float(p2),
                p98=float(p98),
                valid_count=round(valid.size * ratio),
                sampled=sampled,
            )
        )
    return stats
