"""Raster inference for images of any size: windowed rasterio reads/writes, one row band at a time.

rasterio is imported inside the functions so ``segment_array`` (re-exported here) works without it.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import (
    AllNodataError,
    EmptyInputError,
    SegmentationCancelled,
    UnreadableInputError,
    UnsupportedBandLayoutError,
)
from .memory import release_freed_memory
from .normalize import MAX_SAMPLES, robust_percentiles, to_luminance, to_unit, unit_to_model
from .tiling import (
    CancelFn,
    Predictor,
    ProgressFn,
    SegmentationResult,
    crater_class_index,
    pass_progress,
    run_tiled,
    segment_array,
    window_starts,
)

__all__ = ["RasterSegmentation", "SegmentationResult", "segment_array", "segment_raster"]


@dataclass
class RasterSegmentation:
    """Summary of a file-to-file run (the pixels are in the two output rasters)."""

    mask_path: Path
    conf_path: Path
    width: int
    height: int
    crs_wkt: str | None
    transform: tuple[float, ...] | None
    model_version: str
    class_pixels: dict[int, int] = field(default_factory=dict)
    elapsed_s: float = 0.0
    crater_view_path: Path | None = None


@contextmanager
def deterministic_torch() -> Iterator[None]:
    """Deterministic kernels for the duration of a run, restoring the caller's setting afterwards."""
    try:
        import torch
    except ImportError:  # a numpy-only predictor needs nothing
        yield
        return
    prev = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(prev)


GDAL_CACHE_MB = 64


@contextmanager
def small_block_cache() -> Iterator[None]:
    """GDAL's block cache held to ``GDAL_CACHE_MB`` while reading: a whole-raster read through the default cache
    (5% of RAM) keeps the blocks it read beside the array it fills, twice the raster at the peak (measured on
    an 8192 x 8192 mask and confidence pair: +208 MB with the default cache, +128 MB, the arrays, with this one).
    """
    import rasterio

    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB):
        yield


