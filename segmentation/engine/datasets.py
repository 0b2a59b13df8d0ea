"""Training / evaluation data: seeded synthetic tiles and the real LRO NAC crater-labelled images.

NAC hold-out (never used for training, used for the reported crater P/R/F1): ``NAC_HOLDOUT``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .classes import IGNORE_INDEX
from .normalize import robust_percentiles, to_unit, unit_to_model
from .synthetic import CRATER, TINY_CRATER_PX, SynthConfig, generate_sample

NAC_DIR = "moon-nac-craters"
# fixed, documented hold-out: 3 of the 12 images (different orbits / lighting), chosen before any training
NAC_HOLDOUT: tuple[str, ...] = ("M1155395732", "M1266003170", "M180007222")


@dataclass(frozen=True)
class CraterLabel:
    """A labelled crater: centre in pixel coords and diameter = mean(W, H) of its box."""

    cx: float
    cy: float
    diameter: float


@dataclass
class NacImage:
    """One NAC image (8-bit grey) with its crater labels."""

    image_id: str
    image: np.ndarray
    labels: list[CraterLabel]


def shared_data_dir() -> Path | None:
    """``$GEOPLANET_SHARED_DATA`` or ``<repo>/../shared/data``; None when neither exists."""
    env = os.environ.get("GEOPLANET_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[3] / "shared" / "data")
    for c in candidates:
        if c.is_dir():
            return c
    return None


def parse_nac_labels(path: Path | str) -> list[CraterLabel]:
    """Parse ``ID,X,Y,W,H,C_X,CY`` (pixels, X,Y = top-left) into centre + diameter labels.

    Fields are separated by commas or by tabs (the same dataset's test crops use tabs). A row that is not a
    label raises ValueError naming the file and line: a label file must never read as "no craters".
    """
    out: list[CraterLabel] = []
    with open(path) as fh:
        header = re.split(r"[,\t]", fh.readline().strip())
        col = {name.strip(): i for i, name in enumerate(header)}
        missing = {"X", "Y", "W", "H"} - col.keys()
        if missing:
            raise ValueError(f"{path}: header lacks {sorted(missing)}")
        for number, line in enumerate(fh, start=2):
            if not line.strip():
                continue
            parts = re.split(r"[,\t]", line.strip())
            try:
                x, y, w, h = (float(parts[col[k]]) for k in ("X", "Y", "W", "H"))
            except (IndexError, ValueError) as exc:
                raise ValueError(f"{path}, line {number}: not a crater label: {line.strip()[:80]!r}") from exc
            out.append(CraterLabel(x + w / 2.0, y + h / 2.0, (w + h) / 2.0))
    return out


def crater_mask(shape: tuple[int, int], labels: list[CraterLabel], tiny_px: float = TINY_CRATER_PX) -> np.ndarray:
    """Filled disks as crater class; disks of D <= tiny_px become ignore (255) unless inside a real crater."""
    mask = np.zeros(shape, dtype=np.uint8)
    ignore = np.zeros(shape, dtype=bool)
    for lab in labels:
        r = lab.diameter / 2.0
        y0, y1 = max(0, int(lab.cy - r - 1)), min(shape[0], int(lab.cy + r + 2))
        x0, x1 = max(0, int(lab.cx - r - 1)), min(shape[1], int(lab.cx + r + 2))
        if y0 >= y1 or x0 >= x1:
            continue
        yy, xx = np.mgrid[y0:y1, x0:x1]
        disk = (xx + 0.5 - lab.cx) ** 2 + (yy + 0.5 - lab.cy) ** 2 <= r * r
        if lab.diameter <= tiny_px:
            ignore[y0:y1, x0:x1] |= disk
        else:
            mask[y0:y1, x0:x1][disk] = CRATER
    mask[ignore & (mask == 0)] = IGNORE_INDEX
    return mask


def nac_image_ids(root: Path | None = None) -> list[str]:
    """Sorted ids of the NAC images available under the shared data folder."""
    base = (root or shared_data_dir() or Path("/nonexistent")) / NAC_DIR
    return sorted(p.name.split("_")[0] for p in base.glob("*_mosaic_train_small.png"))


def load_nac(image_id: str, root: Path | None = None) -> NacImage:
    """Read one NAC PNG (as 8-bit grey) and its label file."""
    base = (root or shared_data_dir() or Path("/nonexistent")) / NAC_DIR
    return _read_nac(base / f"{image_id}_mosaic_train_small.png", image_id)


def _read_nac(png: Path, image_id: str) -> NacImage:
    """A NAC PNG as 8-bit grey with the labels of the ``.txt`` beside it."""
    from PIL import Image

    return NacImage(image_id, np.asarray(Image.open(png).convert("L")), parse_nac_labels(png.with_suffix(".txt")))


# More NAC crops with labels in the same format, from the same labelling project: the 8 test crops of
# github.com/yizuifangxiuyh/Lunar_Crater_Detection_Data (``LRO_DATA/test``, GPL-3.0; Yang et al., "CraterDANet",
# IEEE TGRS). They are not in ../shared/data and are never copied into this project: point this variable at a
# folder holding them (``<crop>.png`` + ``<crop>.txt``) to use them.
NAC_EXTRA_ENV = "GEOPLANET_NAC_EXTRA"


def nac_observation(name: str) -> str:
    """The NAC observation id of a crop's file name (``M1303619844LE_cal_echo_26_2`` -> ``M1303619844``)."""
    match = re.match(r"M\d+", name)
    if match is None:
        raise ValueError(f"not a NAC crop name: {name!r}")
    return match.group(0)


def extra_nac_dir() -> Path | None:
    """``$GEOPLANET_NAC_EXTRA`` when it names a folder, else None."""
    env = os.environ.get(NAC_EXTRA_ENV)
    return Path(env) if env and Path(env).is_dir() else None


def nac_training_observations() -> set[str]:
    """The NAC observations the shipped models trained on: the shared images less ``NAC_HOLDOUT``.

    FileNotFoundError when the shared NAC images are not here: an empty set would call every crop "never
    trained on".
    """
    ids = set(nac_image_ids()) - set(NAC_HOLDOUT)
    if not ids:
        raise FileNotFoundError(f"no NAC images under {shared_data_dir()}/{NAC_DIR} (set GEOPLANET_SHARED_DATA)")
    return ids


def load_nac_crops(folder: Path, observations: Iterable[str] | None = None) -> list[NacImage]:
    """Every ``<crop>.png`` of ``folder`` with its ``<crop>.txt`` labels, in name order; with ``observations``,
    only the crops of those NAC observations. ``image_id`` is the crop's name."""
    wanted = set(observations) if observations is not None else None
    return [_read_nac(png, png.stem) for png in sorted(folder.glob("*.png"))
            if wanted is None or nac_observation(png.stem) in wanted]


def nac_extra_groups(folder: Path) -> tuple[list[NacImage], list[NacImage]]:
    """The crops of ``folder``: those of observations no training image shares (held out by observation), and
    those of the training images' own observations (which training may read)."""
    training = nac_training_observations()
    crops = load_nac_crops(folder)
    return ([c for c in crops if nac_observation(c.image_id) not in training],
            [c for c in crops if nac_observation(c.image_id) in training])


def augment(unit: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Flips, 90 degree rotations and brightness/contrast/gamma jitter on a [0, 1] image."""
    k = int(rng.integers(4))
    unit, mask = np.rot90(unit, k), np.rot90(mask, k)
    if rng.random() < 0.5:
        unit, mask = unit[:, ::-1], mask[:, ::-1]
    gamma = float(np.exp(rng.uniform(-0.4, 0.4)))
    unit = np.clip(unit, 0, 1) ** gamma
    unit = (unit - 0.5) * rng.uniform(0.75, 1.3) + 0.5 + rng.uniform(-0.1, 0.1)
    return np.ascontiguousarray(np.clip(unit, 0, 1), dtype=np.float32), np.ascontiguousarray(mask)


class MixedTiles:
    """Infinite, seeded stream of (x, y) training tiles mixing synthetic terrain and real NAC crops.

    A torch ``IterableDataset`` is built from it by :func:`make_torch_dataset`; each DataLoader worker gets
    its own stream seeded from (seed, worker id), so a run is reproducible for a fixed worker count.
    """

    def __init__(self, tile: int = 256, seed: int = 0, real_fraction: float = 0.5,
                 nac: list[NacImage] | None = None, synth: SynthConfig | None = None,
                 mosaics: list[Any] | None = None, mosaic_fraction: float = 0.0) -> None:
        self.tile, self.seed, self.real_fraction = tile, seed, real_fraction
        self.synth = synth or SynthConfig()
        self.nac = nac or []
        # labelled global mosaics (:class:`.real_training.GlobalMosaic`), cropped at pyramid levels
        self.mosaics, self.mosaic_fraction = mosaics or [], mosaic_fraction
        # NAC normalisation uses whole-image percentiles, as inference does
        self._nac_units = [to_unit(n.image, *robust_percentiles(n.image.astype(np.float32))) for n in self.nac]
        self._nac_masks = [crater_mask(n.image.shape, n.labels) for n in self.nac]

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One (x float32 (1, T, T), y int64 (T, T)) pair."""
        t = self.tile
        if self.mosaics and rng.random() < self.mosaic_fraction:
            unit, mask = self.mosaics[int(rng.integers(len(self.mosaics)))].crop(rng, t)
        elif self.nac and rng.random() < self.real_fraction:
            i = int(rng.integers(len(self.nac)))
            unit, mask = self._nac_units[i], self._nac_masks[i]
            y0, x0 = int(rng.integers(0, unit.shape[0] - t + 1)), int(rng.integers(0, unit.shape[1] - t + 1))
            unit, mask = unit[y0:y0 + t, x0:x0 + t], mask[y0:y0 + t, x0:x0 + t]
        else:
            s = generate_sample(t, rng, self.synth)
            unit, mask = to_unit(s.image, *robust_percentiles(s.image)), s.mask
        unit, mask = augment(unit, mask, rng)
        return unit_to_model(unit)[None], mask.astype(np.int64)

    def stream(self, worker: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Endless samples for one worker."""
        rng = np.random.default_rng([self.seed, worker])
        while True:
            yield self.sample(rng)


def make_torch_dataset(tiles: MixedTiles) -> Any:
    """Wrap :class:`MixedTiles` as a torch IterableDataset (torch imported lazily)."""
    import torch
    from torch.utils.data import IterableDataset, get_worker_info

    class _Iterable(IterableDataset):  # type: ignore[type-arg]
        def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
            info = get_worker_info()
            for x, y in tiles.stream(info.id if info else 0):
                yield torch.from_numpy(x), torch.from_numpy(y)

    return _Iterable()


def synthetic_eval_set(n: int = 32, tile: int = 256, seed: int = 12345) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fixed held-out synthetic tiles (unit image, mask); the seed differs from any training stream."""
    out = []
    for i in range(n):
        s = generate_sample(tile, np.random.default_rng([seed, i]))
        out.append((s.image, s.mask))
    return out
