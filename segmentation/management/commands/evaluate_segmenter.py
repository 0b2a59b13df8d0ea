"""``manage.py evaluate_segmenter [--model PATH]``: real-image figures first, then per-class IoU and crater P/R/F1."""

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
        parser.add_argument("--n-synthetic", type=int, default=64)
        parser.add_argument("--device", default=None)
        parser.add_argument("--tta", type=int, choices=(1, 2, 4), default=None,
                            help="forward passes per tile with mirrored copies (default: the model card's)")
        parser.add_argument("--no-contrast-view", action="store_true",
                            help="crater detections from the class mask only, without the local-contrast second view")
        parser.add_argument("--real-only", action="store_true",
                            help="only the real-image sets (MOLA vs Robbins, Knapmeyer ridges, NAC hold-outs, and the "
                                 "crops of $GEOPLANET_NAC_EXTRA when it is set), as JSON")
        parser.add_argument("--no-real", action="store_true", help="skip the real-image sets (synthetic only)")
        parser.add_argument("--single-scale", action="store_true", help="real sets: no extra pyramid levels")
        parser.add_argument("--no-light-check", action="store_true", help="real sets: keep craters lit like domes")
        parser.add_argument("--diagnose", action="store_true",
                            help="also break valley/ridge errors down: faint labels, boundary and far-off mistakes")

    def handle(self, *args: Any, **opts: Any) -> None:
        """Print the metric tables."""
        from segmentation.engine.evaluate import evaluate_model
        from segmentation.engine.weights import load_model

        model = load_model(opts["model"], opts["device"], tta=opts["tta"])
        # real images first: the figures the model card leads with
        import json

        from segmentation.engine.real_eval import evaluate_real

        if not opts["no_real"]:
            real = evaluate_real(model, multiscale=not opts["single_scale"], light_check=not opts["no_light_check"])
            self.stdout.write("real images: " + json.dumps(real, indent=1, default=float))
        if opts["real_only"]:
            return
        view = not opts["no_contrast_view"]
        report = evaluate_model(model, n_synthetic=opts["n_synthetic"], tile=model.card.tile_size, contrast_view=view)
        self.stdout.write(
            f"model {model.version}, test-time passes {model.tta}, crater second view {'on' if view else 'off'}\n"
            + report.format_table()
        )
        if opts["diagnose"]:
            from segmentation.engine.diagnostics import diagnose, format_diagnosis

            self.stdout.write(format_diagnosis(diagnose(model, n_synthetic=opts["n_synthetic"])))
