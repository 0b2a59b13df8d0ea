"""Inspect an uploaded raster: layout, limits, CRS, body, footprint, area, resolution, metadata.

Dimensions, band count and data type are checked from the header before any pixel is decoded, so a
decompression bomb is refused without being inflated.
"""

from __future__ import annotations

import math
import os
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyproj
from rasterio.errors import RasterioError
from rasterio.io import DatasetReader
from rasterio.windows import Window
from shapely.geometry import MultiPolygon, Polygon

from rasters.core.bodies import BodyMatch, body_from_crs, body_geographic_crs, get_body
from rasters.core.errors import CorruptRaster, CRSError, RasterTooLarge, UnsupportedLayout
from rasters.core.geodesy import footprint_lonlat, pixel_size_m, polygon_area_km2
from rasters.core.labels import label_metadata
from rasters.core.products import label_text
from rasters.core.safe_open import check_local_file, open_raster

__all__ = ["Limits", "RasterInfo", "inspect_raster", "open_raster"]

SUPPORTED_DTYPES = frozenset(
    {"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64"}
)

# Tags that describe an acquisition, as written by GDAL's TIFF, PDS, ISIS and VICAR drivers.
METADATA_KEYS = (
    "TIFFTAG_DATETIME",
    "TIFFTAG_IMAGEDESCRIPTION",
    "TIFFTAG_SOFTWARE",
    "START_TIME",
    "STOP_TIME",
    "IMAGE_TIME",
    "SPACECRAFT_NAME",
    "SPACECRAFT_ID",
    "MISSION_NAME",
    "INSTRUMENT_ID",
    "INSTRUMENT_NAME",
    "TARGET_NAME",
    "PRODUCT_ID",
)
LABEL_DRIVERS = frozenset({"PDS", "PDS4", "ISIS2", "ISIS3", "VICAR"})
_DATE_KEYS = ("START_TIME", "IMAGE_TIME", "TIFFTAG_DATETIME")
_DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y:%m:%d %H:%M:%S", "%Y-%m-%d")


@dataclass(frozen=True)
class Limits:
    """Upper bounds an upload must respect; checked before pixels are decoded."""

    max_bytes: int = 2 * 1024**3
    max_pixels: int = 1_000_000_000
    max_dimension: int = 100_000
    max_bands: int = 4
    # Declared raw size / file size above which a PNG or JPEG is treated as a decompression bomb.
    max_compression_ratio: float = 1000.0
    # Raw bytes the upload request may decode to prove the pixels read: all of a smaller image, else evenly
    # spaced blocks (the first and last among them) up to this budget; conversion reads the rest in a worker.
    max_check_bytes: int = 256 * 1024**2
    # One compressed block (strip or tile, one band) is decoded whole by every read that touches it.
    max_block_bytes: int = 256 * 1024**2


@dataclass
class RasterInfo:
    """Everything the platform records about an upload after inspecting it."""

    driver: str
    width: int
    height: int
    count: int
    dtype: str
    nodata: float | None
    scales: list[float]
    offsets: list[float]
    crs_wkt: str | None
    georeferenced: bool
    body: BodyMatch | None
    footprint: Polygon | MultiPolygon | None
    footprint_area_km2: float | None
    pixel_size_m: tuple[float, float] | None
    overview_count: int
    file_size: int
    metadata: dict[str, Any] = field(default_factory=dict)
    acquired_at: datetime | None = None


def _check_limits(dataset: DatasetReader, file_size: int, limits: Limits) -> None:
    width, height, count = dataset.width, dataset.height, dataset.count
    if width <= 0 or height <= 0 or max(width, height) > limits.max_dimension:
        raise RasterTooLarge(f"The image is {width} x {height} pixels; at most {limits.max_dimension} per side.")
    if width * height > limits.max_pixels:
        raise RasterTooLarge(f"The image has {width * height} pixels; at most {limits.max_pixels}.")
    if not 1 <= count <= limits.max_bands:
        raise UnsupportedLayout(f"The image has {count} bands; between 1 and {limits.max_bands} are supported.")
    dtypes = set(dataset.dtypes)
    if not dtypes <= SUPPORTED_DTYPES or len(dtypes) != 1:
        raise UnsupportedLayout(f"Data type {', '.join(sorted(dtypes))} is not supported.")
    itemsize = np.dtype(dataset.dtypes[0]).itemsize
    raw_bytes = width * height * count * itemsize
    # PNG and JPEG decoders inflate whole rows; a tiny file declaring a huge image is a bomb.
    if dataset.driver in {"PNG", "JPEG"} and raw_bytes > limits.max_compression_ratio * file_size:
        raise RasterTooLarge("The image declares far more pixels than its file size can hold.")


_MAX_SAMPLED_BLOCKS = 256  # reads one request may make of a large image, whatever its block size
_BAND_READ_BYTES = 16 * 1024**2  # a whole-image check reads strips of block rows this large at a time


