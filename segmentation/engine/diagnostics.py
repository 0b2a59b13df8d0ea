"""Where valley and ridge errors sit on the synthetic hold-out: faint labels, near-boundary or far-off mistakes.

Each held-out tile is rendered a second time from the same random stream with one feature's relief left out
(:func:`.synthetic.generate_sample` with ``omit``/``like``), so the per-pixel difference between the two images is
the signal that feature leaves in the image. Labelled pixels with almost no signal are ones no model can be
expected to find; if the model misses labelled pixels that do show, the shortfall is the model's. False positives
are split by the true class underneath and by their distance from the nearest label of the predicted class.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import ndimage

from .classes import IGNORE_INDEX
from .synthetic import RIDGE, VALLEY, SyntheticSample, generate_sample

FEATURES: dict[str, int] = {"valley": VALLEY, "ridge": RIDGE}
TRUTH_NAMES = ("background", "crater", "valley", "ridge")
FAINT_THRESHOLDS = (0.02, 0.05)  # signal in units of the tile's stretched [0, 1] range
NEAR_PX, FAR_PX = 3.0, 20.0
CONTROL_PX = 40.0  # background pixels this far from the feature measure how well the two renders line up


@dataclass
class ClassTally:
    """Pixel counts for one feature class, accumulated over tiles."""

    label_px: int = 0
    hit_px: int = 0
    faint_px: dict[float, int] = field(default_factory=dict)
    faint_hit_px: dict[float, int] = field(default_factory=dict)
    missed_as: np.ndarray = field(default_factory=lambda: np.zeros(len(TRUTH_NAMES), np.int64))
    fp_truth: np.ndarray = field(default_factory=lambda: np.zeros(len(TRUTH_NAMES), np.int64))
    fp_distance: np.ndarray = field(default_factory=lambda: np.zeros(3, np.int64))  # <=3 px, 3-20 px, >20 px
    tiles_with_label: int = 0
    tiles_missed: int = 0  # tiles where the model found under 10% of the label
    control: list[np.ndarray] = field(default_factory=list)

    def add(self, cls: int, mask: np.ndarray, pred: np.ndarray, signal: np.ndarray | None) -> None:
        """Count one tile: ``signal`` is the feature's per-pixel signal (None when the tile has no such label)."""
        label = mask == cls
        valid = mask != IGNORE_INDEX
        fp = (pred == cls) & ~label & valid
        to_label = ndimage.distance_transform_edt(~label) if label.any() else np.full(mask.shape, np.inf)
        if fp.any():
            self.fp_truth += np.bincount(mask[fp].astype(np.int64), minlength=len(TRUTH_NAMES))[: len(TRUTH_NAMES)]
            dist = to_label[fp]
            self.fp_distance += np.array([(dist <= NEAR_PX).sum(), ((dist > NEAR_PX) & (dist <= FAR_PX)).sum(),
                                          (dist > FAR_PX).sum()])
        if not label.any() or signal is None:
            return
        hit = pred[label] == cls
        sig = signal[label]
        self.tiles_with_label += 1
        self.tiles_missed += int(hit.mean() < 0.1)
        self.label_px += int(label.sum())
        self.hit_px += int(hit.sum())
        for t in FAINT_THRESHOLDS:
            self.faint_px[t] = self.faint_px.get(t, 0) + int((sig < t).sum())
            self.faint_hit_px[t] = self.faint_hit_px.get(t, 0) + int(hit[sig < t].sum())
        missed = pred[label][~hit].astype(np.int64)
        self.missed_as += np.bincount(missed, minlength=len(TRUTH_NAMES))[: len(TRUTH_NAMES)]
        far = (to_label > CONTROL_PX) & (mask == 0)
        self.control.append(signal[far])

    def to_dict(self) -> dict[str, Any]:
        """Shares and rates; ``control_p99`` near 0 shows the two renders differ only around the feature."""
        n, fp = max(self.label_px, 1), max(int(self.fp_truth.sum()), 1)
        out: dict[str, Any] = {
            "label_px": self.label_px, "recall": self.hit_px / n,
            "tiles_with_label": self.tiles_with_label, "tiles_missed": self.tiles_missed,
            "missed_predicted_as": {k: int(v) / n for k, v in zip(TRUTH_NAMES, self.missed_as, strict=True)},
            "false_positive_px": int(self.fp_truth.sum()),
            "false_positive_truth": {k: int(v) / fp for k, v in zip(TRUTH_NAMES, self.fp_truth, strict=True)},
            "false_positive_distance": dict(zip((f"<={NEAR_PX:g}px", f"{NEAR_PX:g}-{FAR_PX:g}px", f">{FAR_PX:g}px"),
                                                (int(v) / fp for v in self.fp_distance), strict=True)),
        }
        for t in FAINT_THRESHOLDS:
            faint = self.faint_px.get(t, 0)
            visible = self.label_px - faint
            out[f"faint_share_lt_{t:g}"] = faint / n
            out[f"recall_visible_ge_{t:g}"] = (self.hit_px - self.faint_hit_px.get(t, 0)) / max(visible, 1)
        control = np.concatenate(self.control) if self.control else np.zeros(1)
        out["control_p99"] = float(np.percentile(control, 99))
        return out


