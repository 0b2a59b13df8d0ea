import io
from pathlib import Path

import numpy as np
import pyproj
import pytest
import rasterio
from morecantile import Tile
from PIL import Image

from rasters.core.bodies import body_geographic_crs, get_body
from rasters.core.cog import make_cog
from rasters.core.errors import CRSError
from rasters.core.tiles import encode_png, pixel_max_zoom, render_pixel_tile, render_tile, tms_for_body
from tests.rasters.core import data


def _pixels(png: bytes | None) -> np.ndarray:
    assert png is not None
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (256, 256)
        return np.asarray(image.convert("RGBA"))


@pytest.fixture(scope="module")
def crop_cog(mars_crop: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_cog(mars_crop, tmp_path_factory.mktemp("tiles") / "crop.tif")


def test_tms_matches_leaflet_epsg4326_in_the_body_crs() -> None:
    tms = tms_for_body(get_body("mars"))
    assert tms is tms_for_body("mars")
    mars = body_geographic_crs("mars")
    assert pyproj.CRS.from_user_input(tms.crs._pyproj_crs).equals(mars)
    assert tms.geographic_crs.equals(mars)
    assert not tms.geographic_crs.equals(pyproj.CRS("EPSG:4326"))
    matrix = tms.matrix(0)
    assert (matrix.matrixWidth, matrix.matrixHeight, matrix.tileWidth) == (2, 1, 256)
    assert tuple(tms.xy_bounds(Tile(0, 0, 0))) == pytest.approx((-180, -90, 0, 90))
    assert tuple(tms.xy_bounds(Tile(5, 1, 2))) == pytest.approx((45, 0, 90, 45))
    assert tms_for_body("earth").crs._pyproj_crs.to_epsg() == 4326


def test_projected_mars_crop_is_warped_into_mars_lonlat(crop_cog: Path) -> None:
    tms = tms_for_body("mars")
    # Zoom 2 tile x=4, y=1 covers 0..45 E, 0..45 N: the crop fills 0..45 E, 0..30 N of it.
    pixels = _pixels(render_tile(crop_cog, 2, 4, 1, tms=tms))
    inside, outside = pixels[120:250, 10:250], pixels[:70]
    assert (outside[..., 3] == 0).all()
    assert (inside[..., 3] == 255).all()
    assert inside[..., 0].std() > 10


def test_tile_outside_the_image_is_none(crop_cog: Path) -> None:
    assert render_tile(crop_cog, 0, 0, 0, tms=tms_for_body("mars")) is None
    assert render_tile(crop_cog, 3, 0, 0, tms=tms_for_body("mars")) is None


def test_mars_file_cannot_be_tiled_on_an_earth_or_moon_grid(crop_cog: Path) -> None:
    with pytest.raises(CRSError):
        render_tile(crop_cog, 0, 1, 0, tms=tms_for_body("earth"))
    with pytest.raises(CRSError):
        render_tile(crop_cog, 0, 1, 0, tms=tms_for_body("moon"))


def test_pixel_space_image_has_no_geographic_tiles(nac_png: Path, tmp_path: Path) -> None:
    cog = make_cog(nac_png, tmp_path / "nac.tif")
    with pytest.raises(CRSError):
        render_tile(cog, 0, 0, 0, tms=tms_for_body("moon"))


def test_global_mars_tile(mars_global: Path, tmp_path: Path) -> None:
    cog = make_cog(mars_global, tmp_path / "mars.tif")
    pixels = _pixels(render_tile(cog, 0, 1, 0, tms=tms_for_body("mars")))
    assert pixels[..., 0].std() > 10 and (pixels[..., 3] == 255).all()


def test_dem_tile_uses_the_colormap(moon_dem: Path, tmp_path: Path) -> None:
    cog = make_cog(moon_dem, tmp_path / "dem.tif")
    tms = tms_for_body("moon")
    coloured = _pixels(render_tile(cog, 1, 1, 0, tms=tms, colormap="terrain", stretch=(-4000.0, 4000.0)))
    grey = _pixels(render_tile(cog, 1, 1, 0, tms=tms, stretch=(-4000.0, 4000.0)))
    assert (grey[..., 0] == grey[..., 1]).all()
    assert (coloured[..., 0] != coloured[..., 1]).mean() > 0.5
    assert len(np.unique(coloured[..., :3].reshape(-1, 3), axis=0)) > 50
    default = _pixels(render_tile(cog, 1, 1, 0, tms=tms))  # default 2-98 % stretch from the COG
    assert default[..., 0].std() > 10


def test_rgba_tile_alpha_and_uint16_tile(tmp_path: Path) -> None:
    rgba = make_cog(data.make_rgb(tmp_path, bands=4), tmp_path / "rgba.cog.tif")
    # 10..13.2 E, 16.8..20 N on the Moon; zoom 5 tile (x=33, y=10) covers 5.6..11.25 E, 11.25..16.9 N.
    tms = tms_for_body("moon")
    x, y, z = tms.tile(11.0, 18.0, 6)
    pixels = _pixels(render_tile(rgba, z, x, y, tms=tms))
    assert (pixels[..., 3] == 0).any() and (pixels[..., 3] == 255).any()
    assert len(np.unique(pixels[..., 0][pixels[..., 3] == 255])) > 10

    uint16 = make_cog(data.make_uint16(tmp_path), tmp_path / "u16.cog.tif")
    mars = tms_for_body("mars")
    x, y, z = mars.tile(2.3, 2.7, 6)
    pixels = _pixels(render_tile(uint16, z, x, y, tms=mars))
    assert pixels[..., 0][pixels[..., 3] == 255].std() > 10


def test_pixel_max_zoom() -> None:
    assert pixel_max_zoom(256, 100) == 0
    assert pixel_max_zoom(800, 800) == 2
    assert pixel_max_zoom(1025, 10) == 3


def test_pixel_space_tiles(nac_png: Path, tmp_path: Path) -> None:
    cog = make_cog(nac_png, tmp_path / "nac.tif")  # 800 x 800: max zoom 2
    whole = _pixels(render_pixel_tile(cog, 0, 0, 0))
    # At zoom 0 the tile covers 1024 px: the image fills 800/1024 of it, the rest is transparent.
    assert (whole[:190, :190, 3] == 255).all() and (whole[:, 205:, 3] == 0).all()
    assert whole[:190, :190, 0].std() > 10
    full_res = _pixels(render_pixel_tile(cog, 2, 1, 1))
    with Image.open(nac_png) as image:
        source = np.asarray(image.convert("L"))[256:512, 256:512]
    # Full resolution, 8-bit: the tile is the image's own pixels.
    assert np.array_equal(full_res[..., 0], source)
    edge = _pixels(render_pixel_tile(cog, 2, 3, 3))  # 768..800 px: 32 px of image
    assert (edge[:32, :32, 3] == 255).all() and (edge[32:, :, 3] == 0).all()
    assert render_pixel_tile(cog, 2, 4, 0) is None
    assert render_pixel_tile(cog, 0, 1, 0) is None
    assert render_pixel_tile(cog, -1, 0, 0) is not None  # zooming out further still works
    assert _pixels(render_pixel_tile(cog, 3, 2, 2)).shape == (256, 256, 4)  # over-zoom magnifies


def test_pixel_space_dem_tile_with_colormap(tmp_path: Path) -> None:
    cog = make_cog(data.make_plain_tiff(tmp_path), tmp_path / "plain.cog.tif")
    pixels = _pixels(render_pixel_tile(cog, 1, 0, 0, colormap="viridis", stretch=(0, 255)))
    assert (pixels[..., 0] != pixels[..., 1]).any()


@pytest.mark.parametrize("channels, mode", [(1, "L"), (2, "LA"), (3, "RGB"), (4, "RGBA")])
def test_encode_png_round_trips_through_pillow(channels: int, mode: str) -> None:
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(37, 53, channels), dtype=np.uint8)
    pixels[5:9] = pixels[4]  # repeated rows: the "up" filter's zero differences
    for level in (1, 6):
        with Image.open(io.BytesIO(encode_png(pixels, level))) as image:
            assert (image.format, image.mode, image.size) == ("PNG", mode, (53, 37))
            assert np.array_equal(np.asarray(image).reshape(pixels.shape), pixels)


