"""A second look for craters: the model run again on a local-contrast (high-pass) copy of the image (numpy+scipy).

A one-class-per-pixel mask cannot show a small crater inside a bigger one: every pixel of the big crater is
already "crater", so instances cut from the mask lose the nested craters (on the nine training NAC images, of
the 919 missed 10-100 px craters with at least 20% of their disk predicted crater, 874 had their centre inside
a detected crater 1.5x or more their size). Subtracting a Gaussian blur of ``CONTRAST_SIGMA_PX`` removes the
bowl's large-scale shading, so the network sees the small craters on the floor, walls and rim on their own.
Crater instances from this view are added to the first view's when their mean confidence reaches
``MIN_VIEW_CONFIDENCE`` and no detection of similar size already sits at the same place (:func:`merge_craters`).

Both constants were chosen on the nine training NAC images only (model card: "Second view"); the held-out
figures were measured once, afterwards.

The filter is exact band by band: a band read with ``HALO_ROWS`` extra rows on each side gives the same rows as
the whole image, so rasters of any size are filtered with flat memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import numpy as np
from scipy import ndimage

from .instances import AspectFn, CraterDetection, crater_instances, ground_crater_instances
from .normalize import MAX_SAMPLES

CONTRAST_SIGMA_PX = 5.0
MIN_VIEW_CONFIDENCE = 0.8
_TRUNCATE = 4.0  # scipy's default: the kernel reaches int(4 sigma + 0.5) pixels
HALO_ROWS = int(_TRUNCATE * CONTRAST_SIGMA_PX + 0.5)

# read_lum(r0, r1) -> (luminance (r1 - r0, W) float32, valid (r1 - r0, W) bool)
ReadLum = Callable[[int, int], tuple[np.ndarray, np.ndarray]]


def high_pass(lum: np.ndarray, valid: np.ndarray, sigma: float = CONTRAST_SIGMA_PX) -> np.ndarray:
    """``lum`` minus its Gaussian blur, normalised by the blurred validity so nodata never bleeds in.

    Invalid pixels come back as 0.
    """
    # in place where possible: on a 16k-wide band every temporary is ~36 MB
    den = ndimage.gaussian_filter(valid.astype(np.float32), sigma, mode="reflect", truncate=_TRUNCATE)
    np.maximum(den, 1e-6, out=den)
    x = np.where(valid, lum, 0).astype(np.float32)
    blur = ndimage.gaussian_filter(x, sigma, mode="reflect", truncate=_TRUNCATE)
    blur /= den
    del den
    x -= blur
    x[~valid] = 0
    return x


def high_pass_rows(read_lum: ReadLum, height: int, r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows [r0, r1) of the filtered image, read with a halo so they equal the whole-image filter.

    The filter mirrors at a band's first and last rows; that is right where they are the image's edges and
    wrong only within ``HALO_ROWS`` of a cut, and those rows are the halo, dropped here.
    """
    h0, h1 = max(0, r0 - HALO_ROWS), min(height, r1 + HALO_ROWS)
    lum, valid = read_lum(h0, h1)
    hp = high_pass(lum, valid)
    return hp[r0 - h0:r1 - h0], valid[r0 - h0:r1 - h0]


def view_percentiles(read_lum: ReadLum, height: int, width: int, band_rows: int = 512,
                     lo: float = 2.0, hi: float = 98.0, tick: Callable[[], None] | None = None) -> tuple[float, float]:
    """2/98 percentiles of the filtered image's valid pixels on the same regular decimation as
    :func:`normalize.robust_percentiles` (every ``step``-th row and column), read band by band.

    ``tick()`` runs before each band (a caller's heartbeat and cancellation check on big rasters).
    """
    def collect(step: int) -> np.ndarray:
        out = []
        for r0 in range(0, height, band_rows):
            if tick is not None:
                tick()
            hp, valid = high_pass_rows(read_lum, height, r0, min(height, r0 + band_rows))
            first = (-r0) % step  # this band's first row on the global decimation grid
            out.append(hp[first::step, ::step][valid[first::step, ::step]])
        return np.concatenate(out)

    step = max(1, int(np.ceil(np.sqrt(height * width / MAX_SAMPLES))))
    vals = collect(step)
    if vals.size == 0 and step > 1:  # a small valid island between decimation rows: read every pixel once more
        vals = collect(1)
    if vals.size == 0:
        return 0.0, 0.0
    p_lo, p_hi = np.percentile(vals.astype(np.float64), [lo, hi])
    return float(p_lo), float(p_hi)


def merge_craters(
    first: Iterable[CraterDetection], second: Iterable[CraterDetection], min_confidence: float = MIN_VIEW_CONFIDENCE,
) -> list[CraterDetection]:
    """First-view craters, plus second-view craters of mean confidence >= ``min_confidence`` that duplicate none.

    A second-view crater duplicates one already kept when their centres are closer than half the smaller
    diameter and their diameters differ by less than half the smaller one (the evaluation's match rule, made
    symmetric). Candidates are taken most confident first; labels are renumbered 1..n. k-d trees find the
    neighbours (any duplicate lies within half the candidate's diameter), so big catalogues merge in n log n.
    """
    from scipy.spatial import cKDTree

    kept = list(first)
    cands = sorted((d for d in second if d.confidence >= min_confidence), key=lambda d: -d.confidence)
    if cands:
        c_xy = np.array([(d.cx, d.cy) for d in cands], dtype=np.float64)
        c_d = np.array([d.diameter for d in cands], dtype=np.float64)
        radius = np.nextafter(0.5 * c_d, np.inf)
        f_xy = np.array([(d.cx, d.cy) for d in kept], dtype=np.float64).reshape(-1, 2)
        f_d = np.array([d.diameter for d in kept], dtype=np.float64)
        near_first = cKDTree(f_xy).query_ball_point(c_xy, radius) if kept else [[] for _ in cands]
        near_cand = cKDTree(c_xy).query_ball_point(c_xy, radius)
        taken = np.zeros(len(cands), dtype=bool)

        def dup(xy: np.ndarray, d: np.ndarray, i: int) -> bool:
            small = np.minimum(d, c_d[i])
            dist = np.hypot(xy[:, 0] - c_xy[i, 0], xy[:, 1] - c_xy[i, 1])
            return bool(((dist < 0.5 * small) & (np.abs(d - c_d[i]) < 0.5 * small)).any())

        for i in range(len(cands)):
            nf = np.asarray(near_first[i], dtype=np.int64)
            if nf.size and dup(f_xy[nf], f_d[nf], i):
                continue
            nc = np.asarray([j for j in near_cand[i] if taken[j]], dtype=np.int64)
            if nc.size and dup(c_xy[nc], c_d[nc], i):
                continue
            taken[i] = True
        kept += [d for d, t in zip(cands, taken, strict=True) if t]
    return [replace(d, label=k) for k, d in enumerate(kept, start=1)]


def with_view_craters(
    first: list[CraterDetection], view: np.ndarray, min_area_px: int = 9, aspect_at: AspectFn | None = None,
) -> list[CraterDetection]:
    """``first`` plus the craters of a second-view confidence image (0 = not crater), merged.

    ``aspect_at`` (see :func:`.instances.ground_crater_instances`) splits craters in square ground pixels.
    """
    binary = (view > 0).astype(np.uint8)
    if aspect_at is not None:
        second = ground_crater_instances(binary, view, 1, min_area_px, aspect_at)
    else:
        second = crater_instances(binary, view, 1, min_area_px=min_area_px)
    return merge_craters(first, second)
