"""Weight-space averages of two checkpoints of one network (WiSE-FT).

Fine-tuning the shipped weights on real images gains there and loses some of what the starting weights knew.
Wortsman et al. (2022), "Robust fine-tuning of zero-shot models", interpolate the two weight sets,
``(1 - alpha) * start + alpha * fine_tuned``, and find that the mix keeps most of both; ``alpha = 0.5`` is
their default. Both checkpoints must share one architecture and class list (a fine-tune of the other).

    python -m segmentation.engine.soup START FINE_TUNED --alpha 0.5 --version v6 --out DIR
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from pathlib import Path

from .classes import ModelCard
from .errors import WeightsError
from .weights import load_model, model_from_card, save_checkpoint


def _architecture(card: ModelCard) -> tuple[object, ...]:
    return (card.architecture, card.encoder, tuple(card.decoder_channels), card.in_channels,
            tuple((c.index, c.name) for c in card.classes))


def average_checkpoints(
    start: Path | str, fine_tuned: Path | str, alpha: float, *, version: str, out_dir: Path | str,
) -> Path:
    """Write ``(1 - alpha) * start + alpha * fine_tuned`` as a new checkpoint; return its path.

    Integer buffers (batch-norm step counters) come from ``fine_tuned``. The card is the fine-tuned one's, with
    its measured metrics dropped (they were not measured on the average) and the recipe recorded in ``config``.
    """
    if not 0.0 <= alpha <= 1.0:
        raise WeightsError(f"alpha must lie in [0, 1], not {alpha}")
    a = load_model(start, "cpu")
    b = load_model(fine_tuned, "cpu")
    if _architecture(a.card) != _architecture(b.card):
        raise WeightsError(f"{a.version} and {b.version} are not the same network; they cannot be averaged")
    sa, sb = a.module.state_dict(), b.module.state_dict()
    if sa.keys() != sb.keys():
        raise WeightsError(f"{a.version} and {b.version} hold different tensors")
    mixed = {
        k: ((1.0 - alpha) * sa[k] + alpha * sb[k]) if sb[k].is_floating_point() else sb[k].clone() for k in sb
    }
    card = dataclasses.replace(
        b.card,
        version=version,
        metrics={},
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        config={"weight_average": {"start": a.version, "fine_tuned": b.version, "alpha": alpha,
                                   "method": "WiSE-FT (Wortsman et al. 2022)"},
                "fine_tuned_config": b.card.config},
        training_data=f"weight average of {a.version} and {b.version} (alpha {alpha}); {b.card.training_data}",
    )
    module = model_from_card(card)
    module.load_state_dict(mixed)
    return save_checkpoint(module, card, out_dir)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("start", help="the starting (shipped) weights")
    p.add_argument("fine_tuned", help="weights fine-tuned from START")
    p.add_argument("--alpha", type=float, default=0.5, help="weight of FINE_TUNED (default 0.5)")
    p.add_argument("--version", required=True, help="version of the averaged checkpoint, e.g. v6")
    p.add_argument("--out", required=True, help="output directory")
    args = p.parse_args(argv)
    print(average_checkpoints(args.start, args.fine_tuned, args.alpha, version=args.version, out_dir=args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
