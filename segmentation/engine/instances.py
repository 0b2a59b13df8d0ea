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
# components are processed in groups by the cell of this many pixels their bounding box starts in (see
# :func:`crater_instances`)
GROUP_BLOCK = 512


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


def _peaks(dist: np.ndarray, comp: np.ndarray, n_comp: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Marker image: local maxima of the distance map, suppressing maxima closer than the larger radius.

    Two touching disks of radius r have peaks 2r apart (kept); one elongated blob has a single ridge maximum.
    Peaks are visited from the largest radius down, so a candidate is dropped when it lies within the radius
    of a peak already kept; a k-d tree finds those neighbours, so the cost grows with the number of peaks,
    not with its square (noisy masks of big images have hundreds of thousands).

    Also returns each marker's component (``comp`` label; marker ``i`` at index ``i - 1``) and how many markers
    are peaks. Markers are numbered from the largest radius down (ties in ``peak_local_max``'s order), then one
    for each component left without a peak, in label order.
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
    owner = np.concatenate([comp[kept[:, 0], kept[:, 1]], missing]).astype(np.int64)
    return markers, owner, len(kept)


def unit_confidence(conf: np.ndarray) -> np.ndarray:
    """Confidence as float32 in [0, 1] from a float array or a uint8 raster scaled to 255 (pass crops: a whole
    16k x 16k image would take 1 GB as float32)."""
    return conf.astype(np.float32) / 255.0 if conf.dtype == np.uint8 else conf.astype(np.float32)


def _groups(objects: list[tuple[slice, slice] | None], labels: np.ndarray, block: int,
            ) -> dict[tuple[int, int], list[int]]:
    """``labels`` (ascending component labels) grouped by the ``block`` x ``block`` cell their box starts in."""
    groups: dict[tuple[int, int], list[int]] = {}
    for lab in labels.tolist():
        sl = objects[lab - 1]
        if sl is not None:
            groups.setdefault((sl[0].start // block, sl[1].start // block), []).append(lab)
    return groups


def crater_instances(
    mask: np.ndarray, conf: np.ndarray | None = None, crater_index: int = 1, min_area_px: int = 9,
) -> list[CraterDetection]:
    """Split the crater class into instances (touching/overlapping too) and fit a circle to each.

    Confidence (float in [0, 1] or uint8 in [0, 255]) sharpens the split: the distance map is weighted by it, so
    low-confidence necks between two craters become valleys for the watershed.

    The work runs on crops, never on whole-image float arrays: connected components are taken in groups (those
    whose bounding box starts in the same ``GROUP_BLOCK``-pixel cell), each group on the union of its boxes plus
    a one-pixel margin. Within that crop the distance map of the group's pixels is exact: going straight up,
    down, left or right from a component's pixel, the first pixel outside the component is background (a
    crater pixel there would join the component) and lies inside the box's margin, so every pixel beyond the
    crop is farther than that one. Peaks never interact across components (a peak's radius holds only its own
    component's pixels), and the watershed floods each component alone, so the split is the whole image's.
    Memory: the mask, its component labels (4 bytes a pixel) and one group's crop at a time.
    """
    binary = mask == crater_index
    if not binary.any():
        return []
    comp, n_comp = ndimage.label(binary)
    return _split(binary, comp, ndimage.find_objects(comp), np.arange(1, n_comp + 1), conf, min_area_px)


def _split(binary: np.ndarray, comp: np.ndarray, objects: list[tuple[slice, slice] | None], labels: np.ndarray,
           conf: np.ndarray | None, min_area_px: int) -> list[CraterDetection]:
    """:func:`crater_instances` of the components ``labels`` (ascending) of ``comp``, the labelling of
    ``binary`` (``binary`` may leave out other components: they count as background)."""
    lut = np.zeros(len(objects) + 1, dtype=np.int32)  # global component label -> the group's own label
    found: list[tuple[tuple[float, ...], CraterDetection]] = []
    for labs in _groups(objects, labels, GROUP_BLOCK).values():
        boxes = [box for box in (objects[lab - 1] for lab in labs) if box is not None]  # every one has a box
        r0 = max(0, min(b[0].start for b in boxes) - 1)
        r1 = min(binary.shape[0], max(b[0].stop for b in boxes) + 1)
        c0 = max(0, min(b[1].start for b in boxes) - 1)
        c1 = min(binary.shape[1], max(b[1].stop for b in boxes) + 1)
        lut[labs] = np.arange(1, len(labs) + 1, dtype=np.int32)
        local = lut[comp[r0:r1, c0:c1]]
        lut[labs] = 0
        found += _group_instances(binary[r0:r1, c0:c1], local, np.asarray(labs), r0, c0,
                                  None if conf is None else unit_confidence(conf[r0:r1, c0:c1]), min_area_px)
    found.sort(key=lambda item: item[0])
    return [replace(d, label=i) for i, (_, d) in enumerate(found, start=1)]


def _group_instances(
    crop: np.ndarray, local: np.ndarray, labs: np.ndarray, r0: int, c0: int, conf: np.ndarray | None,
    min_area_px: int,
) -> list[tuple[tuple[float, ...], CraterDetection]]:
    """One group's craters, each with the key that orders all detections as a whole-image pass numbers them:
    markers with a peak from the largest radius down (ties by component, then peak order), then the rest."""
    from skimage.segmentation import watershed

    own = local > 0
    dist = ndimage.distance_transform_edt(crop).astype(np.float32)
    dist[~own] = 0.0
    surface = dist * (0.5 + 0.5 * conf) if conf is not None else dist
    markers, owner, n_peaks = _peaks(dist, local, len(labs))
    radius = np.zeros(len(owner))
    ys, xs = np.nonzero(markers)
    radius[markers[ys, xs] - 1] = dist[ys, xs]
    labels = watershed(-surface, markers, mask=own)
    # boundary pixels that face background (not a neighbour instance, not the image edge) carry the rim shape
    pad = np.pad(~crop, 1, constant_values=False)
    faces_bg = pad[:-2, 1:-1] | pad[2:, 1:-1] | pad[1:-1, :-2] | pad[1:-1, 2:]
    out: list[tuple[tuple[float, ...], CraterDetection]] = []
    for lab, sl in enumerate(ndimage.find_objects(labels), start=1):
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
        component = int(labs[owner[lab - 1] - 1])
        key = (0.0, -radius[lab - 1], component, lab) if lab <= n_peaks else (1.0, 0.0, component, 0)
        out.append((key, CraterDetection(float(cx + c0), float(cy + r0), float(d), c, area, 0)))
    return out


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
    # pixels per component, counted in bands of rows (bincount copies its input to int64: 8 bytes a pixel)
    sizes = np.zeros(n_comp + 1, dtype=np.int64)
    for r0 in range(0, comp.shape[0], 256):
        sizes += np.bincount(comp[r0:r0 + 256].ravel(), minlength=n_comp + 1)
    sizes = sizes[1:]
    square = (np.abs(aspect - 1.0) < ASPECT_TOLERANCE) | (sizes < MIN_RESAMPLED_PX)
    keep = np.zeros(n_comp + 1, dtype=bool)
    keep[1:] = square
    # the square components, split in place with this labelling (no second one); the others count as background
    dets = _split(keep[comp], comp, objects, np.flatnonzero(square) + 1, conf, min_area_px)
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
        local = np.pad(np.where(comp[sl] == lab, unit_confidence(conf[sl]), 0.0), 1).astype(np.float32)
        sq_conf = ndimage.zoom(local, zoom, order=1, grid_mode=True, mode="grid-constant")
    scale = zoom[1]
    found = crater_instances(square, sq_conf, 1, max(1, int(np.ceil(min_area_px * scale))))
    r0, c0 = sl[0].start - 1, sl[1].start - 1
    back = [replace(d, cx=c0 + d.cx / scale, cy=r0 + d.cy, area_px=round(d.area_px / scale), aspect=scale)
            for d in found]
    return [d for d in back if d.area_px >= min_area_px]  # specks are judged by their pixels in the image
