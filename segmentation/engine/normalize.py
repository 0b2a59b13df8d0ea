"""Robust intensity normalisation for 8-bit, 16-bit and float inputs (numpy only).

See ``classes.NORMALIZATION_DOC`` for the contract recorded in the model card.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import AllNodataError, EmptyInputError, UnsupportedBandLayoutError

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
MAX_SAMPLES = 1_000_000


def to_luminance(bands: np.ndarray, nodata: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Collapse (bands, H, W) or (H, W) to one float32 band plus a validity mask.

    1 band: grey; 2: grey + alpha; 3: RGB; 4: RGBA. Invalid = declared nodata (in any colour band),
    non-finite values, or alpha == 0.
    """
    arr = np.asarray(bands)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3:
        raise UnsupportedBandLayoutError(f"expected (bands, H, W), got shape {arr.shape}")
    n = arr.shape[0]
    if n == 0 or n > 4:
        raise UnsupportedBandLayoutError(f"{n} bands: only 1 (grey), 2 (grey+alpha), 3 (RGB), 4 (RGBA) are supported")
    if arr.shape[1] == 0 or arr.shape[2] == 0:
        raise EmptyInputError("image has no pixels")
    colour = arr[:1] if n <= 2 else arr[:3]
    valid = np.ones(arr.shape[1:], dtype=bool)
    if np.issubdtype(colour.dtype, np.floating):
        valid &= np.isfinite(colour).all(axis=0)
    if nodata is not None and not (isinstance(nodata, float) and np.isnan(nodata)):
        valid &= ~(colour == nodata).any(axis=0)
    if n in (2, 4):
        valid &= arr[-1] != 0
    if colour.shape[0] == 1:
        lum = colour[0].astype(np.float32, copy=True)
    else:
        lum = np.tensordot(LUMA, colour.astype(np.float32), axes=1)
    lum[~valid] = 0.0
    return lum, valid


def robust_percentiles(
    image: np.ndarray, valid: np.ndarray | None = None, lo: float = 2.0, hi: float = 98.0,
    max_samples: int = MAX_SAMPLES,
) -> tuple[float, float]:
    """Percentiles of valid pixels from a regular decimation (keeps cost flat for huge images)."""
    p_lo, p_hi = robust_percentile_points(image, valid, (lo, hi), max_samples=max_samples)
    return p_lo, p_hi


def robust_percentile_points(
    image: np.ndarray, valid: np.ndarray | None, points: Sequence[float], *, max_samples: int = MAX_SAMPLES,
) -> tuple[float, ...]:
    """Any percentiles of the valid pixels, in the order asked, from one decimated sample."""
    step = max(1, int(np.ceil(np.sqrt(image.size / max_samples))))
    sub = image[::step, ::step]
    vals = sub[valid[::step, ::step]] if valid is not None else sub.ravel()
    vals = vals[np.isfinite(vals)]
    if vals.size == 0 and valid is not None:
        vals = image[valid]  # decimation can miss a small valid island
    if vals.size == 0:
        raise AllNodataError("no valid pixels to normalise")
    return tuple(float(p) for p in np.percentile(vals.astype(np.float64), list(points)))


def to_unit(image: np.ndarray, p_lo: float, p_hi: float, valid: np.ndarray | None = None) -> np.ndarray:
    """Stretch to [0, 1] with clipping; a flat image maps to 0.5 (no contrast to stretch)."""
    span = p_hi - p_lo
    if span <= 0 or not np.isfinite(span):
        out = np.full(image.shape, 0.5, dtype=np.float32)
    else:
        out = np.clip((image.astype(np.float32) - np.float32(p_lo)) / np.float32(span), 0.0, 1.0)
    if valid is not None:
        out[~valid] = 0.5
    return out


def unit_to_model(unit: np.ndarray) -> np.ndarray:
    """Map [0, 1] to the network's input range, centred on 0 (nodata at 0.5 -> 0)."""
    return ((unit - np.float32(0.5)) / np.float32(0.25)).astype(np.float32)


def normalize_image(bands: np.ndarray, nodata: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Full in-memory pipeline: luminance, global 2/98 percentiles, model input. Returns (x, valid)."""
    lum, valid = to_luminance(bands, nodata)
    if not valid.any():
        raise AllNodataError("every pixel is nodata")
    p_lo, p_hi = robust_percentiles(lum, valid)
    return unit_to_model(to_unit(lum, p_lo, p_hi, valid)), valid
