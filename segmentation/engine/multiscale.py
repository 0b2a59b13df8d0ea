"""Multi-scale crater detection: the image segmented again at other pyramid levels, craters merged across them.

The network was trained on craters about 10-100 px across. A global mosaic at 20 km/px shows 150 km craters as
7 px disks and a 16k-pixel strip shows 3 km craters as 300 px ones; neither is in that range at the image's own
scale. :func:`level_scales` picks the levels from the image's size: upsampled copies (2x, 4x) while the copy
stays within ``MAX_LEVEL_PX`` pixels, and decimated ones (1/2, 1/4, ...) while the level keeps at least
``MIN_LEVEL_SIDE`` pixels a side and fits in memory. Each level is read whole (it is small by construction),
segmented with the same tiling, and its crater instances mapped back to the image's pixels. :func:`merge_levels`
keeps one detection per crater: the one seen at the level where its size is nearest the trained range, the
most confident on ties. Valleys and ridges of the decimated levels are fused into the image's own class mask
(:func:`fuse_level_classes`): a canyon ten times wider than a training tile's valleys is a few tiles' worth of
flat floor at the image's scale but an ordinary valley at 1/8, so where the image's level sees background and a
coarser level sees valley or ridge with confidence, the coarser level's class is kept. Below ``MIN_LEVEL_SIDE``
and down to ``MIN_CLASS_LEVEL_SIDE`` pixels a side, levels are segmented for that fusion only
(:func:`class_level_scales`): their craters are not used.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .instances import AspectFn, CraterDetection, crater_instances, ground_crater_instances
from .memory import release_freed_memory

TRAINED_D_PX: tuple[float, float] = (10.0, 100.0)
# the biggest level copy segmented in memory (float32 luminance plus masks: ~40 bytes a pixel at this size)
MAX_LEVEL_PX = 8_400_000
MIN_LEVEL_SIDE = 1024
UPSAMPLE_FACTORS = (2, 4)
DOWNSAMPLE_FACTORS = (2, 4, 8, 16)
# an enlarged level also finds specks of a few image pixels: too small to measure or to check by their shading
MIN_UPSAMPLED_D_PX = 4.0
# Decimated levels under MIN_LEVEL_SIDE, down to this side, give valleys and ridges only. A canyon ten times the
# widest training valley (300 px) is an ordinary valley only at 1/8 of a 2048 px scene (a 256 px level), but the
# craters of such small levels were mostly false on the training-side sets: with them, NAC training images'
# 20-40 px precision fell from 0.83 to 0.77 and the MOLA east half's F1 from 0.568 to 0.538.
MIN_CLASS_LEVEL_SIDE = 256


@dataclass(frozen=True)
class LevelRun:
    scale: float
    detections: int
    seconds: float
    classes_only: bool = False  # segmented for its valleys and ridges only (:func:`class_level_scales`)


def level_scales(width: int, height: int) -> tuple[float, ...]:
    """The extra pyramid levels (scale factors against the image; 1 is the image and is not listed)."""
    px = width * height
    ups = [float(f) for f in UPSAMPLE_FACTORS if px * f * f <= MAX_LEVEL_PX]
    downs = [1.0 / f for f in DOWNSAMPLE_FACTORS
             if min(width, height) / f >= MIN_LEVEL_SIDE and px / (f * f) <= MAX_LEVEL_PX]
    return tuple(ups + downs)


def class_level_scales(width: int, height: int) -> tuple[float, ...]:
    """The decimated levels under :func:`level_scales`' smallest, segmented for valleys and ridges only."""
    px = width * height
    return tuple(1.0 / f for f in DOWNSAMPLE_FACTORS
                 if MIN_CLASS_LEVEL_SIDE <= min(width, height) / f < MIN_LEVEL_SIDE and px / (f * f) <= MAX_LEVEL_PX)


def read_level(src: Any, scale: float, nodata: float | None) -> tuple[np.ndarray, float | None]:
    """The image's luminance at ``scale`` (bilinear up, averaged down), nodata kept as nodata."""
    from rasterio.enums import Resampling
    from scipy import ndimage

    from .normalize import to_luminance

    if scale >= 1.0:
        lum, valid = to_luminance(src.read(), nodata)
        up = ndimage.zoom(np.where(valid, lum, 0).astype(np.float32), scale, order=1, grid_mode=True,
                          mode="nearest")
        ok = ndimage.zoom(valid.astype(np.uint8), scale, order=0, grid_mode=True, mode="nearest").astype(bool)
    else:
        shape = (src.count, max(1, round(src.height * scale)), max(1, round(src.width * scale)))
        lum, valid = to_luminance(src.read(out_shape=shape, resampling=Resampling.average), nodata)
        up, ok = lum.astype(np.float32), valid
    fill = np.float32(np.nan)
    return np.where(ok, up, fill), None


