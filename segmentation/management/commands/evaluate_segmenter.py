"""``manage.py evaluate_segmenter [--model PATH]``: per-class IoU and crater P/R/F1 per diameter bin."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    """Thin wrapper over ``segmentation.engine.evaluate.evaluate_model``."""

    help = "Evaluate weights on the synthetic hold-out and the held-out real NAC images."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the CLI."""
        parser.add_argument("--model", help="weights file (default: newest shipped)")
        parser.add_argument("--n-synthetic", type=int, default=32)
        parser.add_argument("--device", default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        """Print the metric tables."""
        from segmentation.engine.evaluate import evaluate_model
        from segmentation.engine.weights import load_model

        model = load_model(opts["model"], opts["device"])
        report = evaluate_model(model, n_synthetic=opts["n_synthetic"], tile=model.card.tile_size)
        self.stdout.write(f"model {model.version}\n" + report.format_table())
