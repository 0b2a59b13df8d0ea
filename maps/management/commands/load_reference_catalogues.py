"""Load the published crater catalogues of ../shared/data as reference craters (a reload replaces each)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maps.core.catalogues import CATALOGUES, CatalogueError, catalogue_spec
from maps.reference.services import catalogue_load
from rasters.demo import shared_data_dir


class Command(BaseCommand):
    help = "Load the Robbins & Hynek (Mars), Head et al. and LROC 5-20 km (Moon) catalogues with COPY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help=f"Catalogues to load (default all: "
                                                     f"{', '.join(s.slug for s in CATALOGUES)})")
        parser.add_argument("--data", type=Path, default=None, help="Shared data folder (default ../shared/data)")
        parser.add_argument("--file", type=Path, default=None, help="Read this file instead (one slug only)")

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = options["slugs"] or [s.slug for s in CATALOGUES]
        if options["file"] and len(slugs) != 1:
            raise CommandError("--file needs exactly one catalogue slug.")
        root = options["data"] or shared_data_dir()
        for slug in slugs:
            try:
                spec = catalogue_spec(slug)
            except KeyError as error:
                raise CommandError(str(error.args[0])) from None
            path = options["file"] or root / spec.path
            started = time.monotonic()
            try:
                catalogue = catalogue_load(spec, path)
            except CatalogueError as error:
                raise CommandError(f"{slug}: {error}") from None
            self.stdout.write(f"{spec.slug}: {catalogue.crater_count} craters of {catalogue.body.name} "
                              f"in {time.monotonic() - started:.1f} s")