def _check_decodes(dataset: DatasetReader, limits: Limits) -> None:
    itemsize = np.dtype(dataset.dtypes[0]).itemsize
    block_h, block_w = dataset.block_shapes[0]
    block_bytes = block_h * block_w * itemsize
    if dataset.compression is not None and block_bytes > limits.max_block_bytes:
        raise RasterTooLarge(
            f"The image is compressed in blocks of {block_bytes // 1024**2} MB each; at most "
            f"{limits.max_block_bytes // 1024**2} MB. Save it tiled (e.g. gdal_translate -co TILED=YES)."
        )
    width, height, count = dataset.width, dataset.height, dataset.count
    try:
        if width * height * count * itemsize <= limits.max_check_bytes:
            # Every pixel, in strips of whole block rows: few reads even for tiny tiles, bounded memory.
            rows = max(block_h, _BAND_READ_BYTES // max(1, width * count * itemsize) // block_h * block_h)
            for top in range(0, height, rows):
                dataset.read(window=Window(0, top, width, min(rows, height - top)))
            return
        # Work in the request stays bounded whatever the file declares (a deflated file of zeros can declare
        # tens of gigabytes): evenly spaced blocks, the last always, as truncation is the common corruption.
        # Conversion in the worker reads the rest.
        across, down = math.ceil(width / block_w), math.ceil(height / block_h)
        n = min(_MAX_SAMPLED_BLOCKS, max(2, limits.max_check_bytes // (block_bytes * count)), across * down)
        for index in np.unique(np.linspace(0, across * down - 1, n).round().astype(np.int64)):
            row, col = divmod(int(index), across)
            left, top = col * block_w, row * block_h
            dataset.read(window=Window(left, top, min(block_w, width - left), min(block_h, height - top)))
    except RasterioError as exc:
        raise CorruptRaster() from exc


def _crs_of(dataset: DatasetReader) -> pyproj.CRS | None:
    if dataset.crs is None:
        return None
    try:
        return pyproj.CRS.from_wkt(dataset.crs.to_wkt())
    except pyproj.exceptions.CRSError as exc:
        raise CRSError() from exc


def _has_geotransform(dataset: DatasetReader) -> bool:
    return not dataset.transform.is_identity


def _metadata(dataset: DatasetReader) -> tuple[dict[str, Any], datetime | None]:
    tags = {key.upper(): value for key, value in dataset.tags().items()}
    found = {key: tags[key].strip() for key in METADATA_KEYS if tags.get(key, "").strip()}
    acquired = None
    for key in _DATE_KEYS:
        if key in found and acquired is None:
            acquired = _parse_date(found[key])
    return found, acquired


def _parse_date(text: str) -> datetime | None:
    cleaned = text.strip().strip('"').rstrip("Z")
    for fmt in _DATE_FORMATS:
        try:
            # Mission times (PDS START_TIME, TIFF DateTime) are UTC by convention.
            return datetime.strptime(cleaned, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def inspect_raster(
    path: str | os.PathLike[str],
    limits: Limits | None = None,
    body_slug: str | None = None,
    product: Collection[str] | None = None,
) -> RasterInfo:
    """Validate an upload and describe it.

    ``body_slug`` forces the body (a user's choice); otherwise it is detected from the CRS. A CRS of a
    different body than ``body_slug`` raises CRSError. Raises the RasterError family for every refusal.
    ``product``: the files of a multi-file product beside ``path`` (its label), checked by
    ``rasters.core.products.assemble`` first. A planetary label's fields are added to ``metadata``
    (``rasters.core.labels``).
    """
    limits = limits or Limits()
    resolved = check_local_file(path)
    file_size = resolved.stat().st_size
    if product is not None:
        file_size = sum(check_local_file(resolved.parent / name).stat().st_size for name in product)
    if file_size > limits.max_bytes:
        raise RasterTooLarge(f"The file is {file_size} bytes; at most {limits.max_bytes}.")
    with open_raster(path, product) as dataset:
        _check_limits(dataset, file_size, limits)
        _check_decodes(dataset, limits)
        crs = _crs_of(dataset)
        georeferenced = crs is not None and _has_geotransform(dataset)
        match = body_from_crs(crs) if crs is not None else None
        slug = body_slug or (match.body.slug if match else None)
        footprint = area = resolution = None
        if georeferenced and crs is not None and slug is not None:
            body = get_body(slug)
            footprint = footprint_lonlat(
                dataset.transform, dataset.width, dataset.height, crs, body_geographic_crs(slug)
            )
            area = polygon_area_km2(footprint, body.mean_radius_m)
            resolution = pixel_size_m(dataset.transform, dataset.width, dataset.height, crs, body.mean_radius_m)
            if not all(math.isfinite(value) for value in resolution):
                raise CRSError("The raster's pixel size cannot be measured on the body.")
        metadata, acquired = _metadata(dataset)
        if dataset.driver in LABEL_DRIVERS:
            described = label_metadata(label_text(resolved), dataset.driver)
            metadata = {**metadata, **described}
            if acquired is None and "start_time" in described:
                acquired = _parse_date(described["start_time"])
        return RasterInfo(
            driver=dataset.driver,
            width=dataset.width,
            height=dataset.height,
            count=dataset.count,
            dtype=dataset.dtypes[0],
            nodata=dataset.nodata,
            scales=[float(value) for value in dataset.scales],
            offsets=[float(value) for value in dataset.offsets],
            crs_wkt=crs.to_wkt() if crs is not None else None,
            georeferenced=georeferenced,
            body=match,
            footprint=footprint,
            footprint_area_km2=area,
            pixel_size_m=resolution,
            overview_count=len(dataset.overviews(1)),
            file_size=file_size,
            metadata=metadata,
            acquired_at=acquired,
        )
