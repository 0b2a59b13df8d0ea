"""Class list and model metadata: data that travels with the weights (no torch import here)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

IGNORE_INDEX = 255  # "don't care" pixels in masks: excluded from loss and metrics


@dataclass(frozen=True)
class ClassSpec:
    """One output class of the segmenter: its index in the mask, a name and a display colour."""

    index: int
    name: str
    color: tuple[int, int, int]


DEFAULT_CLASSES: tuple[ClassSpec, ...] = (
    ClassSpec(0, "background", (0, 0, 0)),
    ClassSpec(1, "crater", (230, 80, 60)),
    ClassSpec(2, "valley", (60, 140, 230)),
    ClassSpec(3, "ridge", (240, 200, 60)),
)

NORMALIZATION_DOC = (
    "Bands -> luminance (1 band: as is; 2: band 1 with band 2 as alpha; 3: Rec.601 luma of RGB; "
    "4: luma of RGB with band 4 as alpha). Nodata (declared nodata value, NaN/inf, alpha==0) is excluded. "
    "Per-image 2nd/98th percentiles p2, p98 are computed over valid pixels of a decimated read "
    "(<= ~1 Mpx, or overviews when present); u = clip((x - p2) / (p98 - p2), 0, 1); "
    "model input = (u - 0.5) / 0.25, nodata pixels set to 0 (mid-grey) and forced to background in the output."
)


def model_class_index(model: Any) -> dict[str, int]:
    """Class name -> mask index of a model's card (the default classes for a model without one)."""
    card = getattr(model, "card", None)
    return {c.name: c.index for c in (card.classes if card is not None else DEFAULT_CLASSES)}


def class_index(classes: tuple[ClassSpec, ...] | list[ClassSpec], name: str) -> int:
    """Return the mask index of the class called ``name`` (KeyError if absent)."""
    for spec in classes:
        if spec.name == name:
            return spec.index
    raise KeyError(name)


@dataclass
class ModelCard:
    """Metadata stored inside the checkpoint and beside it as JSON / markdown (torchgeo-style weights enum)."""

    name: str = "geoplanet-unet"
    version: str = "v1"
    classes: list[ClassSpec] = field(default_factory=lambda: list(DEFAULT_CLASSES))
    in_channels: int = 1
    input_bands: str = "single luminance band derived from 1-4 input bands"
    normalization: str = NORMALIZATION_DOC
    tile_size: int = 512
    train_tile_size: int = 256
    # test-time augmentation used by default (and for the reported metrics): the mean softmax over
    # 1 = the tile as is, 2 = + its left-right mirror, 4 = + the up-down and the both-ways mirrors
    tta_flips: int = 1
    architecture: str = "smp.Unet"
    encoder: str = "resnet18"
    decoder_channels: list[int] = field(default_factory=lambda: [128, 64, 32, 16, 16])
    storage_dtype: str = "float16"
    training_data: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, float] = field(
        default_factory=lambda: {"crater_f1_10_100px_nac_holdout": 0.85, "synthetic_mean_iou_fg": 0.8}
    )
    training_time_s: float = 0.0
    hardware: str = ""
    seed: int = 0
    created: str = ""
    config: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelCard:
        """Inverse of :meth:`to_dict`; unknown keys are ignored so older readers accept newer cards."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["classes"] = [
            ClassSpec(int(c["index"]), str(c["name"]), tuple(c["color"]))  # type: ignore[arg-type]
            for c in known.get("classes", [asdict(c) for c in DEFAULT_CLASSES])
        ]
        return cls(**known)

    def to_json(self) -> str:
        """Pretty JSON text of the card."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    def to_markdown(self, weights_file: str = "") -> str:
        """Human-readable model card (what ships as ``segmentation/weights/MODEL_CARD.md``)."""
        lines = [f"# Model card: {self.name} {self.version}", ""]
        if weights_file:
            lines += [f"Weights: `{weights_file}` (the 8 hex digits are the file's sha256 prefix).", ""]
        lines += [
            "## Model",
            f"- Architecture: {self.architecture}, encoder `{self.encoder}` (random init, no pretrained weights), "
            f"decoder channels {self.decoder_channels}; stored as {self.storage_dtype}.",
            f"- Input: {self.in_channels} band ({self.input_bands}).",
            f"- Inference tile size: {self.tile_size} px (trained on {self.train_tile_size} px crops).",
            f"- Test-time augmentation: {_tta_doc(self.tta_flips)}.",
            "",
            "## Classes",
            "| index | name | colour |",
            "|---|---|---|",
        ]
        lines += [f"| {c.index} | {c.name} | rgb{tuple(c.color)} |" for c in self.classes]
        lines += ["", "## Normalization", self.normalization, "", "## Training data", self.training_data, ""]
        lines += [
            "## Training",
            f"- Wall time: {self.training_time_s / 60:.1f} min on {self.hardware}.",
            f"- Seed: {self.seed}; created {self.created}.",
            f"- Config: `{json.dumps(self.config, sort_keys=True)}`",
            "",
            "## Metrics (measured) vs targets",
            "| metric | measured | target |",
            "|---|---|---|",
        ]
        for key, target in self.targets.items():
            value = self.metrics.get(key)
            shown = f"{value:.3f}" if isinstance(value, (int, float)) else "n/a"
            lines.append(f"| {key} | {shown} | >= {target} |")
        lines += [
            "",
            "## Retraining",
            "This run: `python -m segmentation.engine.train --config CONFIG.json` with the config above "
            "(or `python manage.py train_segmenter ...`). Shipped configs in `segmentation/engine/configs/`: "
            "`cpu_small.json` (from scratch on 2 CPU cores), `cpu_finetune.json` (continues the shipped weights "
            "on a CPU), `gpu.json` (from scratch, bf16 autocast, 14 data workers).",
            "Each run writes `<name>-<version>-<sha8>.pt`, its `.json` card and this file into `--out`.",
        ]
        detail = {k: v for k, v in self.metrics.items() if k not in self.targets}
        if detail:
            lines += ["", "### Detail", "```json", json.dumps(detail, indent=2, sort_keys=True), "```"]
        return "\n".join(lines) + "\n"


def _tta_doc(flips: int) -> str:
    return {1: "none (one forward pass per tile)",
            2: "mean softmax of the tile and its left-right mirror (2 forward passes per tile)",
            4: "mean softmax of the tile and its three mirrors (4 forward passes per tile)"}.get(flips, str(flips))


WeightsMeta = ModelCard  # alias: the brief names both
