"""Crater instances from a class mask: distance transform + peaks + watershed, then a circle fit (no torch/shapely)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

# ground width / ground height of a pixel at continuous pixel coords (cols, rows), vectorised
AspectFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
ASPECT_TOLERANCE = 0.02  # pixels closer than this to square on the ground are split as they are
# smaller components are too small to hold two craters: their area, hence their diameter on the ground, is right
# without resampling, which costs a watershed per component
MIN_RESAMPLED_PX = 64


@dataclass(frozen=True)
class CraterDetection:
    """One crater instance in pixel coords (pixel centres at i + 0.5).

    ``diameter`` is in row pixels; where pixels are not square on the ground (``aspect`` = a pixel's ground
    width over its height, e.g. cos(latitude) on a lon/lat grid) the crater spans ``diameter / aspect`` columns.
    """

    cx: float
    cy: float
    diameter: float
    confidence: float
    area_px: int
    label: int
    aspect: float = 1.0


def fit_circle(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float, float] | None:
    """Algebraic (Kasa) least-squares circle through points; None when degenerate."""
    if xs.size < 6:
        return None
    a = np.column_stack([xs, ys, np.ones_like(xs)])
    b = xs * xs + ys * ys
    try:
        sol, *_ = np.linalg.lstsq(a, b, rcond=None)
    except np.linalg.LinAlgError:
        return None
    cx, cy = sol[0] / 2, sol[1] / 2
    r2 = sol[2] + cx * cx + cy * cy
    if r2 <= 0:
        return None
    return float(cx), float(cy), float(np.sqrt(r2))


def _peaks(dist: np.ndarray, comp: np.ndarray, n_comp: int) -> np.ndarray:
    """Marker image: local maxima of the distance map, suppressing maxima closer than the larger radius.

    Two touching disks of radius r have peaks 2r apart (kept); one elongated blob has a single ridge maximum.
    Peaks are visited from the largest radius down, so a candidate is dropped when it lies within the radius
    of a peak already kept; a k-d tree finds those neighbours, so the cost grows with the number of peaks,
    not with its square (noisy masks of big images have hundreds of thousands).
    """
    from scipy.spatial import cKDTree
    from skimage.feature import peak_local_max

    coords = peak_local_max(dist, min_distance=2, threshold_abs=1.0, labels=comp, exclude_border=False)
    markers = np.zeros(dist.shape, dtype=np.int32)
    radius = dist[coords[:, 0], coords[:, 1]].astype(np.float64)
    order = np.argsort(-radius, kind="stable")
    coords, radius = coords[order], radius[order]
    dropped = np.zeros(len(coords), dtype=bool)
    if len(coords):
        # neighbours strictly closer than each peak's own radius (the ball query is inclusive, so shrink it)
        near = cKDTree(coords).query_ball_point(coords, np.nextafter(radius, 0))
        for i in range(len(coords)):
            if not dropped[i]:
                later = [j for j in near[i] if j > i]
                dropped[later] = True
    kept = coords[~dropped]
    markers[kept[:, 0], kept[:, 1]] = np.arange(1, len(kept) + 1, dtype=np.int32)
    # every component gets at least one marker, even a thin one with no peak above threshold
    missing = np.setdiff1d(np.arange(1, n_comp + 1), comp[markers > 0])
    if missing.size:
        # each one's deepest pixel, the first in reading order on ties
        flat = np.flatnonzero(np.isin(comp, missing))
        lab, depth = comp.ravel()[flat], dist.ravel()[flat]
        order = np.lexsort((flat, -depth, lab))
        first = order[np.r_[True, lab[order][1:] != lab[order][:-1]]]
        markers.ravel()[flat[first]] = np.arange(len(kept) + 1, len(kept) + 1 + missing.size, dtype=np.int32)
    return markers


def crater_instances(
    mask: np.ndarray, conf: np.ndarray | None = None, crater_index: int = 1, min_area_px: int = 9,
) -> tuple[list[CraterDetection], np.ndarray]:
    """Split the crater class into instances (touching/overlapping too) and fit a circle to each.

    Confidence sharpens the split: the distance map is weighted by it, so low-confidence necks between
    two craters become valleys for the watershed. Returns detections and the instance label image.
    """
    from skimage.segmentation import watershed

    binary = mask == crater_index
    labels_out = np.zeros(mask.shape, dtype=np.int32)
    if not binary.any():
        return [], labels_out
    comp, n_comp = ndimage.label(binary)
    dist = ndimage.distance_transform_edt(binary).astype(np.float32)
    surface = dist * (0.5 + 0.5 * conf.astype(np.float32)) if conf is not None else dist
    markers = _peaks(dist, comp, n_comp)
    labels = watershed(-surface, markers, mask=binary)
    # boundary pixels that face background (not a neighbour instance, not the image edge) carry the rim shape
    outside = ~binary
    pad = np.pad(outside, 1, constant_values=False)
    faces_bg = pad[:-2, 1:-1] | pad[2:, 1:-1] | pad[1:-1, :-2] | pad[1:-1, 2:]
    dets: list[CraterDetection] = []
    objects = ndimage.find_objects(labels)
    for lab, sl in enumerate(objects, start=1):
        if sl is None:
            continue
        region = labels[sl] == lab
        area = int(region.sum())
        if area < min_area_px:
            continue
        ys, xs = np.nonzero(region)
        ys = ys + sl[0].start
        xs = xs + sl[1].start
        eq_d = 2.0 * np.sqrt(area / np.pi)
        edge = faces_bg[ys, xs]
        cx, cy, d = xs.mean() + 0.5, ys.mean() + 0.5, eq_d
        fit = fit_circle(xs[edge] + 0.5, ys[edge] + 0.5) if edge.sum() >= max(8, 0.3 * np.pi * eq_d) else None
        if fit is not None:
            fcx, fcy, fr = fit
            # boundary pixel centres sit half a pixel inside the true rim
            fd = 2 * (fr + 0.5)
            if 0.6 * eq_d <= fd <= 2.0 * eq_d:
                cx, cy, d = fcx, fcy, fd
        c = float(conf[ys, xs].mean()) if conf is not None else 1.0
        labels_out[ys, xs] = len(dets) + 1
        dets.append(CraterDetection(float(cx), float(cy), float(d), c, area, len(dets) + 1))
    return dets, labels_out


def ground_crater_instances(
    mask: np.ndarray, conf: np.ndarray | None, crater_index: int, min_area_px: int, aspect_at: AspectFn,
) -> list[CraterDetection]:
    """:func:`crater_instances` on a grid whose pixels need not be square on the ground.

    A round crater at 70 degrees latitude on a lon/lat grid spans three times as many columns as rows, and
    the watershed would cut it into several. Each connected component whose pixels are within
    ASPECT_TOLERANCE of square at its centre is split as it is; every other one is resampled across to
    square ground pixels, split and fitted there, and its detections are mapped back.
    """
    binary = mask == crater_index
    comp, n_comp = ndimage.label(binary)
    if not n_comp:
        return []
    objects = ndimage.find_objects(comp)
    rows = np.array([(sl[0].start + sl[0].stop) / 2 for sl in objects])
    cols = np.array([(sl[1].start + sl[1].stop) / 2 for sl in objects])
    aspect = np.asarray(aspect_at(cols, rows), dtype=np.float64)
    sizes = np.bincount(comp.ravel(), minlength=n_comp + 1)[1:]
    square = (np.abs(aspect - 1.0) < ASPECT_TOLERANCE) | (sizes < MIN_RESAMPLED_PX)
    keep = np.zeros(n_comp + 1, dtype=bool)
    keep[1:] = square
    iso_mask = np.where(keep[comp], crater_index, 0).astype(mask.dtype)
    dets, _ = crater_instances(iso_mask, conf, crater_index, min_area_px)
    for lab in np.flatnonzero(~square) + 1:
        dets += _resampled_instances(comp, lab, objects[lab - 1], conf, float(aspect[lab - 1]), min_area_px)
    return [replace(d, label=i + 1) for i, d in enumerate(dets)]


def _resampled_instances(
    comp: np.ndarray, lab: int, sl: tuple[slice, slice], conf: np.ndarray | None, aspect: float, min_area_px: int,
) -> list[CraterDetection]:
    region = np.pad(comp[sl] == lab, 1)  # a background margin, so every rim pixel faces background
    width = max(1, round(region.shape[1] * aspect))
    zoom = (1.0, width / region.shape[1])
    square = ndimage.zoom(region.astype(np.uint8), zoom, order=0, grid_mode=True, mode="grid-constant")
    sq_conf = None
    if conf is not None:
        local = np.pad(np.where(comp[sl] == lab, conf[sl], 0.0), 1).astype(np.float32)
        sq_conf = ndimage.zoom(local, zoom, order=1, grid_mode=True, mode="grid-constant")
    scale = zoom[1]
    found, _ = crater_instances(square, sq_conf, 1, max(1, int(np.ceil(min_area_px * scale))))
    r0, c0 = sl[0].start - 1, sl[1].start - 1
    back = [replace(d, cx=c0 + d.cx / scale, cy=r0 + d.cy, area_px=round(d.area_px / scale), aspect=scale)
            for d in found]
    return [d for d in back if d.area_px >= min_area_px]  # specks are judged by their pixels in the image
