"""Seeded training: ``python -m segmentation.engine.train --out DIR [--steps N | --epochs E] [--config cfg.json]``.

Needs only torch, segmentation_models_pytorch, numpy, scipy, scikit-image and Pillow (no rasterio/shapely).
Uses CUDA with bf16 autocast when present. Reproducible for a fixed seed, device and worker count when no
``--time-budget`` is given (a time budget makes the schedule follow wall time instead of the step count).
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .classes import DEFAULT_CLASSES, IGNORE_INDEX, ModelCard


@dataclass
class TrainConfig:
    """Every knob of a run; serialised into the model card so a run can be repeated."""

    out: str = "segmentation/weights"
    steps: int = 900
    epochs: int | None = None
    steps_per_epoch: int = 100
    batch_size: int = 8
    tile: int = 256
    lr: float = 2e-3
    weight_decay: float = 1e-4
    real_fraction: float = 0.5
    encoder: str = "resnet18"
    decoder_channels: list[int] = field(default_factory=lambda: [128, 64, 32, 16, 16])
    seed: int = 0
    device: str = "auto"
    workers: int = 0
    threads: int = 2
    time_budget_s: float | None = None
    init: str | None = None  # fine-tune: start from this checkpoint's weights (same architecture)
    eval_synthetic: int = 32
    log_every: int = 10
    name: str = "geoplanet-unet"
    version: str = "v1"
    infer_tile: int = 512
    tta_flips: int = 1  # the card's default test-time augmentation, also used for the final evaluation
    synth: str = "default"  # "realistic": canyons, hard negatives, cast shadows, real-product tones; "mixed": half
    mosaics: list[str] = field(default_factory=list)  # labelled global mosaics: "mola-east", "moon-dem-west"
    mosaic_fraction: float = 0.0
    # also train on the crops of $GEOPLANET_NAC_EXTRA (datasets.NAC_EXTRA_ENV) whose observation is one of the
    # training images' own: a crop of any other observation stays held out
    nac_extra: bool = False
    amp: str = "auto"  # bfloat16 autocast: "auto" (CUDA, or a CPU whose oneDNN has bf16 kernels), "bf16", "off"
    chunk_s: float | None = None  # stop after this many seconds, saving a state that --resume continues
    resume: bool = False

    @property
    def total_steps(self) -> int:
        """``epochs * steps_per_epoch`` when epochs is set, else ``steps``."""
        return self.epochs * self.steps_per_epoch if self.epochs else self.steps


@dataclass
class TrainResult:
    """What a run produced; a chunk that stopped early has no weights yet (``weights_path`` None)."""

    weights_path: Path | None
    card: ModelCard | None
    steps_done: int
    wall_time_s: float
    final_loss: float


def dice_ce_loss(logits: Any, target: Any, num_classes: int) -> Any:
    """Cross-entropy + soft Dice over the foreground classes, both skipping IGNORE_INDEX pixels."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    ce = F.cross_entropy(logits, target, ignore_index=IGNORE_INDEX)
    valid = (target != IGNORE_INDEX).unsqueeze(1)
    probs = torch.softmax(logits, 1) * valid
    onehot = F.one_hot(target.clamp(0, num_classes - 1), num_classes).permute(0, 3, 1, 2) * valid
    dims = (0, 2, 3)
    inter = (probs * onehot).sum(dims)
    denom = probs.sum(dims) + onehot.sum(dims)
    dice = 1 - (2 * inter + 1.0) / (denom + 1.0)
    return ce + dice[1:].mean()


def _hardware(device: str) -> str:
    import torch

    if device.startswith("cuda"):
        return f"1x {torch.cuda.get_device_name(0)} (torch {torch.__version__})"
    cpu = platform.processor() or platform.machine()
    return f"CPU {cpu}, {torch.get_num_threads()} threads (torch {torch.__version__})"


def use_bf16(amp: str, device: str) -> bool:
    """Whether to autocast to bfloat16: on CUDA, and on CPUs with native bf16 kernels (AVX-512 BF16, AMX)."""
    import torch

    if amp == "off":
        return False
    if amp == "bf16" or device.startswith("cuda"):
        return True
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def state_path(config: TrainConfig) -> Path:
    """Where a chunked run keeps its state between chunks."""
    return Path(config.out) / f"{config.name}-{config.version}.state.pt"


def _mixed_tiles(config: TrainConfig, nac: list[Any], chunk: int) -> Any:
    from .datasets import MixedTiles
    from .real_training import mars_mola_training, moon_dem_training
    from .synthetic import MIXED, REALISTIC, SynthConfig

    loaders = {"mola-east": mars_mola_training, "moon-dem-west": moon_dem_training}
    unknown = set(config.mosaics) - set(loaders)
    if unknown:
        raise ValueError(f"unknown mosaics {sorted(unknown)}; known: {sorted(loaders)}")
    synth = {"default": SynthConfig(), "realistic": REALISTIC, "mixed": MIXED}[config.synth]
    # each chunk of a resumed run draws a fresh stream, so no tile is repeated
    seed = config.seed if chunk == 0 else config.seed * 1000 + chunk
    return MixedTiles(config.tile, seed, config.real_fraction if nac else 0.0, nac, synth,
                      [loaders[m]() for m in config.mosaics], config.mosaic_fraction)


