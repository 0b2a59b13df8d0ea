"""Fixtures for the raster core: the shared real data and generated rasters."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shared import require_shared_data


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real data folder; a missing one fails the tests that need it."""
    return require_shared_data()


@pytest.fixture(scope="session")
def mars_global(shared_data: Path) -> Path:
    """MOLA shaded relief, Mars geographic IAU_2015:49900, 1024 x 512."""
    return shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif"


@pytest.fixture(scope="session")
def mars_crop(shared_data: Path) -> Path:
    """MOLA shaded relief crop in Mars equirectangular metres (IAU_2015:49910), 0..60 E, 30 S..30 N."""
    return shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"


@pytest.fixture(scope="session")
def moon_wac(shared_data: Path) -> Path:
    """Moon WAC reflectance mosaic, IAU_2015:30100."""
    return shared_data / "moon" / "moon_wac_global_IAU2015-30100.tif"


@pytest.fixture(scope="session")
def moon_dem(shared_data: Path) -> Path:
    """Moon Int16 DEM, scale 0.5, nodata -32768, IAU_2015:30100."""
    return shared_data / "moon" / "moon_dem_global_IAU2015-30100.tif"


@pytest.fixture(scope="session")
def nac_png(shared_data: Path) -> Path:
    """A plain (not georeferenced) 800 x 800 LRO NAC PNG."""
    return shared_data / "moon-nac-craters" / "M115143943_mosaic_train_small.png"