@dataclass(frozen=True)
class LevelClasses:
    """A decimated level's class mask and confidence (0-1), kept for :func:`fuse_level_classes`."""

    scale: float
    mask: np.ndarray
    conf: np.ndarray


# the classes a coarser level may add to the image's mask (craters have their own merge, by instance)
FUSED_CLASS_NAMES = ("valley", "ridge")
FUSE_MIN_CONF = 0.5


def level_detections(
    lum: np.ndarray, scale: float, model: Any, *, tile: int, overlap: int, batch_size: int, min_area_px: int,
    aspect_at: AspectFn | None, classes_out: list[LevelClasses] | None = None,
) -> list[CraterDetection]:
    """Crater instances of one level copy, in the image's pixel coordinates.

    A decimated level (scale < 1) also appends its class mask to ``classes_out`` when one is given.
    """
    from .tiling import crater_class_index, segment_array

    crater = crater_class_index(model)
    res = segment_array(lum, model, nodata=np.nan, tile=tile, overlap=overlap, batch_size=batch_size)
    if classes_out is not None and scale < 1.0:
        classes_out.append(LevelClasses(scale, res.mask, res.conf))
    if crater is None:
        return []
    if aspect_at is not None:
        def level_aspect(cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
            return aspect_at(cols / scale, rows / scale)

        dets = ground_crater_instances(res.mask, res.conf, crater, min_area_px, level_aspect)
    else:
        dets = crater_instances(res.mask, res.conf, crater, min_area_px=min_area_px)
    return [replace(d, cx=d.cx / scale, cy=d.cy / scale, diameter=d.diameter / scale,
                    area_px=max(1, round(d.area_px / (scale * scale)))) for d in dets
            if scale <= 1.0 or d.diameter / scale >= MIN_UPSAMPLED_D_PX]


def multiscale_craters(
    src_path: str | os.PathLike[str], model: Any, *, tile: int, overlap: int, batch_size: int,
    min_area_px: int = 16, aspect_at: AspectFn | None = None, scales: tuple[float, ...] | None = None,
    cancel: Callable[[], bool] | None = None, classes_out: list[LevelClasses] | None = None,
) -> tuple[dict[float, list[CraterDetection]], list[LevelRun]]:
    """Crater detections of every extra level of the image at ``src_path`` (see :func:`level_scales`);
    the decimated levels' class masks go to ``classes_out`` when it is given, and then (with the default
    ``scales``) the levels of :func:`class_level_scales` are segmented too, for their classes only."""
    import rasterio

    from .errors import SegmentationCancelled

    out: dict[float, list[CraterDetection]] = {}
    runs: list[LevelRun] = []
    with rasterio.open(Path(src_path)) as src:
        nodata = src.nodata
        crater_levels = scales if scales is not None else level_scales(src.width, src.height)
        class_levels = class_level_scales(src.width, src.height) if classes_out is not None and scales is None else ()
        coarse = classes_out if classes_out is not None else []  # class levels run only with a list for them
        for scale, classes_only in [(s, False) for s in crater_levels] + [(s, True) for s in class_levels]:
            if cancel is not None and cancel():
                raise SegmentationCancelled("cancelled by caller")
            t0 = time.perf_counter()
            lum, _ = read_level(src, scale, nodata)
            if classes_only:
                from .tiling import segment_array

                res = segment_array(lum, model, nodata=np.nan, tile=tile, overlap=overlap, batch_size=batch_size)
                coarse.append(LevelClasses(scale, res.mask, res.conf))
                del res
                runs.append(LevelRun(scale, 0, time.perf_counter() - t0, classes_only=True))
            else:
                # a level's speck limit is the image's, in the level's pixels
                level_min = max(4, round(min_area_px * min(1.0, scale * scale)))
                out[scale] = level_detections(lum, scale, model, tile=tile, overlap=overlap, batch_size=batch_size,
                                              min_area_px=level_min, aspect_at=aspect_at, classes_out=classes_out)
                runs.append(LevelRun(scale, len(out[scale]), time.perf_counter() - t0))
            del lum
            release_freed_memory()  # a level's image and probabilities, before the next level or the fusion
    return out, runs


def fuse_level_classes(mask: np.ndarray, conf: np.ndarray, levels: list[LevelClasses], class_index: dict[str, int],
                       *, band_rows: int = 256) -> int:
    """Add the coarser levels' valleys and ridges where the image's own mask is background; returns the pixels
    changed. ``conf`` is the image's confidence (uint8 0-255 or float 0-1) and is updated with the level's.

    Each image pixel takes the level pixel that holds its centre. Where several levels offer a valley or a ridge
    (confidence at least ``FUSE_MIN_CONF``), the most confident one wins, the finer on a tie. A wide feature is
    sure only at the level where it has a trained size: a canyon 300 px wide is valley at 1/8 (37 px), while at
    1/2 its walls alone are seen, and read as ridges. When the finer levels went first and the coarser only
    filled what they left, those ridges kept the canyon (a generated canyon scene, training side: 49% of it
    mapped valley against 65% this way, the plateau's false valley unchanged at 1.0-1.1%). The work goes in bands
    of ``band_rows`` rows, so no full-size temporary is made.
    """
    fused = [class_index[n] for n in FUSED_CLASS_NAMES if n in class_index]
    background = class_index.get("background", 0)
    if not fused or not levels:
        return 0
    h, w = mask.shape
    scale_conf = 255.0 if conf.dtype == np.uint8 else 1.0
    fusable = np.zeros(256, dtype=bool)  # class values are small; a lookup makes one boolean band, no list
    fusable[fused] = True
    fusable[background] = False  # background in best_class means "no level offered one"
    below_min = np.nextafter(np.float32(FUSE_MIN_CONF), np.float32(0.0))  # "> below_min" is ">= FUSE_MIN_CONF"
    # finer levels first, so a tie goes to the finer
    plans = [(level, np.minimum(((np.arange(w) + 0.5) * level.scale).astype(np.intp), level.mask.shape[1] - 1))
             for level in sorted(levels, key=lambda lv: -lv.scale)]
    changed = 0
    for r0 in range(0, h, band_rows):
        r1 = min(h, r0 + band_rows)
        # nodata pixels (confidence 0) stay nodata
        open_ = mask[r0:r1] == background
        open_ &= conf[r0:r1] > 0
        if not open_.any():
            continue
        best_conf = np.full((r1 - r0, w), below_min, np.float32)
        best_class = np.full((r1 - r0, w), background, mask.dtype)
        for level, cols in plans:
            rows = np.minimum(((np.arange(r0, r1) + 0.5) * level.scale).astype(np.intp), level.mask.shape[0] - 1)
            band = np.ix_(rows, cols)
            # band-sized copies of the level, written through boolean masks: no index arrays, which at
            # 8 bytes a coordinate took 16 times a band's pixels where a canyon filled it
            level_conf = level.conf[band]
            better = level_conf > best_conf  # best_conf starts just under FUSE_MIN_CONF
            level_class = level.mask[band]
            better &= fusable[level_class]  # np.isin copies to int64
            np.copyto(best_conf, level_conf, where=better)
            del level_conf
            np.copyto(best_class, level_class, where=better)
            del level_class, better
        take = open_
        take &= best_class != background
        taken = int(np.count_nonzero(take))
        if not taken:
            continue
        np.copyto(mask[r0:r1], best_class, where=take)
        best_conf *= scale_conf
        np.copyto(conf[r0:r1], best_conf.astype(conf.dtype), where=take)
        changed += taken
    return changed


def _range_penalty(d_level_px: np.ndarray) -> np.ndarray:
    """0 inside the trained diameter range, else how many octaves outside it."""
    lo, hi = TRAINED_D_PX
    return np.maximum(np.log2(lo / d_level_px), 0) + np.maximum(np.log2(d_level_px / hi), 0)


def merge_levels(levels: dict[float, list[CraterDetection]]) -> list[CraterDetection]:
    """One detection per crater across levels ({scale: detections in image pixels}; scale 1 is the image).

    Candidates are visited best first (nearest the trained size at their level, then most confident); one is
    dropped when an already kept one is the same crater by the match rule, taken both ways (centres closer
    than half the larger diameter and diameters within half of it).
    """
    from scipy.spatial import cKDTree

    flat = [(scale, d) for scale, dets in levels.items() for d in dets]
    if not flat:
        return []
    xy = np.array([(d.cx, d.cy) for _, d in flat])
    diam = np.array([d.diameter for _, d in flat])
    penalty = _range_penalty(np.array([d.diameter * s for s, d in flat]))
    conf = np.array([d.confidence for _, d in flat])
    order = np.lexsort((-conf, penalty))
    tree = cKDTree(xy)
    kept: list[int] = []
    taken = np.zeros(len(flat), dtype=bool)
    for i in order:
        if taken[i]:
            continue
        kept.append(int(i))
        near = np.asarray(tree.query_ball_point(xy[i], 0.5 * diam[i] * 2.0), dtype=int)
        if near.size:
            big = np.maximum(diam[near], diam[i])
            dist = np.hypot(*(xy[near] - xy[i]).T)
            same = (dist < 0.5 * big) & (np.abs(diam[near] - diam[i]) < 0.5 * big)
            taken[near[same]] = True
    return [replace(flat[i][1], label=k + 1) for k, i in enumerate(sorted(kept))]
