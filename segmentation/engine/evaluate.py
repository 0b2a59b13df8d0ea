"""Metrics: per-class IoU on synthetic hold-out tiles, crater P/R/F1 per diameter bin on held-out NAC images."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .classes import IGNORE_INDEX
from .contrast_view import with_view_craters
from .instances import crater_instances

DEFAULT_BINS: tuple[tuple[float, float], ...] = ((8, 10), (10, 20), (20, 40), (40, 100), (10, 100))
CLASS_NAMES = ("background", "crater", "valley", "ridge")


@dataclass
class EvalReport:
    """All evaluation figures; ``headline`` holds the numbers compared with the targets."""

    iou: dict[str, float] = field(default_factory=dict)
    crater_bins: dict[str, dict[str, float]] = field(default_factory=dict)
    nac_crater_iou: float | None = None
    tta_flips: int = 1
    contrast_view: bool = False
    headline: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (used as the model card's metrics)."""
        d: dict[str, Any] = dict(self.headline)
        d["synthetic_iou"] = self.iou
        d["nac_crater_bins"] = self.crater_bins
        d["eval_tta_flips"] = self.tta_flips
        d["eval_contrast_view"] = self.contrast_view
        if self.nac_crater_iou is not None:
            d["nac_crater_pixel_iou"] = self.nac_crater_iou
        return d

    def format_table(self) -> str:
        """Plain-text tables for terminals and logs."""
        lines = ["per-class IoU (synthetic hold-out):"]
        lines += [f"  {k:<12} {v:.3f}" for k, v in self.iou.items()]
        lines.append("crater detection (held-out NAC):  bin(px)   P      R      F1     n_gt  n_pred")
        for k, v in self.crater_bins.items():
            lines.append(f"  {k:>30} {v['precision']:.3f}  {v['recall']:.3f}  {v['f1']:.3f}  "
                         f"{int(v['n_gt']):5d} {int(v['n_pred']):5d}")
        lines.append("headline: " + json.dumps(self.headline, sort_keys=True))
        return "\n".join(lines)


def confusion(pred: np.ndarray, target: np.ndarray, num_classes: int) -> np.ndarray:
    """Confusion matrix (target rows, pred cols) ignoring IGNORE_INDEX pixels."""
    keep = target != IGNORE_INDEX
    idx = target[keep].astype(np.int64) * num_classes + pred[keep].astype(np.int64)
    return np.bincount(idx, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def iou_from_confusion(cm: np.ndarray) -> np.ndarray:
    """Per-class IoU; NaN for a class absent from both prediction and target."""
    tp = np.diag(cm).astype(np.float64)
    denom = cm.sum(0) + cm.sum(1) - tp
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, tp / denom, np.nan)


MATCH_CENTRE_FRAC = 0.5
MATCH_DIAM_FRAC = 0.5


def match_qualifies(
    dist: np.ndarray, pred_d: np.ndarray, gt_d: np.ndarray,
    max_centre_frac: float = MATCH_CENTRE_FRAC, max_diam_frac: float = MATCH_DIAM_FRAC,
) -> np.ndarray:
    """The crater match rule on candidate pairs: centre distance < 0.5 D and |dD|/D < 0.5, D the label's."""
    return (dist < max_centre_frac * gt_d) & (np.abs(pred_d - gt_d) / gt_d < max_diam_frac)


def greedy_pairs(pi: np.ndarray, gi: np.ndarray, dist: np.ndarray) -> list[tuple[int, int]]:
    """One-to-one pairs from qualifying candidates ``(pi[k], gi[k])``, closest centres first."""
    order = np.argsort(dist, kind="stable")
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for k in order:
        a, b = int(pi[k]), int(gi[k])
        if a not in used_p and b not in used_g:
            used_p.add(a)
            used_g.add(b)
            pairs.append((a, b))
    return pairs


# PyCDA's rule (Klear 2018, after Salamuniccar & Loncaric): || (dx, dy, dD) || / D <= 0.4, D the label's
PYCDA_TOLERANCE = 0.4
RULES = ("geoplanet", "pycda")


def match_pairs(
    dist: np.ndarray, pred_d: np.ndarray, gt_d: np.ndarray, rule: str = "geoplanet",
) -> list[tuple[int, int]]:
    """One-to-one pairs from a (pred, gt) centre-distance matrix in any unit shared with the diameters.

    ``rule`` "geoplanet" is :func:`match_qualifies`; "pycda" keeps pairs with
    sqrt(dist^2 + dD^2) / D <= 0.4. Either way the closest centres pair first.
    """
    if dist.size == 0:
        return []
    pd_, gd = np.asarray(pred_d, dtype=np.float64)[:, None], np.asarray(gt_d, dtype=np.float64)[None, :]
    if rule == "geoplanet":
        ok = match_qualifies(dist, pd_, gd)
    elif rule == "pycda":
        ok = np.hypot(dist, pd_ - gd) / gd <= PYCDA_TOLERANCE
    else:
        raise ValueError(f"unknown match rule {rule!r}; known: {', '.join(RULES)}")
    pi, gi = np.nonzero(ok)
    return greedy_pairs(pi, gi, dist[pi, gi])