def train(config: TrainConfig) -> TrainResult:
    """Train, evaluate on the hold-outs, write the hashed checkpoint + card into ``config.out``."""
    import torch

    from .datasets import (
        NAC_EXTRA_ENV,
        NAC_HOLDOUT,
        extra_nac_dir,
        load_nac,
        load_nac_crops,
        make_torch_dataset,
        nac_image_ids,
    )
    from .evaluate import evaluate_model
    from .model import build_model
    from .weights import load_model, resolve_device, save_checkpoint, wrap_module

    t_start = time.perf_counter()
    torch.manual_seed(config.seed)
    np.random.seed(config.seed)  # noqa: NPY002 - third-party code may use the legacy global RNG
    device = resolve_device(config.device)
    if device == "cpu" and config.threads:
        torch.set_num_threads(config.threads)
    cuda = device.startswith("cuda")
    if cuda:
        torch.backends.cudnn.benchmark = True
    train_ids = [i for i in nac_image_ids() if i not in NAC_HOLDOUT]
    nac = [load_nac(i) for i in train_ids]
    if config.nac_extra:
        folder = extra_nac_dir()
        if folder is None:
            raise FileNotFoundError(f"nac_extra is set but ${NAC_EXTRA_ENV} names no folder")
        extra = load_nac_crops(folder, train_ids)
        print(f"[train] extra NAC crops of training observations: {[n.image_id for n in extra]}", flush=True)
        nac += extra
    print(f"[train] device={device} NAC train images={len(nac)} holdout={list(NAC_HOLDOUT)}", flush=True)
    state: dict[str, Any] = {}
    if config.resume and state_path(config).is_file():
        state = torch.load(state_path(config), map_location="cpu", weights_only=False)
        print(f"[train] resuming at step {state['step']} after {state['train_s']:.0f}s", flush=True)
    tiles = _mixed_tiles(config, nac, int(state.get("chunk", 0)))
    loader = torch.utils.data.DataLoader(
        make_torch_dataset(tiles), batch_size=config.batch_size, num_workers=config.workers,
        pin_memory=cuda, persistent_workers=config.workers > 0,
    )
    n_cls = len(DEFAULT_CLASSES)
    model = build_model(n_cls, 1, config.encoder, tuple(config.decoder_channels))
    if config.init and not state:
        start = load_model(config.init, "cpu")
        if start.card.encoder != config.encoder or list(start.card.decoder_channels) != list(config.decoder_channels):
            raise ValueError(f"--init {config.init}: architecture differs from the config")
        model.load_state_dict(start.module.state_dict())
        print(f"[train] fine-tuning from {start.version}", flush=True)
    if state:
        model.load_state_dict(state["model"])
    model = model.to(device)
    bf16 = use_bf16(config.amp, device)
    # channels-last suits oneDNN's and cuDNN's convolutions; on CPU it pays off with the bf16 kernels
    channels_last = cuda or bf16
    if channels_last:
        model = model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # torch's stubs omit it
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    if state:
        opt.load_state_dict(state["optimizer"])
    print(f"[train] bf16 autocast={bf16} channels_last={channels_last}", flush=True)
    total = config.total_steps
    model.train()
    step, loss_ema, t_loop = int(state.get("step", 0)), float(state.get("loss_ema", float("nan"))), time.perf_counter()
    before = float(state.get("train_s", 0.0))  # training seconds of earlier chunks
    chunk_done = False
    first_step = step
    for x, y in loader:
        elapsed = before + time.perf_counter() - t_loop
        progress = step / total
        if config.time_budget_s:
            progress = max(progress, elapsed / config.time_budget_s)
        if progress >= 1.0:
            break
        # a chunk takes at least one step, so a run of chunks always ends
        if config.chunk_s and step > first_step and time.perf_counter() - t_loop >= config.chunk_s:
            chunk_done = True
            break
        # linear warm-up over the first 5% of the run, then cosine decay to 1% of the peak learning rate;
        # both follow ``progress``, so a time budget shorter than the step count still reaches the peak
        warm = min(1.0, max(progress, (step + 1) / total) / 0.05)
        scale = warm * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * progress)))
        for g in opt.param_groups:
            g["lr"] = config.lr * scale
        x = x.to(device, non_blocking=True)
        y = y.to(device, non_blocking=True)
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast("cuda" if cuda else "cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(x)
        loss = dice_ce_loss(logits.float(), y, n_cls)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        lv = float(loss.detach())
        loss_ema = lv if math.isnan(loss_ema) else 0.95 * loss_ema + 0.05 * lv
        if step % config.log_every == 0 or step == 1:
            print(f"[train] step {step}/{total} loss {lv:.4f} ema {loss_ema:.4f} lr {config.lr * scale:.2e} "
                  f"elapsed {time.perf_counter() - t_start:.0f}s", flush=True)
    # the state is kept before any evaluation: a chunk's end, or a failed evaluation, resumes from it (--resume)
    state_path(config).parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "loss_ema": loss_ema,
                "train_s": before + time.perf_counter() - t_loop, "chunk": int(state.get("chunk", 0)) + 1},
               state_path(config))
    if chunk_done:
        print(f"[train] chunk ended at step {step}; state in {state_path(config)} (--resume continues)", flush=True)
        return TrainResult(None, None, step, time.perf_counter() - t_start, loss_ema)
    train_time = before + time.perf_counter() - t_start
    print(f"[train] done {step} steps in {train_time:.0f}s; evaluating", flush=True)
    card = ModelCard(
        name=config.name, version=config.version, encoder=config.encoder,
        decoder_channels=list(config.decoder_channels), tile_size=config.infer_tile, train_tile_size=config.tile,
        tta_flips=config.tta_flips,
        training_data=(
            f"Procedural synthetic terrain (segmentation.engine.synthetic: craters with power-law SFD, "
            f"valleys, wrinkle ridges/lobate scarps, hillshade under random sun) mixed with real LRO NAC crops "
            f"({len(train_ids)} of 12 images of ../shared/data/moon-nac-craters, GPL-3.0; hold-out {list(NAC_HOLDOUT)}"
            + (f"; with {len(nac) - len(train_ids)} crops of the same observations from "
               f"github.com/yizuifangxiuyh/Lunar_Crater_Detection_Data LRO_DATA/test" if config.nac_extra else "")
            + "), "
            f"real fraction {config.real_fraction}, {step} steps x batch {config.batch_size} x {config.tile} px"
            + (f"; generator '{config.synth}'" if config.synth != "default" else "")
            + (f"; labelled global mosaics {config.mosaics} (training halves only) in {config.mosaic_fraction:.0%} "
               f"of tiles, before the NAC/synthetic split" if config.mosaics else "")
            + (f", fine-tuning {Path(config.init).name}." if config.init else ".")
        ),
        training_time_s=train_time, hardware=_hardware(device), seed=config.seed,
        created=datetime.now(UTC).isoformat(timespec="seconds"), config=asdict(config),
    )
    contiguous = model.to(memory_format=torch.contiguous_format)  # type: ignore[call-overload]  # torch's stubs omit it
    loaded = wrap_module(contiguous, card, device)
    # the card reports default inference: craters with the second view (metrics record eval_contrast_view)
    report = evaluate_model(loaded, n_synthetic=config.eval_synthetic, tile=config.infer_tile, contrast_view=True)
    print(report.format_table(), flush=True)
    card.metrics = report.to_dict()
    card.metrics["eval_time_s"] = time.perf_counter() - t_start - train_time
    path = save_checkpoint(model, card, config.out)
    state_path(config).unlink(missing_ok=True)
    print(f"[train] wrote {path} ({path.stat().st_size / 1e6:.1f} MB)", flush=True)
    return TrainResult(path, card, step, time.perf_counter() - t_start, loss_ema)


