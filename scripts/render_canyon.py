"""Draw the default pipeline's map of generated canyon scenes, for the model card.

    .venv/bin/python scripts/render_canyon.py [--model weights.pt] [--seeds 3 4] [--out DIR]

Writes ``V_canyon_seed<S>.jpg`` per seed: the scene (2048 px, a 300 px canyon, ten times the widest training
valley, sun from 50 degrees at 25 degrees elevation) at half size, the canyon's true edges (cyan), what the
pipeline maps as valley (blue) and the craters it keeps after the light check (red; the scene has none).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if TYPE_CHECKING:
    from segmentation.engine.canyon_eval import CanyonRun

RED, CYAN, BLUE = (235, 60, 40), (40, 220, 235), (70, 140, 255)


def render(run: CanyonRun, valley: int, scale: float = 0.5) -> Image.Image:
    """The scene with the valley mask tinted, the truth's edges and the kept craters drawn."""
    from scipy import ndimage

    from segmentation.engine.terrain_extras import VALLEY

    grey = (np.clip(run.image, 0, 1) * 255).astype(np.uint8)
    rgb = np.stack([grey] * 3, axis=-1).astype(np.float32)
    mapped = run.mask == valley
    rgb[mapped] = rgb[mapped] * 0.45 + np.array(BLUE) * 0.55
    truth = run.truth == VALLEY
    edge = truth & ~ndimage.binary_erosion(truth, iterations=3)
    rgb[edge] = CYAN
    img = Image.fromarray(rgb.astype(np.uint8)).resize(
        (round(grey.shape[1] * scale), round(grey.shape[0] * scale)), Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(img)
    for d in run.craters:
        r = d.diameter / 2 * scale
        draw.ellipse([d.cx * scale - r, d.cy * scale - r, d.cx * scale + r, d.cy * scale + r], outline=RED, width=2)
    return img


def main(argv: list[str] | None = None) -> int:
    """CLI."""
    from segmentation.engine.canyon_eval import canyon_run
    from segmentation.engine.classes import model_class_index
    from segmentation.engine.weights import load_model

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model")
    p.add_argument("--seeds", type=int, nargs="+", default=[3, 4])
    p.add_argument("--out", default="segmentation/weights/figures")
    args = p.parse_args(argv)
    model = load_model(args.model, "cpu")
    valley = model_class_index(model).get("valley", 2)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for seed in args.seeds:
        path = out / f"{model.version}_canyon_seed{seed}.jpg"
        render(canyon_run(model, seed=seed), valley).save(path, quality=80)
        print(path, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
