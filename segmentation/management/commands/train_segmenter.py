"""``manage.py train_segmenter [--config cfg.json] [--out DIR] [--steps N] [--seed S] [--device auto]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    """Thin wrapper: passes its arguments to ``python -m segmentation.engine.train``."""

    help = "Train the segmenter (seeded) and write hashed weights + model card."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        """Everything after the command name goes to the engine's own argument parser."""
        parser.add_argument("engine_args", nargs="*", help="e.g. --out DIR --steps 900 --seed 0 --device auto")

    def run_from_argv(self, argv: list[str]) -> None:
        """Forward raw options (``--steps`` etc.) untouched to the engine parser."""
        from segmentation.engine.train import main

        main(argv[2:])

    def handle(self, *args: Any, **opts: Any) -> None:
        """Programmatic use: ``call_command('train_segmenter', '--steps', '10')``."""
        from segmentation.engine.train import main

        main(list(opts["engine_args"]))