def config_from_args(argv: list[str] | None = None) -> TrainConfig:
    """Build a TrainConfig from ``--config file.json`` then individual CLI overrides."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", help="JSON file with TrainConfig fields")
    for f in fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        if f.name == "decoder_channels":
            p.add_argument(flag, type=lambda s: [int(v) for v in s.split(",")])
        elif f.name in ("epochs",):
            p.add_argument(flag, type=int)
        elif f.name == "time_budget_s":
            p.add_argument("--time-budget", dest="time_budget_s", type=float)
        elif f.name == "chunk_s":
            p.add_argument("--chunk-s", type=float)
        elif f.name == "mosaics":
            p.add_argument(flag, type=lambda s: [v for v in s.split(",") if v])
        elif f.name == "resume":
            p.add_argument(flag, action="store_const", const=True)
        else:
            default = TrainConfig.__dataclass_fields__[f.name].default
            p.add_argument(flag, type=type(default) if default is not None else str)
    args = p.parse_args(argv)
    data: dict[str, Any] = json.loads(Path(args.config).read_text()) if args.config else {}
    data.update({k: v for k, v in vars(args).items() if k != "config" and v is not None})
    return TrainConfig(**data)


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    result = train(config_from_args(argv))
    summary = {"weights": str(result.weights_path) if result.weights_path else None, "steps": result.steps_done,
               "wall_time_s": round(result.wall_time_s, 1), "metrics": result.card.metrics if result.card else None}
    print(json.dumps(summary, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
