import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rasters.core.errors import (
    CorruptRaster,
    CRSError,
    EmptyFile,
    RasterError,
    RasterTooLarge,
    UnsupportedFormat,
    UnsupportedLayout,
)
from rasters.core.inspect import Limits, inspect_raster, open_raster
from tests.rasters.core import data

MARS_R_KM = 3396.19


def test_mars_global(mars_global: Path) -> None:
    info = inspect_raster(mars_global)
    assert info.body is not None and info.body.body.slug == "mars" and not info.body.is_earth
    assert info.georeferenced
    assert info.footprint is not None
    assert info.footprint.bounds == pytest.approx((-180, -90, 180, 90))
    assert info.footprint_area_km2 == pytest.approx(4 * math.pi * MARS_R_KM**2, rel=0.01)
    assert info.pixel_size_m == pytest.approx((20_838.76, 20_838.76), rel=1e-4)
    assert (info.width, info.height, info.nodata) == (1024, 512, 0)


def test_mars_equirectangular_crop(mars_crop: Path) -> None:
    info = inspect_raster(mars_crop)
    assert info.body is not None and info.body.body.slug == "mars"
    assert info.footprint is not None
    west, south, east, north = info.footprint.bounds
    assert west == pytest.approx(0, abs=0.1) and east == pytest.approx(60, abs=0.1)
    assert south == pytest.approx(-30, abs=0.1) and north == pytest.approx(30, abs=0.1)
    # The grid is 178 px of 20 km (60.06 deg x 60.06 deg), a little more than the 0..60, -30..30 box.
    assert info.footprint_area_km2 == pytest.approx(MARS_R_KM**2 * math.pi / 3, rel=0.01)
    assert info.footprint_area_km2 == pytest.approx(MARS_R_KM**2 * math.pi / 3, rel=0.002)
    assert info.pixel_size_m == (20_000, 20_000)


def test_moon_dem(moon_dem: Path) -> None:
    info = inspect_raster(moon_dem)
    assert info.body is not None and info.body.body.slug == "moon"
    assert (info.dtype, info.nodata, info.scales) == ("int16", -32768, [0.5])
    assert info.footprint_area_km2 == pytest.approx(4 * math.pi * 1737.4**2, rel=0.001)


def test_moon_wac(moon_wac: Path) -> None:
    info = inspect_raster(moon_wac)
    assert info.body is not None and info.body.body.slug == "moon"


def test_plain_png_stays_in_pixel_space(nac_png: Path) -> None:
    info = inspect_raster(nac_png)
    assert (info.driver, info.georeferenced, info.body, info.footprint) == ("PNG", False, None, None)
    assert (info.width, info.height) == (800, 800)


def test_forcing_another_body_raises_crs_error(mars_crop: Path) -> None:
    with pytest.raises(CRSError):
        inspect_raster(mars_crop, body_slug="moon")
    with pytest.raises(CRSError):
        inspect_raster(mars_crop, body_slug="earth")


def test_generated_dem_metadata_and_scale(tmp_path: Path) -> None:
    info = inspect_raster(data.make_mars_dem_int16(tmp_path))
    assert (info.scales, info.offsets, info.nodata) == ([0.5], [-100.0], -32768)
    assert info.metadata["SPACECRAFT_NAME"] == "MARS RECONNAISSANCE ORBITER"
    assert info.metadata["INSTRUMENT_ID"] == "HIRISE"
    assert info.acquired_at == datetime(2008, 5, 25, 23, 53, 44, tzinfo=UTC)


@pytest.mark.parametrize(("maker", "slug", "parts"), [
    (data.make_moon_antimeridian, "moon", 2),
    (data.make_mars_north_pole, "mars", 1),
    (data.make_earth, "earth", 1),
    (data.make_uint16, "mars", 1),
    (data.make_float32, "moon", 1),
])
def test_generated_georeferenced(tmp_path: Path, maker: Callable[[Path], Path], slug: str, parts: int) -> None:
    info = inspect_raster(maker(tmp_path))
    assert info.body is not None and info.body.body.slug == slug
    assert info.footprint is not None
    assert len(getattr(info.footprint, "geoms", [info.footprint])) == parts
    assert info.body.is_earth == (slug == "earth")


@pytest.mark.parametrize("maker", [data.make_plain_tiff, data.make_png, data.make_jpeg])
def test_plain_images_are_not_georeferenced(tmp_path: Path, maker: Callable[[Path], Path]) -> None:
    info = inspect_raster(maker(tmp_path))
    assert not info.georeferenced and info.footprint is None


@pytest.mark.parametrize(("maker", "error"), [
    (data.make_vrt_disguised, UnsupportedFormat),
    (data.make_pds3_detached, UnsupportedFormat),
    (data.make_truncated, CorruptRaster),
    (data.make_empty, EmptyFile),
    (data.make_png_bomb, RasterTooLarge),
    (data.make_random_bytes, UnsupportedFormat),
    (data.make_text_as_tif, UnsupportedFormat),
    (data.make_html, UnsupportedFormat),
    (data.make_zip, UnsupportedFormat),
    (data.make_too_many_bands, UnsupportedLayout),
    (data.make_complex, UnsupportedLayout),
])
def test_hostile_inputs(tmp_path: Path, maker: Callable[[Path], Path], error: type[RasterError]) -> None:
    with pytest.raises(error) as caught:
        inspect_raster(maker(tmp_path))
    assert caught.value.code == error.code
    assert str(tmp_path) not in caught.value.message


def test_bomb_under_the_pixel_limit_is_caught_by_its_compression_ratio(tmp_path: Path) -> None:
    bomb = data.make_png_bomb(tmp_path, side=30_000)
    with pytest.raises(RasterTooLarge, match="file size"):
        inspect_raster(bomb, Limits(max_pixels=10**10))


