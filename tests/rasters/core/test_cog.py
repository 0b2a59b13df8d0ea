import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
from PIL import Image
from rio_cogeo.cogeo import cog_validate

from rasters.core.cog import band_statistics, make_cog, make_thumbnail
from rasters.core.errors import CorruptRaster, UnsupportedFormat
from rasters.core.inspect import inspect_raster
from tests.rasters.core import data


def test_cog_of_the_moon_dem_keeps_everything(moon_dem: Path, tmp_path: Path) -> None:
    cog = make_cog(moon_dem, tmp_path / "dem.tif")
    assert cog_validate(cog)[0]
    with rasterio.open(moon_dem) as src, rasterio.open(cog) as dst:
        assert dst.overviews(1)
        assert (dst.nodata, dst.scales, dst.offsets, dst.dtypes) == (-32768, (0.5,), (0.0,), ("int16",))
        assert dst.crs == src.crs and dst.transform == src.transform
        assert dst.block_shapes[0] == (256, 256)
        assert np.array_equal(dst.read(1), src.read(1))
    info = inspect_raster(cog)
    assert info.body is not None and info.body.body.slug == "moon" and info.overview_count >= 1


def test_cog_of_a_plain_png_stays_in_pixel_space(nac_png: Path, tmp_path: Path) -> None:
    cog = make_cog(nac_png, tmp_path / "nac.tif")
    with rasterio.open(cog) as dst:
        assert dst.crs is None and dst.transform.is_identity
        assert dst.overviews(1)


def test_cog_keeps_tags_scale_offset_and_alpha(tmp_path: Path) -> None:
    cog = make_cog(data.make_mars_dem_int16(tmp_path), tmp_path / "dem.cog.tif")
    with rasterio.open(cog) as dst:
        assert (dst.scales, dst.offsets) == ((0.5,), (-100.0,))
        assert dst.tags()["INSTRUMENT_ID"] == "HIRISE"
    cog = make_cog(data.make_rgb(tmp_path, bands=4), tmp_path / "rgba.cog.tif")
    with rasterio.open(cog) as dst:
        assert dst.colorinterp[3].name == "alpha"


def test_cog_refuses_hostile_input(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat):
        make_cog(data.make_vrt_disguised(tmp_path), tmp_path / "out.tif")
    with pytest.raises(CorruptRaster):
        make_cog(data.make_truncated(tmp_path), tmp_path / "out.tif")
    assert not (tmp_path / "out.tif").exists()


def test_thumbnail_is_a_real_picture(mars_global: Path, tmp_path: Path) -> None:
    cog = make_cog(mars_global, tmp_path / "mars.tif")
    png = make_thumbnail(cog, tmp_path / "thumb.png", max_size=200)
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size == (200, 100)
        pixels = np.asarray(image)
    assert pixels[..., 0].std() > 20
    assert (pixels[..., 0] > 200).any() and (pixels[..., 0] < 50).any()  # stretched to use the range


def test_thumbnail_of_rgba_is_transparent_where_alpha_is_zero(tmp_path: Path) -> None:
    cog = make_cog(data.make_rgb(tmp_path, bands=4), tmp_path / "rgba.cog.tif")
    with Image.open(make_thumbnail(cog, tmp_path / "thumb.png")) as image:
        assert image.mode == "RGBA"
        pixels = np.asarray(image)
    assert (pixels[:, :8, 3] == 0).all() and (pixels[:, 8:, 3] == 255).all()


def test_band_statistics_use_physical_units_and_skip_nodata(moon_dem: Path, tmp_path: Path) -> None:
    cog = make_cog(moon_dem, tmp_path / "dem.tif")
    (stats,) = band_statistics(cog)
    with rasterio.open(moon_dem) as src:
        raw = src.read(1, masked=True)
    metres = raw.compressed() * 0.5
    assert stats.min == metres.min() and stats.max == metres.max()
    assert stats.mean == pytest.approx(metres.mean())
    assert stats.p2 < stats.mean < stats.p98
    assert stats.valid_count == metres.size and not stats.sampled


def test_band_statistics_from_an_overview_on_large_images(mars_global: Path, tmp_path: Path) -> None:
    cog = make_cog(mars_global, tmp_path / "mars.tif")
    (stats,) = band_statistics(cog, max_size=256)
    (full,) = band_statistics(cog)
    assert stats.sampled and not full.sampled
    assert stats.valid_count == pytest.approx(full.valid_count, rel=0.01)
    assert stats.mean == pytest.approx(full.mean, rel=0.01)


def test_band_statistics_of_float_with_nan_nodata(tmp_path: Path) -> None:
    cog = make_cog(data.make_float32(tmp_path), tmp_path / "f.tif")
    (stats,) = band_statistics(cog)
    assert math.isfinite(stats.mean)
    assert stats.valid_count == 45 * 70
