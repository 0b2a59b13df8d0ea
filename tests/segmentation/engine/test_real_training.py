"""Real labelled mosaics for training: crops stay in their training half, labels sit where the catalogues say."""

import numpy as np
import pytest

from segmentation.engine.classes import IGNORE_INDEX
from segmentation.engine.real_sets import HELD_OUT_LON
from segmentation.engine.real_training import (
    MOON_TRAIN_LON,
    GlobalMosaic,
    mars_mola_training,
    moon_dem_training,
)
from segmentation.engine.synthetic import CRATER, RIDGE
from tests.shared import require_shared_data


@pytest.fixture(scope="module")
def mola() -> GlobalMosaic:
    require_shared_data()
    return mars_mola_training()


@pytest.fixture(scope="module")
def moon() -> GlobalMosaic:
    require_shared_data()
    return moon_dem_training()


def test_no_crop_reaches_the_held_out_half(mola: GlobalMosaic, moon: GlobalMosaic) -> None:
    assert (mola.craters[:, 0] >= 0).all()  # the west half's labels are not even loaded
    assert (moon.craters[:, 0] < 0).all() and MOON_TRAIN_LON == (-180.0, 0.0)
    rng = np.random.default_rng(0)
    for mosaic in (mola, moon):
        for _ in range(300):
            c0, r0, scale = mosaic.window(rng, 256)
            lon0 = -180.0 + c0 * mosaic.deg_per_px
            lon1 = lon0 + mosaic.native_span(256, scale) * mosaic.deg_per_px
            lo, hi = mosaic.lon_range
            assert lo <= lon0 and lon1 <= hi + 1e-9, (mosaic.name, lon0, lon1)
    assert HELD_OUT_LON == (-180.0, 0.0) and mola.lon_range == (0.0, 180.0)


def test_a_big_catalogued_crater_is_labelled_at_its_place_and_size(mola: GlobalMosaic) -> None:
    c = mola.craters
    lon, lat, d_km = c[np.argmax(np.where(np.abs(c[:, 1]) < 20, c[:, 2], 0))]  # the biggest within 20 degrees
    assert d_km > 300
    scale, tile = 2.0, 256
    # put the crater's centre in the middle of the crop
    c0 = int(round((lon + 180.0) / mola.deg_per_px - tile / scale / 2))
    r0 = int(round((90.0 - lat) / mola.deg_per_px - tile / scale / 2))
    unit, mask = mola.crop_at(c0, r0, scale, tile, np.random.default_rng(0))
    cx = ((lon + 180.0) / mola.deg_per_px - c0) * scale
    cy = ((90.0 - lat) / mola.deg_per_px - r0) * scale
    assert mask[int(cy), int(cx)] == CRATER
    # its width along the row: D on the sphere, stretched by 1/cos(lat) on the lon/lat grid
    expected = np.degrees(d_km / mola.radius_km) / mola.deg_per_px * scale / np.cos(np.radians(lat))
    row = mask[int(cy)]
    run = np.flatnonzero(row != CRATER)
    left, right = run[run < cx].max(initial=-1), run[run > cx].min(initial=tile)
    assert abs((right - left - 1) - expected) < 0.1 * expected + 4 or right - left - 1 >= tile - 2
    assert unit.min() >= 0 and unit.max() <= 1 and unit.std() > 0.02


def test_labels_follow_visibility_latitude_and_ridges(mola: GlobalMosaic) -> None:
    rng = np.random.default_rng(3)
    counts = np.zeros(256, np.int64)
    for _ in range(40):
        unit, mask = mola.crop(rng, 256)
        counts += np.bincount(mask.ravel(), minlength=256)
    assert counts[CRATER] > 0 and counts[RIDGE] > 0 and counts[IGNORE_INDEX] > 0 and counts[0] > 0
    # beyond 30 degrees the catalogue has nothing: don't care, never background
    _, mask = mola.crop_at(600, 0, 1.0, 64, np.random.default_rng(0))  # rows of 90..67.5 N
    assert (mask == IGNORE_INDEX).all()


def test_moon_dem_is_shaded_under_a_random_sun(moon: GlobalMosaic) -> None:
    rng = np.random.default_rng(1)
    a, mask_a = moon.crop_at(100, 200, 2.0, 128, rng)
    b, mask_b = moon.crop_at(100, 200, 2.0, 128, rng)
    assert np.array_equal(mask_a, mask_b)  # same ground, same labels
    assert np.abs(a - b).mean() > 0.05  # another sun, another image
    assert (mask_a == CRATER).any() and a.min() >= 0 and a.max() <= 1
