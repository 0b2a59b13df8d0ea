from pathlib import Path

import pytest

from rasters.core.cog import make_cog
from rasters.core.errors import CorruptRaster, UnsupportedFormat
from rasters.core.safe_open import GDAL_SAFE_OPTIONS, open_own_cog
from tests.rasters.core import data


def test_own_cog_opens_with_gtiff_in_the_safe_env(tmp_path: Path) -> None:
    import rasterio

    cog = make_cog(data.make_uint16(tmp_path), tmp_path / "cog.tif")
    with open_own_cog(cog) as dataset:
        assert dataset.driver == "GTiff" and dataset.count == 1
        options = rasterio.env.getenv()
        assert all(options.get(key) == value for key, value in GDAL_SAFE_OPTIONS.items())


@pytest.mark.parametrize("path", ["/vsicurl/http://example.invalid/x.tif", "http://example.invalid/x.tif", "/vsimem/x"])
def test_own_cog_refuses_virtual_paths_and_urls(path: str) -> None:
    with pytest.raises(UnsupportedFormat), open_own_cog(path):
        pass


def test_own_cog_refuses_missing_files_and_non_tiffs(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat), open_own_cog(tmp_path / "missing.tif"):
        pass
    with pytest.raises(UnsupportedFormat), open_own_cog(tmp_path):
        pass
    vrt = tmp_path / "cog.tif"
    vrt.write_text('<VRTDataset rasterXSize="1" rasterYSize="1"></VRTDataset>')
    with pytest.raises(CorruptRaster), open_own_cog(vrt):  # only GTiff may open it
        pass
