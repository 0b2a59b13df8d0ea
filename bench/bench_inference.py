"""Inference throughput and peak memory of the full raster pipeline vs the bare model forward pass.

    .venv/bin/python bench/bench_inference.py [--sizes 2048,16384] [--model PATH] [--tile 512] [--batch-size 4]
                                              [--contrast-view]

``--contrast-view`` runs the crater second view too (what ``segment`` and analyses do by default): the
pipeline then makes two forward passes per window, and the bare forward baseline covers both passes' tiles.
``--multiscale`` adds the extra pyramid levels (:func:`segmentation.engine.multiscale.level_scales`), their crater
merge and the fusion of their valleys and ridges into the class mask, as ``segment`` does by default; the
baseline then covers every level's tiles too.

Each size runs in its own subprocess so its RSS high-water mark (``ru_maxrss``) is its own. Inputs are tiled
uint8 GeoTIFFs written band by band in a temp dir (a few synthetic tiles repeated with noise: realistic
texture without spending minutes generating terrain).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def write_input(path: Path, size: int) -> None:
    """Tiled, deflate-compressed uint8 GeoTIFF of ``size`` x ``size``, written 1024 rows at a time."""
    import rasterio

    from segmentation.engine.synthetic import generate_sample

    base = np.hstack([generate_sample(512, s).image for s in range(4)])  # 512 x 2048 texture strip
    base = (base * 250).astype(np.uint8)
    rng = np.random.default_rng(0)
    prof = {"driver": "GTiff", "width": size, "height": size, "count": 1, "dtype": "uint8", "tiled": True,
            "blockxsize": 256, "blockysize": 256, "compress": "deflate", "BIGTIFF": "IF_SAFER"}
    with rasterio.open(path, "w", **prof) as dst:
        for r0 in range(0, size, 512):
            h = min(512, size - r0)
            row = np.tile(base, (1, size // base.shape[1] + 1))[:h, :size]
            row = np.roll(row, int(rng.integers(0, 2048)), axis=1)
            dst.write(row[None], window=rasterio.windows.Window(0, r0, size, h))


def _multiscale(src: Path, mask_path: Path, conf_path: Path, model: Any, tile: int, overlap: int,
                batch: int) -> list[float]:
    """The default pipeline's extra levels after the image's own: crater merge and class fusion; their scales."""
    import rasterio

    from segmentation.engine.classes import model_class_index
    from segmentation.engine.inference import small_block_cache
    from segmentation.engine.multiscale import fuse_level_classes, merge_levels, multiscale_craters

    coarse: list[Any] = []
    levels, runs = multiscale_craters(src, model, tile=tile, overlap=overlap, batch_size=batch, classes_out=coarse)
    merge_levels(levels)
    with small_block_cache(), rasterio.open(mask_path) as m, rasterio.open(conf_path) as c:
        mask, conf = m.read(1), c.read(1)
    fuse_level_classes(mask, conf, coarse, model_class_index(model))
    return [r.scale for r in runs]


def child(size: int, model_path: str | None, tile: int, overlap: int, batch: int, view: bool = False,
          multiscale: bool = False) -> dict[str, Any]:
    """Run one size; return timings and peak RSS (MB)."""
    import torch

    from segmentation.engine.classes import ModelCard
    from segmentation.engine.inference import segment_raster
    from segmentation.engine.model import build_model
    from segmentation.engine.tiling import window_starts
    from segmentation.engine.weights import WeightsError, load_model, wrap_module

    torch.set_num_threads(int(torch.get_num_threads()))
    try:
        model = load_model(model_path)
    except WeightsError:
        model = wrap_module(build_model(4), ModelCard(), None)  # untrained: same cost
    x = np.random.default_rng(0).standard_normal((batch, 1, tile, tile)).astype(np.float32)
    model.predict_proba(x)  # warm-up

    def forward_batch_s(n: int) -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            model.predict_proba(x)
        return (time.perf_counter() - t0) / n

    # The bare forward pass is sampled before and after the pipeline: on a shared host the CPU's speed drifts
    # over a 15-minute run, and one short sample at one end can differ from the other by a third.
    fwd_before = forward_batch_s(20)
    # ...and timed inside the pipeline itself: every forward pass it makes, on its own windows, in the same
    # minutes as the rest of its work, so a drift of the host's speed moves both sides of that ratio alike.
    inner, spent = model.predict_proba, {"s": 0.0, "windows": 0}

    def timed_predict(b: np.ndarray) -> np.ndarray:
        t0 = time.perf_counter()
        out = inner(b)
        spent["s"] += time.perf_counter() - t0
        spent["windows"] += len(b)
        return out

    model.predict_proba = timed_predict  # type: ignore[method-assign,assignment]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.tif"
        write_input(src, size)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t = time.perf_counter()
        segment_raster(src, Path(tmp) / "m.tif", Path(tmp) / "c.tif", model, tile=tile, overlap=overlap,
                       batch_size=batch, dst_crater_view_path=Path(tmp) / "v.tif" if view else None)
        scales = (_multiscale(src, Path(tmp) / "m.tif", Path(tmp) / "c.tif", model, tile, overlap, batch)
                  if multiscale else [])
        pipe = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    model.predict_proba = inner  # type: ignore[method-assign,assignment]
    stride = tile - overlap
    n_tiles = len(window_starts(size, tile, stride)) ** 2 * (2 if view else 1)
    n_tiles += sum(len(window_starts(max(1, round(size * sc)), tile, stride)) ** 2 for sc in scales)
    fwd_after = forward_batch_s(20)
    batches = -(-n_tiles // batch)
    fwd = batches * (fwd_before + fwd_after) / 2
    mpx = size * size / 1e6
    return {"size": size, "tiles": n_tiles, "pipeline_s": pipe, "forward_s": fwd, "mpx_s_pipeline": mpx / pipe,
            "mpx_s_forward": mpx / fwd, "ratio": pipe / fwd, "peak_rss_mb": peak, "rss_before_mb": rss_before,
            "device": model.device, "views": 2 if view else 1, "levels": scales,
            "forward_batch_s_before_after": [fwd_before, fwd_after],
            "forward_in_run_s": spent["s"], "windows_in_run": spent["windows"],
            "mpx_s_forward_in_run": mpx / spent["s"] if spent["s"] else 0.0}


def _sizes() -> list[int]:
    return [int(v) for v in os.environ.get("BENCH_INFERENCE_SIZES", "2048,16384").split(",")]


def _measure(size: int, tile: int = 512, overlap: int = 64, batch: int = 4, view: bool = False,
             multiscale: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", str(size), "--tile", str(tile), "--overlap", str(overlap),
           "--batch-size", str(batch)]
    cmd += (["--contrast-view"] if view else []) + (["--multiscale"] if multiscale else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)  # noqa: S603 - our own script
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run() -> list[dict[str, object]]:
    """Rows for bench/run_all.py: pipeline throughput beside the bare forward pass, and peak memory, per size."""
    from _common import row  # bench/ is on sys.path (script dir, or run_all.py puts it there)

    rows: list[dict[str, object]] = []
    # the image's own level alone at every size; then segment's default (second view and every level)
    runs = [(s, False, False) for s in _sizes()] + [(s, True, True) for s in _sizes()]
    for size, view, multiscale in runs:
        r = _measure(size, view=view, multiscale=multiscale)
        label = (f"{size}x{size} px ({r['tiles']} tiles, {r['device']})"
                 + (" + crater second view" if view else "")
                 + (f" + levels {r['levels']}" if multiscale else ""))
        rows.append(dict(row(f"inference throughput {label}", r["mpx_s_pipeline"], "Mpx/s",
                             "bare forward pass, same tiles", r["mpx_s_forward"],
                             note="target: pipeline >= 0.75 x forward")))
        rows.append(dict(row(f"inference throughput {label}, forward timed in the same run", r["mpx_s_pipeline"],
                             "Mpx/s", "the pipeline's own forward passes", r["mpx_s_forward_in_run"],
                             note="target: pipeline >= 0.75 x forward")))
        rows.append(dict(row(f"inference peak RSS {label}", r["peak_rss_mb"], "MB", "target", 2048.0,
                             note="target: under 2 GB at 16k x 16k")))
    return rows


def main() -> int:
    """Parse args, run each size in a subprocess, print a table."""
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default=",".join(str(v) for v in _sizes()))
    p.add_argument("--model")
    p.add_argument("--tile", type=int, default=512)
    p.add_argument("--overlap", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--contrast-view", action="store_true", help="also run the crater second view")
    p.add_argument("--multiscale", action="store_true", help="also the extra levels, merge and class fusion")
    p.add_argument("--child", type=int, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        print(json.dumps(child(a.child, a.model, a.tile, a.overlap, a.batch_size, a.contrast_view, a.multiscale)),
              flush=True)
        return 0
    print(f"{'size':>7} {'tiles':>6} {'pipe s':>8} {'fwd s':>8} {'Mpx/s pipe':>10} {'Mpx/s fwd':>9} "
          f"{'pipe/fwd':>8} {'peak RSS MB':>11}", flush=True)
    for size in (int(s) for s in a.sizes.split(",")):
        cmd = [sys.executable, __file__, "--child", str(size), "--tile", str(a.tile), "--overlap", str(a.overlap),
               "--batch-size", str(a.batch_size)] + (["--model", a.model] if a.model else [])
        cmd += ["--contrast-view"] if a.contrast_view else []
        cmd += ["--multiscale"] if a.multiscale else []
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)  # noqa: S603 - our own script
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['size']:>7} {r['tiles']:>6} {r['pipeline_s']:>8.1f} {r['forward_s']:>8.1f} "
              f"{r['mpx_s_pipeline']:>10.2f} {r['mpx_s_forward']:>9.2f} {r['ratio']:>8.2f} {r['peak_rss_mb']:>11.0f}",
              flush=True)
        print(f"        forward pass per batch before / after the pipeline: "
              f"{r['forward_batch_s_before_after'][0]:.3f} / {r['forward_batch_s_before_after'][1]:.3f} s", flush=True)
        print(f"        forward passes inside the pipeline: {r['windows_in_run']} windows in "
              f"{r['forward_in_run_s']:.1f} s of {r['pipeline_s']:.1f} s, pipeline / forward throughput "
              f"{r['forward_in_run_s'] / r['pipeline_s']:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