def feature_signal(full: SyntheticSample, size: int, seed: tuple[int, int], feature: str) -> np.ndarray:
    """Per-pixel signal of ``feature`` in ``full``: largest change in a 3x3 neighbourhood when it is left out."""
    without = generate_sample(size, np.random.default_rng(list(seed)), omit=frozenset({feature}), like=full)
    if not np.array_equal(without.mask, full.mask):
        raise RuntimeError("the render without the feature drew a different mask; the random streams diverged")
    return ndimage.maximum_filter(np.abs(full.image - without.image), size=3)


def diagnose(model: Any, *, n_synthetic: int = 64, tile: int = 256, seed: int = 12345,
             batch_size: int = 4) -> dict[str, dict[str, Any]]:
    """Run ``model`` on the fixed synthetic hold-out (the tiles of ``synthetic_eval_set``) and tally its errors."""
    from .tiling import segment_array

    tallies = {name: ClassTally() for name in FEATURES}
    for i in range(n_synthetic):
        full = generate_sample(tile, np.random.default_rng([seed, i]))
        pred = segment_array(full.image, model, tile=tile, overlap=0, batch_size=batch_size,
                             num_classes=len(TRUTH_NAMES)).mask
        for name, cls in FEATURES.items():
            signal = feature_signal(full, tile, (seed, i), name) if (full.mask == cls).any() else None
            tallies[name].add(cls, full.mask, pred, signal)
    return {name: t.to_dict() for name, t in tallies.items()}


def _shares(d: dict[str, float], skip: str = "") -> str:
    return json.dumps({k: round(v, 3) for k, v in d.items() if k != skip})


def format_diagnosis(result: dict[str, dict[str, Any]]) -> str:
    """Readable summary for terminals and the model card."""
    lines = ["valley/ridge error breakdown (synthetic hold-out):"]
    for name, r in result.items():
        lines.append(f"  {name}: {r['label_px']} labelled px in {r['tiles_with_label']} tiles "
                     f"({r['tiles_missed']} almost wholly missed); recall {r['recall']:.3f}")
        for t in FAINT_THRESHOLDS:
            lines.append(f"    faint (signal < {t:g}): {r[f'faint_share_lt_{t:g}']:.3f} of labels; "
                         f"recall on the rest {r[f'recall_visible_ge_{t:g}']:.3f}")
        lines.append("    missed labels predicted as " + _shares(r["missed_predicted_as"], name))
        lines.append(f"    false positives {r['false_positive_px']} px; "
                     f"truth {_shares(r['false_positive_truth'], name)}; "
                     f"distance from a label {_shares(r['false_positive_distance'])}")
        lines.append(f"    alignment check: 99th percentile of the signal far from the feature {r['control_p99']:.4f}")
    return "\n".join(lines)