def match_craters(
    pred: list[tuple[float, float, float]], gt: list[tuple[float, float, float]],
    max_centre_frac: float = MATCH_CENTRE_FRAC, max_diam_frac: float = MATCH_DIAM_FRAC, rule: str | None = None,
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching by centre distance; a pair qualifies when dist < 0.5 D and |dD|/D < 0.5.

    D is the label's diameter. Returns (pred index, gt index) pairs. ``maps.core.catalogue_match`` applies
    the same rule (:func:`match_qualifies`, :func:`greedy_pairs`) on the sphere to catalogue-sized sets.
    """
    if not pred or not gt:
        return []
    p = np.asarray(pred, dtype=np.float64)
    g = np.asarray(gt, dtype=np.float64)
    dist = np.hypot(p[:, None, 0] - g[None, :, 0], p[:, None, 1] - g[None, :, 1])
    if rule is not None:
        return match_pairs(dist, p[:, 2], g[:, 2], rule)
    ok = match_qualifies(dist, p[:, None, 2], g[None, :, 2], max_centre_frac, max_diam_frac)
    pi, gi = np.nonzero(ok)
    return greedy_pairs(pi, gi, dist[pi, gi])


def crater_prf(
    pred: list[tuple[float, float, float]], gt: list[tuple[float, float, float]],
    bins: tuple[tuple[float, float], ...] = DEFAULT_BINS, dont_care_px: float = 8.0, rule: str | None = None,
    pairs: list[tuple[int, int]] | None = None,
) -> dict[str, dict[str, float]]:
    """Precision/recall/F1 per diameter bin [lo, hi).

    Recall counts labels by their diameter. Precision counts a matched prediction in its label's bin and an
    unmatched one in its own bin; predictions matched to "don't care" labels (D <= ``dont_care_px``) are not
    counted. ``pairs`` (from :func:`match_pairs`, e.g. on the sphere) replaces the planar matching.
    """
    if pairs is None:
        pairs = match_craters(pred, gt, rule=rule)
    p2g = dict(pairs)
    matched_gt = set(p2g.values())
    out: dict[str, dict[str, float]] = {}
    for lo, hi in bins:
        gin = [i for i, g in enumerate(gt) if lo <= g[2] < hi and g[2] > dont_care_px]
        tp_g = sum(1 for i in gin if i in matched_gt)
        n_pred = tp_p = 0
        for j, p in enumerate(pred):
            if j in p2g:
                gd = gt[p2g[j]][2]
                if gd <= dont_care_px:
                    continue
                if lo <= gd < hi:
                    n_pred += 1
                    tp_p += 1
            elif lo <= p[2] < hi:
                n_pred += 1
        prec = tp_p / n_pred if n_pred else 0.0
        rec = tp_g / len(gin) if gin else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[f"{lo:g}-{hi:g}"] = {"precision": prec, "recall": rec, "f1": f1, "n_gt": len(gin), "n_pred": n_pred}
    return out


def evaluate_model(
    model: Any, *, n_synthetic: int = 32, synth_tile: int = 256, nac_ids: tuple[str, ...] | None = None,
    tile: int = 512, overlap: int = 64, batch_size: int = 4, contrast_view: bool = True,
) -> EvalReport:
    """Run the model on the fixed synthetic hold-out and the held-out NAC images; return all metrics.

    ``contrast_view`` adds the second view's craters (:mod:`.contrast_view`) to the NAC crater detections,
    as ``segment`` and analyses do by default; the class masks, hence every IoU, do not change with it.
    """
    from .datasets import NAC_HOLDOUT, crater_mask, load_nac, nac_image_ids, synthetic_eval_set
    from .tiling import segment_array

    report = EvalReport(tta_flips=int(getattr(model, "tta", 1)), contrast_view=contrast_view)
    n_cls = len(CLASS_NAMES)
    cm = np.zeros((n_cls, n_cls), dtype=np.int64)
    for img, mask in synthetic_eval_set(n_synthetic, synth_tile):
        res = segment_array(img, model, tile=synth_tile, overlap=0, batch_size=batch_size, num_classes=n_cls)
        cm += confusion(res.mask, mask, n_cls)
    ious = iou_from_confusion(cm)
    report.iou = {name: float(v) for name, v in zip(CLASS_NAMES, ious, strict=True)}
    report.headline["synthetic_mean_iou_fg"] = float(np.nanmean(ious[1:]))
    ids = [i for i in (nac_ids or NAC_HOLDOUT) if i in set(nac_image_ids())]
    preds: list[tuple[float, float, float]] = []
    gts: list[tuple[float, float, float]] = []
    cm_nac = np.zeros((n_cls, n_cls), dtype=np.int64)
    for k, image_id in enumerate(ids):
        nac = load_nac(image_id)
        res = segment_array(nac.image, model, tile=tile, overlap=overlap, batch_size=batch_size, num_classes=n_cls,
                            crater_view=contrast_view)
        dets = crater_instances(res.mask, res.conf)
        if res.crater_view is not None:
            dets = with_view_craters(dets, res.crater_view)
        # offset each image so the pooled matching never pairs craters across images
        off = k * 1e6
        preds += [(d.cx + off, d.cy, d.diameter) for d in dets]
        gts += [(g.cx + off, g.cy, g.diameter) for g in nac.labels]
        cm_nac += confusion(np.where(res.mask == 1, 1, 0), crater_mask(nac.image.shape, nac.labels), n_cls)
    if ids:
        report.crater_bins = crater_prf(preds, gts)
        report.headline["crater_f1_10_100px_nac_holdout"] = report.crater_bins["10-100"]["f1"]
        report.nac_crater_iou = float(iou_from_confusion(cm_nac)[1])
    return report