def test_limits_on_bytes_pixels_dimension_and_bands(tmp_path: Path) -> None:
    path = data.make_earth(tmp_path)
    with pytest.raises(RasterTooLarge):
        inspect_raster(path, Limits(max_bytes=100))
    with pytest.raises(RasterTooLarge):
        inspect_raster(path, Limits(max_pixels=100))
    with pytest.raises(RasterTooLarge):
        inspect_raster(path, Limits(max_dimension=39))
    with pytest.raises(UnsupportedLayout):
        inspect_raster(data.make_rgb(tmp_path), Limits(max_bands=2))


@pytest.mark.parametrize("path", ["/vsicurl/http://example.com/a.tif", "https://example.com/a.tif",
                                  "/vsizip//tmp/a.zip/a.tif"])
def test_virtual_paths_and_urls_are_refused(path: str) -> None:
    with pytest.raises(UnsupportedFormat):
        with open_raster(path):
            pass


def test_sidecar_files_are_not_read(tmp_path: Path) -> None:
    path = data.make_plain_tiff(tmp_path)
    # A sidecar that would give the plain TIFF a CRS and a geotransform if GDAL read it.
    Path(f"{path}.aux.xml").write_text(
        '<PAMDataset><SRS>GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
        'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]</SRS>'
        "<GeoTransform>0, 1, 0, 0, 0, -1</GeoTransform></PAMDataset>"
    )
    (tmp_path / "plain.tfw").write_text("1\n0\n0\n-1\n10\n10\n")
    with open_raster(path) as dataset:
        assert dataset.crs is None and dataset.transform.is_identity
        assert dataset.files == [str(path)]


def _striped(directory: Path, rows_per_strip: int, side: int = 256) -> Path:
    """A deflated GeoTIFF in strips of ``rows_per_strip`` rows, random content so every strip is distinct."""
    pixels = np.random.default_rng(0).integers(0, 255, (1, side, side), dtype=np.uint8)
    return data._write(directory / f"strips{rows_per_strip}.tif", pixels, compress="deflate",
                       blockysize=rows_per_strip)


def _damage_block(path: Path, row: int) -> None:
    with open_raster(path) as src:
        offset = int(src.get_tag_item(f"BLOCK_OFFSET_0_{row}", "TIFF", bidx=1))
        size = int(src.get_tag_item(f"BLOCK_SIZE_0_{row}", "TIFF", bidx=1))
    raw = bytearray(path.read_bytes())
    raw[offset:offset + size] = b"\xff" * size  # not a deflate stream any more
    path.write_bytes(bytes(raw))


def test_huge_compressed_blocks_are_refused(tmp_path: Path) -> None:
    # one strip of 256 x 256 bytes: every read of any row would inflate all of it
    single = _striped(tmp_path, 256)
    with pytest.raises(RasterTooLarge, match="blocks of"):
        inspect_raster(single, Limits(max_block_bytes=60_000))
    assert inspect_raster(_striped(tmp_path, 16), Limits(max_block_bytes=60_000)).width == 256


def test_large_image_request_check_reads_a_bounded_sample(tmp_path: Path) -> None:
    path = _striped(tmp_path, 16)  # 16 strips of 4 KiB
    _damage_block(path, 7)
    with pytest.raises(CorruptRaster):  # small enough to be decoded whole in the request
        inspect_raster(path)
    # over the check budget only evenly spaced strips are read: strip 7 of 0..15 is not among 0, 5, 10, 15
    assert inspect_raster(path, Limits(max_check_bytes=4 * 4096)).height == 256
    # the conversion in the worker reads every pixel and reports the damage
    from rasters.core.cog import make_cog

    with pytest.raises(CorruptRaster):
        make_cog(path, tmp_path / "cog.tif")
    assert not (tmp_path / "cog.tif").exists()


def test_sampled_check_always_reads_the_last_block(tmp_path: Path) -> None:
    path = _striped(tmp_path, 16)
    _damage_block(path, 15)
    with pytest.raises(CorruptRaster):
        inspect_raster(path, Limits(max_check_bytes=2 * 4096))


class _CountingReads:
    """A dataset proxy that records the windows read."""

    def __init__(self, dataset: object) -> None:
        self._dataset = dataset
        self.windows: list[Any] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._dataset, name)

    def read(self, *args: object, window: object = None, **kwargs: object) -> object:
        self.windows.append(window)
        return self._dataset.read(*args, window=window, **kwargs)  # type: ignore[attr-defined]


def test_request_check_makes_few_reads_even_with_tiny_tiles(tmp_path: Path) -> None:
    from rasters.core.inspect import _check_decodes

    pixels = np.random.default_rng(0).integers(0, 255, (1, 1024, 1024), dtype=np.uint8)
    path = data._write(tmp_path / "tiny-tiles.tif", pixels, compress="deflate", tiled=True, blockxsize=16,
                       blockysize=16)  # 4,096 tiles of 256 bytes
    with open_raster(path) as dataset:
        whole = _CountingReads(dataset)
        _check_decodes(whole, Limits())  # type: ignore[arg-type]
        assert len(whole.windows) == 1  # 1 MiB: every pixel, in one strip
        sample = _CountingReads(dataset)
        _check_decodes(sample, Limits(max_check_bytes=10_000_000 // 1024))  # type: ignore[arg-type]
        assert 2 <= len(sample.windows) <= 256
        last = sample.windows[-1]
        assert (last.col_off, last.row_off) == (1008, 1008)  # the last tile is always among them
