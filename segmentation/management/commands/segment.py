"""``manage.py segment INPUT --out OUT.geojson [--catalog OUT.csv] [--model PATH] [--body SLUG]`` (no database)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    """Thin wrapper over ``segmentation.engine.pipeline.segment_file``."""

    help = "Segment craters, valleys and ridges in a GeoTIFF or plain image; write GeoJSON (+ crater CSV)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the CLI."""
        parser.add_argument("input")
        parser.add_argument("--out", required=True, help="output GeoJSON path")
        parser.add_argument("--catalog", help="output crater CSV path")
        parser.add_argument("--model", help="weights file (default: newest shipped)")
        parser.add_argument("--body", help="body slug overriding the CRS ellipsoid (moon, mars, ...)")
        parser.add_argument("--tile", type=int, default=None)
        parser.add_argument("--batch-size", type=int, default=4)
        parser.add_argument("--tta", type=int, choices=(1, 2, 4), default=None,
                            help="forward passes per tile with mirrored copies (default: the model card's)")
        parser.add_argument("--no-contrast-view", action="store_true",
                            help="craters from the class mask only, without the local-contrast second view")

    def handle(self, *args: Any, **opts: Any) -> None:
        """Run the pipeline and report counts."""
        from segmentation.engine.errors import SegmentationError
        from segmentation.engine.pipeline import segment_file

        try:
            out = segment_file(opts["input"], opts["out"], catalog_csv=opts["catalog"], model_path=opts["model"],
                               body=opts["body"], tile=opts["tile"], batch_size=opts["batch_size"],
                               tta=opts["tta"], contrast_view=not opts["no_contrast_view"])
        except (SegmentationError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        counts: dict[str, int] = {}
        for f in out.features:
            counts[f.class_name] = counts.get(f.class_name, 0) + 1
        self.stdout.write(f"{out.geojson_path}: {counts} (body {out.body}, model {out.model_version})")