def _open(src_path: Path) -> Any:
    import rasterio
    from rasterio.errors import RasterioIOError

    if not src_path.exists():
        raise UnreadableInputError(f"no such file: {src_path}")
    if src_path.is_file() and src_path.stat().st_size == 0:
        raise EmptyInputError(f"empty file: {src_path}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NotGeoreferencedWarning for plain images is expected
            return rasterio.open(src_path)
    except RasterioIOError as exc:
        raise UnreadableInputError(f"cannot read {src_path.name}: {exc}") from exc


def _nodata(src: Any) -> float | None:
    return None if src.nodata is None else float(src.nodata)


def global_percentiles(src: Any) -> tuple[float, float]:
    """2/98 percentiles of the luminance from a decimated read (GDAL uses overviews when present)."""
    from rasterio.enums import Resampling

    factor = max(1, int(np.ceil(np.sqrt(src.width * src.height / MAX_SAMPLES))))
    out_shape = (src.count, max(1, src.height // factor), max(1, src.width // factor))
    small = src.read(out_shape=out_shape, resampling=Resampling.nearest)  # nearest: never mixes in nodata
    lum, valid = to_luminance(small, _nodata(src))
    if not valid.any():
        raise AllNodataError("every pixel is nodata (decimated read)")
    return robust_percentiles(lum, valid)


def segment_raster(
    src_path: str | os.PathLike[str], dst_mask_path: str | os.PathLike[str], dst_conf_path: str | os.PathLike[str],
    model: Predictor, *, tile: int = 512, overlap: int = 64, batch_size: int = 4,
    progress: ProgressFn | None = None, cancel: CancelFn | None = None, num_classes: int | None = None,
    dst_crater_view_path: str | os.PathLike[str] | None = None,
) -> RasterSegmentation:
    """Segment a raster file of any size into a uint8 class-mask GeoTIFF and a uint8 confidence GeoTIFF.

    Confidence is round(255 * max softmax probability); nodata pixels get class 0 and confidence 0 (also the
    confidence raster's nodata value). CRS and transform are copied from the input (none for plain images).
    Raises a :class:`SegmentationInputError` subclass for unreadable/empty/all-nodata/bad-band inputs and
    :class:`SegmentationCancelled` (after deleting partial outputs) when ``cancel()`` returns True.
    """

    t0 = time.perf_counter()
    src_path, mask_path, conf_path = Path(src_path), Path(dst_mask_path), Path(dst_conf_path)
    view_path = Path(dst_crater_view_path) if dst_crater_view_path is not None else None
    card = getattr(model, "card", None)
    n_cls = num_classes or (len(card.classes) if card is not None else 4)
    # GDAL's block cache defaults to 5% of RAM; a band-by-band pass never revisits blocks, so a small cache keeps
    # memory flat as the image grows instead of filling with blocks already used.
    try:
        with small_block_cache():
            return _segment(src_path, mask_path, conf_path, model, n_cls, tile=tile, overlap=overlap,
                            batch_size=batch_size, progress=progress, cancel=cancel, t0=t0, view_path=view_path)
    finally:
        release_freed_memory()  # the passes' buffers, before the caller reads whole masks


def _segment(
    src_path: Path, mask_path: Path, conf_path: Path, model: Predictor, n_cls: int, *, tile: int, overlap: int,
    batch_size: int, progress: ProgressFn | None, cancel: CancelFn | None, t0: float, view_path: Path | None,
) -> RasterSegmentation:
    import rasterio
    from rasterio.windows import Window

    with _open(src_path) as src:
        if src.width == 0 or src.height == 0:
            raise EmptyInputError("raster has no pixels")
        if src.count == 0 or src.count > 4:
            raise UnsupportedBandLayoutError(f"{src.count} bands: only 1-4 are supported")
        p_lo, p_hi = global_percentiles(src)
        nodata = _nodata(src)
        georef = src.crs is not None
        profile: dict[str, Any] = {
            "driver": "GTiff", "width": src.width, "height": src.height, "count": 1, "dtype": "uint8",
            "compress": "deflate", "zlevel": 1, "BIGTIFF": "IF_SAFER",
        }
        if src.width >= 256 and src.height >= 256:
            profile.update(tiled=True, blockxsize=256, blockysize=256)
        if georef:
            profile.update(crs=src.crs, transform=src.transform)
        class_pixels = np.zeros(256, dtype=np.int64)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                dst_m = rasterio.open(mask_path, "w", **profile)
                dst_c = rasterio.open(conf_path, "w", nodata=0, **profile)
            with dst_m, dst_c:

                def read_lum(r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
                    return to_luminance(src.read(window=Window(0, r0, src.width, r1 - r0)), nodata)

                def read_rows(r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
                    lum, valid = read_lum(r0, r1)
                    return unit_to_model(to_unit(lum, p_lo, p_hi, valid)), valid

                def write_rows(r0: int, m: np.ndarray, c: np.ndarray) -> None:
                    win = Window(0, r0, src.width, m.shape[0])
                    dst_m.write(m, 1, window=win)
                    dst_c.write(np.round(c * 255).astype(np.uint8), 1, window=win)
                    class_pixels[:] += np.bincount(m.ravel(), minlength=256)

                crater = crater_class_index(model) if view_path is not None else None
                passes = 1 if crater is None else 2
                with deterministic_torch():
                    run_tiled(read_rows, write_rows, src.height, src.width, model, n_cls, tile=tile,
                              overlap=overlap, batch_size=batch_size, progress=pass_progress(progress, 0, passes),
                              cancel=cancel)
                    if view_path is not None and crater is not None:
                        _crater_view(src, read_lum, view_path, profile, model, n_cls, crater, tile=tile,
                                     overlap=overlap, batch_size=batch_size,
                                     progress=pass_progress(progress, 1, passes), cancel=cancel)
        except (SegmentationCancelled, Exception):
            for p in (mask_path, conf_path, view_path):
                if p is not None:
                    p.unlink(missing_ok=True)
            raise
        crs_wkt = src.crs.to_wkt() if georef else None
        transform = tuple(src.transform)[:6] if georef else None
        width, height = src.width, src.height
    return RasterSegmentation(
        mask_path=mask_path, conf_path=conf_path, width=width, height=height, crs_wkt=crs_wkt,
        transform=transform, model_version=getattr(model, "version", "unknown"),
        class_pixels={i: int(v) for i, v in enumerate(class_pixels[:n_cls])},
        elapsed_s=time.perf_counter() - t0, crater_view_path=view_path if crater is not None else None,
    )


def _crater_view(
    src: Any, read_lum: Any, view_path: Path, profile: dict[str, Any], model: Predictor, n_cls: int, crater: int,
    *, tile: int, overlap: int, batch_size: int, progress: ProgressFn | None, cancel: CancelFn | None,
) -> None:
    """Second pass over the high-passed image, band by band (each band read with a halo), crater class only."""
    import rasterio
    from rasterio.windows import Window

    from .contrast_view import high_pass_rows, view_percentiles

    height, width = src.height, src.width
    windows = len(window_starts(height, tile, tile - overlap)) * len(window_starts(width, tile, tile - overlap))

    def tick() -> None:  # the percentile read takes a while on big rasters: keep the heartbeat, honour cancel
        if cancel is not None and cancel():
            raise SegmentationCancelled("cancelled by caller")
        if progress is not None:
            progress(0, windows)

    v_lo, v_hi = view_percentiles(read_lum, height, width, band_rows=tile, tick=tick)

    def read_rows(r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
        hp, valid = high_pass_rows(read_lum, height, r0, r1)
        return unit_to_model(to_unit(hp, v_lo, v_hi, valid)), valid

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dst = rasterio.open(view_path, "w", nodata=0, **profile)
    with dst:

        def write_rows(r0: int, m: np.ndarray, c: np.ndarray) -> None:
            out = np.where(m == crater, np.round(c * 255), 0).astype(np.uint8)
            dst.write(out, 1, window=Window(0, r0, width, m.shape[0]))

        run_tiled(read_rows, write_rows, height, width, model, n_cls, tile=tile, overlap=overlap,
                  batch_size=batch_size, progress=progress, cancel=cancel)
