"""Measure the canyon scale target: how much of a canyon ten times wider than the training valleys is mapped.

    .venv/bin/python scripts/canyon_scale.py [--model weights.pt] [--size 2048] [--width 300] [--seeds 0 1 2]

Prints, per scene, the share of the canyon's pixels labelled valley at the image's level alone and after the
multi-scale fusion, the share of the plateau called valley, and the craters detected (the scene has none).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    """CLI."""
    from segmentation.engine.canyon_eval import canyon_scores
    from segmentation.engine.weights import load_model

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model")
    p.add_argument("--size", type=int, default=2048)
    p.add_argument("--width", type=float, default=300.0)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = p.parse_args(argv)
    model = load_model(args.model, "cpu")
    for seed in args.seeds:
        print(json.dumps({"model": model.version, "seed": seed,
                          **canyon_scores(model, size=args.size, width=args.width, seed=seed)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
