"""Time the raster core on the shared real data: inspect, COG, statistics, thumbnail and tiles.

Run: .venv/bin/python bench/bench_tiles_core.py  (reads $GEOPLANET_SHARED_DATA or ../shared/data).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rasters.core.cog import band_statistics, make_cog, make_thumbnail  # noqa: E402
from rasters.core.inspect import inspect_raster  # noqa: E402
from rasters.core.tiles import render_pixel_tile, render_tile, tms_for_body  # noqa: E402
from tests.shared import shared_data_dir  # noqa: E402


def _time(label: str, action: Callable[[], object], repeat: int = 5) -> None:
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        durations.append(time.perf_counter() - start)
    print(f"{label:<40} median {statistics.median(durations) * 1000:8.1f} ms")


def main() -> None:
    """Print median timings of each core operation."""
    data = shared_data_dir()
    mars = data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif"
    crop = data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"
    dem = data / "moon" / "moon_dem_global_IAU2015-30100.tif"
    nac = data / "moon-nac-craters" / "M115143943_mosaic_train_small.png"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        _time("inspect mars global", lambda: inspect_raster(mars))
        _time("make_cog moon dem", lambda: make_cog(dem, out / "dem.tif"), repeat=3)
        mars_cog, crop_cog, nac_cog = (make_cog(p, out / f"{p.stem}.cog.tif") for p in (mars, crop, nac))
        _time("band_statistics moon dem", lambda: band_statistics(out / "dem.tif"))
        _time("thumbnail mars global", lambda: make_thumbnail(mars_cog, out / "t.png"))
        mars_tms, moon_tms = tms_for_body("mars"), tms_for_body("moon")
        _time("tile z2 mars global", lambda: render_tile(mars_cog, 2, 4, 1, tms=mars_tms))
        _time("tile z3 eqc crop (warped)", lambda: render_tile(crop_cog, 3, 8, 2, tms=mars_tms))
        _time("tile z1 moon dem terrain", lambda: render_tile(out / "dem.tif", 1, 1, 0, tms=moon_tms,
                                                               colormap="terrain", stretch=(-4000, 4000)))
        _time("pixel tile z0 nac", lambda: render_pixel_tile(nac_cog, 0, 0, 0))


if __name__ == "__main__":
    main()
