"""Demo content of the maps app: the published crater catalogues of ../shared/data as reference layers."""

from __future__ import annotations

import time
from typing import Any

from maps.core.catalogues import CATALOGUES, CatalogueError
from maps.reference.services import catalogue_load
from rasters.demo import shared_data_dir


def seed(user: Any, stdout: Any) -> None:
    """Load every catalogue found (about 5 s for the 250k craters); a missing file is reported, not fatal."""
    root = shared_data_dir()
    for spec in CATALOGUES:
        path = root / spec.path
        if not path.is_file():
            stdout.write(f"Reference catalogue {spec.slug}: {path} not found, skipped.")
            continue
        started = time.monotonic()
        try:
            catalogue = catalogue_load(spec, path)
        except CatalogueError as error:
            stdout.write(f"Reference catalogue {spec.slug} not loaded: {error}")
            continue
        stdout.write(f"Reference catalogue {spec.name}: {catalogue.crater_count} craters "
                     f"in {time.monotonic() - started:.1f} s")
