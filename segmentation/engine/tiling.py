"""Sliding-window inference over row bands with Hann-weighted blending (numpy; the model is any callable).

Only one band of ``tile`` rows (times the image width) is ever held: memory is flat in the image height.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .errors import AllNodataError, EmptyInputError, SegmentationCancelled
from .normalize import robust_percentiles, to_luminance, to_unit, unit_to_model

ProgressFn = Callable[[int, int], None]
CancelFn = Callable[[], bool]
# read_rows(r0, r1) -> (normalised model input (h, W) float32, valid (h, W) bool)
ReadRows = Callable[[int, int], tuple[np.ndarray, np.ndarray]]
# write_rows(r0, mask (h, W) uint8, conf (h, W) float32)
WriteRows = Callable[[int, np.ndarray, np.ndarray], None]


class Predictor(Protocol):
    """Anything with ``predict_proba(batch (N,1,T,T)) -> (N,C,T,T)``, e.g. :class:`weights.LoadedModel`."""

    def predict_proba(self, batch: np.ndarray) -> np.ndarray: ...  # noqa: D102


@dataclass
class SegmentationResult:
    """In-memory result: class mask (uint8, nodata -> 0) and confidence = max softmax prob (0 at nodata).

    ``crater_view`` (with ``crater_view=True``): the second view's crater confidence, the max softmax
    probability where that view's class is crater and 0 elsewhere (see :mod:`.contrast_view`).
    """

    mask: np.ndarray
    conf: np.ndarray
    crater_view: np.ndarray | None = None


def window_starts(length: int, tile: int, stride: int) -> list[int]:
    """Start offsets covering ``length`` with windows of ``tile`` at ``stride``; the last is flush with the end."""
    if length <= tile:
        return [0]
    starts = list(range(0, length - tile, stride))
    starts.append(length - tile)
    return starts


def blend_window(tile: int) -> np.ndarray:
    """2-D Hann weights with a small floor, so image-edge pixels seen by one window still get weight."""
    w1 = 0.01 + 0.99 * np.sin(np.pi * (np.arange(tile) + 0.5) / tile) ** 2
    return np.outer(w1, w1).astype(np.float32)


def _pad_to(a: np.ndarray, rows: int, cols: int) -> np.ndarray:
    pr, pc = rows - a.shape[0], cols - a.shape[1]
    if pr <= 0 and pc <= 0:
        return a
    return np.pad(a, ((0, max(pr, 0)), (0, max(pc, 0))), mode="symmetric")


def run_tiled(
    read_rows: ReadRows, write_rows: WriteRows, height: int, width: int, model: Predictor, num_classes: int, *,
    tile: int = 512, overlap: int = 64, batch_size: int = 4,
    progress: ProgressFn | None = None, cancel: CancelFn | None = None,
) -> None:
    """Predict every pixel once, band by band; finalised rows are handed to ``write_rows`` in order."""
    if tile % 32 or not 0 <= overlap < tile:
        raise ValueError("tile must be a multiple of 32 and 0 <= overlap < tile")
    stride = tile - overlap
    rows, cols = window_starts(height, tile, stride), window_starts(width, tile, stride)
    total, done = len(rows) * len(cols), 0
    weight = blend_window(tile)
    band_w = max(width, tile)
    acc = np.zeros((num_classes, tile, band_w), dtype=np.float32)
    wsum = np.zeros((tile, band_w), dtype=np.float32)
    for k, r0 in enumerate(rows):
        r1 = min(height, r0 + tile)
        x, valid = read_rows(r0, r1)
        x, valid = _pad_to(x, tile, band_w), _pad_to(valid, tile, band_w)
        todo = [c0 for c0 in cols if valid[:, c0:c0 + tile].any()]  # skip all-nodata windows
        done += len(cols) - len(todo)
        for b in range(0, len(todo), batch_size):
            if cancel is not None and cancel():
                raise SegmentationCancelled("cancelled by caller")
            chunk = todo[b:b + batch_size]
            batch = np.stack([x[:, c0:c0 + tile] for c0 in chunk])[:, None]
            probs = model.predict_proba(batch)
            for c0, p in zip(chunk, probs, strict=True):
                acc[:, :, c0:c0 + tile] += p * weight
                wsum[:, c0:c0 + tile] += weight
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        last = k == len(rows) - 1
        n_final = (r1 - r0) if last else rows[k + 1] - r0
        w = np.maximum(wsum[:n_final, :width], 1e-12)
        probs_f = acc[:, :n_final, :width] / w
        mask = probs_f.argmax(axis=0).astype(np.uint8)
        conf = probs_f.max(axis=0).astype(np.float32)
        ok = valid[:n_final, :width] & (wsum[:n_final, :width] > 0)
        mask[~ok] = 0
        conf[~ok] = 0.0
        write_rows(r0, mask, conf)
        if not last:
            shift = rows[k + 1] - r0
            acc[:, : tile - shift] = acc[:, shift:]
            acc[:, tile - shift:] = 0
            wsum[: tile - shift] = wsum[shift:]
            wsum[tile - shift:] = 0
    if progress is not None and done < total:
        progress(total, total)


def segment_array(
    image: np.ndarray, model: Predictor, *, nodata: float | None = None, num_classes: int | None = None,
    tile: int = 512, overlap: int = 64, batch_size: int = 4,
    progress: ProgressFn | None = None, cancel: CancelFn | None = None, crater_view: bool = False,
) -> SegmentationResult:
    """Segment an in-memory image ((H, W) or (bands, H, W), any dtype) with the same tiling as files.

    ``crater_view`` also runs the local-contrast second view for craters (twice the forward passes).
    """
    lum, valid = to_luminance(image, nodata)
    if lum.size == 0:
        raise EmptyInputError("image has no pixels")
    if not valid.any():
        raise AllNodataError("every pixel is nodata")
    p_lo, p_hi = robust_percentiles(lum, valid)
    x = unit_to_model(to_unit(lum, p_lo, p_hi, valid))
    h, w = lum.shape
    n_cls = num_classes or _num_classes(model)
    mask = np.zeros((h, w), dtype=np.uint8)
    conf = np.zeros((h, w), dtype=np.float32)

    def read_rows(r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
        return x[r0:r1], valid[r0:r1]

    def write_rows(r0: int, m: np.ndarray, c: np.ndarray) -> None:
        mask[r0:r0 + m.shape[0]] = m
        conf[r0:r0 + c.shape[0]] = c

    crater = crater_class_index(model)
    passes = 2 if crater_view and crater is not None else 1
    run_tiled(read_rows, write_rows, h, w, model, n_cls, tile=tile, overlap=overlap, batch_size=batch_size,
              progress=pass_progress(progress, 0, passes), cancel=cancel)
    if passes == 1:
        return SegmentationResult(mask=mask, conf=conf)
    from .contrast_view import high_pass

    hp = high_pass(lum, valid)  # the whole image is in memory: filter once, same percentile rule as the raster path
    xv = unit_to_model(to_unit(hp, *robust_percentiles(hp, valid), valid))
    view = np.zeros((h, w), dtype=np.float32)

    def write_view(r0: int, m: np.ndarray, c: np.ndarray) -> None:
        view[r0:r0 + m.shape[0]] = np.where(m == crater, c, 0)

    run_tiled(lambda r0, r1: (xv[r0:r1], valid[r0:r1]), write_view, h, w, model, n_cls, tile=tile,
              overlap=overlap, batch_size=batch_size, progress=pass_progress(progress, 1, passes), cancel=cancel)
    return SegmentationResult(mask=mask, conf=conf, crater_view=view)


def pass_progress(progress: ProgressFn | None, index: int, passes: int) -> ProgressFn | None:
    """Progress of pass ``index`` of ``passes`` over the same windows, reported as one count for the whole run."""
    if progress is None or passes == 1:
        return progress
    report = progress

    def scaled(done: int, total: int) -> None:
        report(index * total + done, passes * total)

    return scaled


def crater_class_index(model: Predictor) -> int | None:
    """Index of the model's crater class (1 for a model without a card), None when it has none."""
    from .classes import model_class_index

    return model_class_index(model).get("crater")


def _num_classes(model: Predictor) -> int:
    card = getattr(model, "card", None)
    return len(card.classes) if card is not None else 4
