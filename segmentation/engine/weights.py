"""Saving and loading checkpoints whose file name carries a sha256 prefix of their content."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .classes import ModelCard
from .errors import WeightsError

if TYPE_CHECKING:
    import torch

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
CHECKPOINT_FORMAT = "geoplanet-segmentation/1"
# flip axes of (N, C, H, W) tensors for 1, 2 or 4 test-time passes: as is, left-right, up-down, both
TTA_FLIPS: dict[int, tuple[tuple[int, ...], ...]] = {1: ((),), 2: ((), (3,)), 4: ((), (3,), (2,), (2, 3))}
# On a CPU the forward pass runs at most this many windows at once, whatever batch the caller gives: measured on
# the project's 2-core machine (512 px windows, v6), 1, 2 and 4 windows per pass all ran at 0.25-0.29 s per window,
# while the pass's peak memory grew from about 1.0 GB (1 or 2) to 1.3-1.4 GB (4). A GPU takes the whole batch.
CPU_MAX_WINDOWS = 2
_NAME_RE = re.compile(r"^(?P<stem>.+)-v(?P<version>\d+)-(?P<digest>[0-9a-f]{8})\.pt$")


@dataclass
class LoadedModel:
    """A network in eval mode plus the card it was trained with, ready for tiled inference."""

    module: torch.nn.Module
    card: ModelCard
    path: Path | None
    device: str
    tta: int = 1

    def __post_init__(self) -> None:
        if self.tta not in TTA_FLIPS:
            raise WeightsError(f"test-time augmentation must be one of {sorted(TTA_FLIPS)} passes, not {self.tta}")

    @property
    def version(self) -> str:
        """``name-version-hash`` string recorded with every stored result."""
        return self.path.stem if self.path else f"{self.card.name}-{self.card.version}-unsaved"

    def predict_proba(self, batch: np.ndarray) -> np.ndarray:
        """Softmax probabilities (N, C, H, W) float32 for a normalised batch (N, 1, H, W).

        With ``tta`` > 1 the result is the mean over mirrored copies of the batch, each mapped back. On a CPU the
        batch goes through the network ``CPU_MAX_WINDOWS`` windows at a time (same throughput, less memory).
        """
        step = CPU_MAX_WINDOWS if self.device == "cpu" else len(batch)
        if len(batch) > step:
            return np.concatenate([self._predict(batch[i:i + step]) for i in range(0, len(batch), step)])
        return self._predict(batch)

    def _predict(self, batch: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(batch, dtype=np.float32)).to(self.device)
            total = torch.zeros(())
            for dims in TTA_FLIPS[self.tta]:
                xi = torch.flip(x, dims) if dims else x
                p = torch.softmax(self.module(xi).float(), dim=1)
                total = total + (torch.flip(p, dims) if dims else p)
            return (total / len(TTA_FLIPS[self.tta])).cpu().numpy()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_checkpoint(module: torch.nn.Module, card: ModelCard, out_dir: Path | str) -> Path:
    """Write ``<name>-<version>-<sha8>.pt`` (fp16 state dict + card), plus ``.json`` and ``MODEL_CARD.md``.

    The hash is over the exact bytes written, so renaming a tampered file cannot pass :func:`load_model`.
    """
    import torch

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    half = card.storage_dtype == "float16"
    state = {
        k: (v.detach().cpu().half() if half and v.is_floating_point() else v.detach().cpu())
        for k, v in module.state_dict().items()
    }
    buf = io.BytesIO()
    torch.save({"format": CHECKPOINT_FORMAT, "card": card.to_dict(), "state_dict": state}, buf)
    data = buf.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:8]
    path = out / f"{card.name}-{card.version}-{digest}.pt"
    path.write_bytes(data)
    path.with_suffix(".json").write_text(card.to_json() + "\n")
    (out / "MODEL_CARD.md").write_text(card.to_markdown(path.name))
    return path


def find_latest_weights(directory: Path | str = WEIGHTS_DIR) -> Path:
    """Newest shipped checkpoint: highest version number, then most recent card ``created`` stamp."""
    candidates = []
    for p in Path(directory).glob("*.pt"):
        m = _NAME_RE.match(p.name)
        if m:
            candidates.append((int(m.group("version")), p.stat().st_mtime, p))
    if not candidates:
        raise WeightsError(f"no shipped weights (*-v<N>-<sha8>.pt) in {directory}")
    return max(candidates, key=lambda t: (t[0], t[1]))[2]


def verify_hash(path: Path) -> None:
    """Raise :class:`WeightsError` unless the sha256 prefix in the file name matches the content."""
    m = _NAME_RE.match(path.name)
    if not m:
        raise WeightsError(f"weights file name lacks a -v<N>-<sha8>.pt suffix: {path.name}")
    actual = sha256_file(path)[:8]
    if actual != m.group("digest"):
        raise WeightsError(f"hash mismatch for {path.name}: content sha256 starts {actual}")


def resolve_device(device: str | None) -> str:
    """``None``/``"auto"`` -> cuda when available, else cpu."""
    import torch

    if device in (None, "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    return str(device)


def model_from_card(card: ModelCard) -> torch.nn.Module:
    """An untrained network with the architecture the card describes."""
    from .model import build_model

    return build_model(len(card.classes), card.in_channels, card.encoder, tuple(card.decoder_channels))


def load_model(
    path: Path | str | None = None, device: str | None = None, *, verify: bool = True, tta: int | None = None,
) -> LoadedModel:
    """Load a checkpoint (default: the newest shipped weights), check its hash, return it in eval mode (fp32).

    ``tta`` overrides the card's test-time augmentation (1, 2 or 4 passes per tile).
    """
    import torch

    p = Path(path) if path is not None else find_latest_weights()
    if not p.is_file():
        raise WeightsError(f"weights file not found: {p}")
    if verify:
        verify_hash(p)
    try:
        # weights_only=True: the checkpoint holds tensors and plain dicts only, never pickled code
        blob: dict[str, Any] = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsError(f"cannot read weights {p}: {exc}") from exc
    if blob.get("format") != CHECKPOINT_FORMAT:
        raise WeightsError(f"unknown checkpoint format in {p}")
    card = ModelCard.from_dict(blob["card"])
    module = model_from_card(card)
    module.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in blob["state_dict"].items()})
    dev = resolve_device(device)
    module.to(dev).eval()
    return LoadedModel(module=module, card=card, path=p, device=dev, tta=card.tta_flips if tta is None else tta)


def wrap_module(
    module: torch.nn.Module, card: ModelCard, device: str | None = None, tta: int | None = None,
) -> LoadedModel:
    """Wrap an in-memory network (e.g. fresh from training, or a tiny test model) for inference."""
    dev = resolve_device(device)
    module.to(dev).eval()
    return LoadedModel(module=module, card=card, path=None, device=dev, tta=card.tta_flips if tta is None else tta)