def test_zoomed_in_tiles_show_the_images_own_pixels(mars_global: Path, tmp_path: Path) -> None:
    cog = make_cog(mars_global, tmp_path / "mars.tif")  # 1024 x 512 px: zoom 1 is full resolution
    tms = tms_for_body("mars")
    with rasterio.open(cog) as dataset:
        source = dataset.read(1)
    # Zoom 3 tile (x=9, y=1) covers 22.5..45 E, 67.5..45 N: source rows 64..128, columns 576..640, 4x4 each.
    pixels = _pixels(render_tile(cog, 3, 9, 1, tms=tms, stretch=(0.0, 255.0)))
    assert np.array_equal(pixels[::4, ::4, 0], source[64:128, 576:640])
    assert np.array_equal(pixels[3::4, 3::4, 0], source[64:128, 576:640])
    # Zoomed out (two source pixels per tile pixel) is smoothed, not a copy of every other pixel.
    whole = _pixels(render_tile(cog, 0, 1, 0, tms=tms, stretch=(0.0, 255.0)))
    assert not np.array_equal(whole[..., 0], source[:, 512::2][::2])


def test_memoised_grid_check_still_refuses_another_body(crop_cog: Path) -> None:
    assert render_tile(crop_cog, 2, 4, 1, tms=tms_for_body("mars")) is not None
    with pytest.raises(CRSError):
        render_tile(crop_cog, 2, 4, 1, tms=tms_for_body("moon"))
    with pytest.raises(CRSError):
        render_tile(crop_cog, 2, 4, 1, tms=tms_for_body("moon"))  # a refusal is not memoised as a pass


def test_a_tile_the_image_covers_has_no_alpha_channel(crop_cog: Path, mars_global: Path, tmp_path: Path) -> None:
    tms = tms_for_body("mars")
    covered = render_tile(make_cog(mars_global, tmp_path / "mars.tif"), 2, 4, 1, tms=tms)
    partly = render_tile(crop_cog, 2, 4, 1, tms=tms)  # the crop fills 0..30 N of the tile's 0..45 N
    assert covered is not None and partly is not None
    with Image.open(io.BytesIO(covered)) as opaque, Image.open(io.BytesIO(partly)) as edge:
        assert (opaque.mode, edge.mode) == ("L", "LA")
    assert _pixels(covered)[..., 3].min() == 255 and _pixels(covered)[..., 0].std() > 10
