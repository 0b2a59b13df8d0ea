"""The crater light check: bowls and domes rendered under a known sun, the sun found back, shadows refused."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from segmentation.engine import light
from segmentation.engine.instances import CraterDetection

SIZE = 256


def hillshade(z: np.ndarray, azimuth_deg: float, elevation_deg: float = 30.0) -> np.ndarray:
    """Lambertian shading of a height field (x right, y down) under a sun at ``azimuth_deg`` clockwise from up."""
    gy, gx = np.gradient(z)
    a, e = np.radians(azimuth_deg), np.radians(elevation_deg)
    sun = np.array([np.sin(a) * np.cos(e), -np.cos(a) * np.cos(e), np.sin(e)])
    n = np.stack([-gx, -gy, np.ones_like(z)])
    n /= np.linalg.norm(n, axis=0)
    return np.clip(np.tensordot(sun, n, axes=1), 0, 1) * 200 + 20


def relief(spots: Sequence[tuple[float, float, float, float]]) -> np.ndarray:
    """Height field with paraboloid bowls (sign -1) and domes (+1): (cx, cy, diameter, sign)."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    z = np.zeros((SIZE, SIZE))
    for cx, cy, d, sign in spots:
        r2 = ((xx - cx) ** 2 + (yy - cy) ** 2) / (d / 2) ** 2
        z += np.where(r2 < 1, sign * (1 - r2) * d * 0.2, 0)
    return z


SPOTS = [(40, 40, 30, -1), (120, 50, 24, -1), (200, 45, 36, -1), (50, 130, 20, -1), (130, 130, 40, -1),
         (210, 130, 28, -1), (60, 210, 32, 1), (150, 205, 26, -1), (215, 215, 22, 1)]


def candidates() -> list[tuple[float, float, float, float]]:
    return [(cx, cy, d, 1.0) for cx, cy, d, _ in SPOTS]


@pytest.mark.parametrize("azimuth", [0.0, 47.0, 135.0, 230.0, 315.0])
def test_bowls_score_as_craters_domes_as_domes(azimuth: float) -> None:
    image = hillshade(relief(SPOTS), azimuth)
    scores = light.shading_scores(image, None, candidates(), azimuth)
    signs = np.array([s for *_, s in SPOTS])
    assert (scores[signs < 0] > 0.5).all(), scores
    assert (scores[signs > 0] < -0.5).all(), scores
    # the opposite sun makes every bowl a dome
    flipped = light.shading_scores(image, None, candidates(), azimuth + 180)
    assert (flipped[signs < 0] < -0.5).all()


@pytest.mark.parametrize("azimuth", [10.0, 100.0, 200.0, 290.0])
def test_sun_azimuth_found_from_the_candidates(azimuth: float) -> None:
    image = hillshade(relief(SPOTS), azimuth)
    estimate = light.estimate_sun_azimuth(image, None, candidates())
    assert estimate is not None and estimate.votes == len(SPOTS)
    error = (estimate.azimuth_deg - azimuth + 180) % 360 - 180
    assert abs(error) < 10, estimate
    assert light.estimate_sun_azimuth(image, None, candidates()[:2]) is None


def dets(spots: Sequence[tuple[float, float, float, float]]) -> list[CraterDetection]:
    return [CraterDetection(cx, cy, d, 0.9, int(np.pi * d * d / 4), i + 1) for i, (cx, cy, d, _) in enumerate(spots)]


def test_check_drops_domes_and_cast_shadows_and_keeps_scores() -> None:
    image = hillshade(relief(SPOTS), 135.0)
    # a cast shadow: a black disk on flat ground (a canyon floor at low sun), given to the check as a candidate
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    shadow = (xx - 128) ** 2 + (yy - 90) ** 2 < 10**2
    image[shadow] = 0
    spots = [*SPOTS, (128, 90, 20, -1)]
    check = light.LightInput(image, sun_azimuth_deg=135.0)
    kept, scores = check.check(dets(spots))
    kept_xy = {(d.cx, d.cy) for d in kept}
    assert kept_xy == {(cx, cy) for cx, cy, _, s in SPOTS if s < 0}
    assert all(s is not None and s > 0.5 for s in scores)
    assert (check.dropped_lit_like_domes, check.dropped_shadows, check.source) == (2, 1, "metadata")
    estimated = light.LightInput(hillshade(relief(SPOTS), 135.0))
    kept, _ = estimated.check(dets(SPOTS))
    assert estimated.source == "estimated" and len(kept) == 7
    assert estimated.summary()["sun_azimuth_deg"] == pytest.approx(135, abs=10)


def test_nodata_and_flat_disks_are_left_unscored() -> None:
    flat = np.full((64, 64), 100.0)
    scores = light.shading_scores(flat, None, [(32, 32, 20, 1.0)], 90.0)
    assert np.isnan(scores).all()
    valid = np.zeros((64, 64), dtype=bool)
    assert np.isnan(light.shading_scores(flat, valid, [(32, 32, 20, 1.0)], 90.0)).all()
    kept, scores_kept = light.LightInput(flat, sun_azimuth_deg=90.0).check(dets([(32, 32, 20, -1)]))
    assert len(kept) == 1 and scores_kept == [None]


def test_shadows_found_on_an_image_too_big_to_sort_whole() -> None:
    # 2.6 Mpx: the dark level comes from a decimated sample, and still finds the shadow-filled candidate
    image = np.tile(hillshade(relief(SPOTS), 135.0), (5, 2))
    yy, xx = np.mgrid[0:image.shape[0], 0:image.shape[1]] + 0.5
    image[(xx - 300) ** 2 + (yy - 600) ** 2 < 12**2] = 0
    check = light.LightInput(image, sun_azimuth_deg=135.0)
    kept, _ = check.check(dets([(300, 600, 24, -1), *SPOTS]))
    assert check.dropped_shadows == 1 and (300, 600) not in {(d.cx, d.cy) for d in kept}
    full = np.percentile(image, [2, 50, light.HIGHLIGHT_PERCENTILE])
    assert np.allclose(light._dark_middle_bright(image, None), full, atol=2.0)


def test_a_noisy_shadow_filling_more_than_2_percent_of_the_image_is_a_shadow() -> None:
    """A canyon floor in its wall's cast shadow: black plus noise, 12% of the image. Half its pixels lie above the
    2nd percentile, so a bare percentile level missed it; a crater lit at low sun, half in its own shadow, stays."""
    rng = np.random.default_rng(3)
    image = hillshade(relief(SPOTS), 135.0)
    image = image + rng.normal(0.0, 2.0, image.shape)
    image[200:232, :] = np.abs(rng.normal(0.0, 2.0, (32, SIZE)))  # the shadowed floor, 12% of the pixels
    assert np.mean(image[200:232, :] > np.percentile(image, 2)) > 0.5
    # the bowl of SPOTS at (120, 50), its sunward half black: its own shadow at low sun (the sun is to the lower right)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    image[((xx - 120) ** 2 + (yy - 50) ** 2 < 12**2) & (xx - 120 + yy - 50 > 0)] = 0.0
    check = light.LightInput(image, sun_azimuth_deg=135.0)
    kept, _ = check.check(dets([(60, 216, 24, -1), (190, 216, 20, -1), (120, 50, 24, -1)]))
    assert check.dropped_shadows == 2 and [(d.cx, d.cy) for d in kept] == [(120, 50)]


def test_a_sunlit_face_is_no_crater() -> None:
    """A canyon's sunlit wall: its spurs' faces saturate, so a candidate on one is bright from edge to edge."""
    rng = np.random.default_rng(5)
    image = hillshade(relief(SPOTS), 135.0) + rng.normal(0.0, 2.0, (SIZE, SIZE))
    image[200:232, :] = 255.0 - np.abs(rng.normal(0.0, 2.0, (32, SIZE)))  # a saturated wall, 12% of the pixels
    clear = [spot for spot in SPOTS if spot[1] + spot[2] / 2 < 200]  # the spots away from the wall
    check = light.LightInput(image, sun_azimuth_deg=135.0)
    kept, _ = check.check(dets([(60, 216, 24, -1), (190, 216, 20, -1), *clear]))
    assert check.dropped_highlights == 2 and check.summary()["dropped_highlights"] == 2
    assert {(d.cx, d.cy) for d in kept} == {(cx, cy) for cx, cy, _, s in clear if s < 0}
    # an image with no bright tones above its median (a flat patch) has no highlights
    flat = np.full((64, 64), 120.0)
    check = light.LightInput(flat, sun_azimuth_deg=90.0)
    kept, _ = check.check(dets([(32, 32, 20, -1)]))
    assert len(kept) == 1 and check.dropped_highlights == 0


def test_light_input_read_in_row_bands_matches_the_whole_image(tmp_path) -> None:
    import rasterio

    grey = np.tile(hillshade(relief(SPOTS), 135.0), (9, 1)).astype(np.uint8)  # 2304 rows: three read bands
    grey[:10, :10] = 0  # nodata
    profile = {"driver": "GTiff", "width": grey.shape[1], "height": grey.shape[0], "count": 1, "nodata": 0}
    with rasterio.open(tmp_path / "grey.tif", "w", dtype="uint8", **profile) as dst:
        dst.write(grey, 1)
    with rasterio.open(tmp_path / "dem.tif", "w", dtype="float32", **profile) as dst:
        dst.write(grey.astype(np.float32) * 1.5, 1)
    read = light.light_input_for(tmp_path / "grey.tif", 135.0)
    assert read.image.dtype == np.float16 and np.array_equal(read.image, grey.astype(np.float32))
    assert read.valid is not None and np.array_equal(read.valid, grey != 0)
    whole = light.LightInput(grey.astype(np.float32), grey != 0, 135.0)
    spots = [(cx, cy + 256 * k, d, s) for k in range(9) for cx, cy, d, s in SPOTS]
    assert read.check(dets(spots))[1] == whole.check(dets(spots))[1]
    assert read.summary() == whole.summary()
    assert light.light_input_for(tmp_path / "dem.tif").image.dtype == np.float32


def shield_with_caldera(size: int = 512) -> tuple[np.ndarray, tuple[float, float, float]]:
    """A shield volcano (Gaussian, radius ~ 3 calderas) with a bowl-shaped summit caldera, and the caldera."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    c, r = size / 2, 30.0
    rr2 = ((xx - c) ** 2 + (yy - c) ** 2) / r**2
    z = 60 * np.exp(-rr2 / 9) - np.where(rr2 < 1, 12 * (1 - rr2), 0)
    return z, (c, c, 2 * r)


@pytest.mark.parametrize("azimuth", [0.0, 70.0, 160.0, 250.0, 315.0])
def test_relief_tells_a_caldera_on_a_shield_from_a_crater(azimuth: float) -> None:
    shield, (cx, cy, d) = shield_with_caldera()
    image = hillshade(shield, azimuth)
    cand = [(cx, cy, d, 1.0)]
    # the caldera is a depression, so its own shading is a crater's; its surroundings stand lower than it
    assert light.shading_scores(image, None, cand, azimuth)[0] > 0.5
    assert light.relief_scores(image, None, cand, azimuth)[0] > light.MAX_RELIEF
    bowls = hillshade(relief(SPOTS), azimuth)
    inner = [c for c, (_, _, _, sign) in zip(candidates(), SPOTS, strict=True)
             if sign < 0 and 2 * c[2] <= min(c[0], c[1], SIZE - c[0], SIZE - c[1])]
    assert inner, "some bowls far enough from the edges to be profiled"
    scores = light.relief_scores(bowls, None, inner, azimuth)
    assert (scores < 0).all(), scores


def test_relief_follows_the_ground_on_a_stretched_grid() -> None:
    # a lon/lat grid at 60 degrees: a pixel is half as wide on the ground as it is tall, so the shield and its
    # caldera are twice as many pixels wide as tall. Profiles that ignored the aspect would span half the ground
    # and end on the caldera's rim, not on the shield's lower flanks
    yy, xx = np.mgrid[0:256, 0:1024] + 0.5
    rr2 = (((xx - 512) * 0.5) ** 2 + (yy - 128) ** 2) / 25.0**2
    z = 50 * np.exp(-rr2 / 9) - np.where(rr2 < 1, 10 * (1 - rr2), 0)
    image = hillshade(z, 90.0)
    assert light.relief_scores(image, None, [(512, 128, 50, 0.5)], 90.0)[0] > light.MAX_RELIEF


def test_relief_is_nan_off_the_image_or_on_nodata() -> None:
    image = hillshade(relief(SPOTS), 135.0)
    valid = np.ones_like(image, dtype=bool)
    valid[:, 100:104] = False
    scores = light.relief_scores(image, valid, [(20, 20, 30, 1.0), (100, 128, 30, 1.0), (128, 200, 20, 1.0)], 135.0)
    assert np.isnan(scores[:2]).all() and np.isfinite(scores[2])


def test_check_drops_raised_edifices_only_when_wide_on_the_ground() -> None:
    shield, (cx, cy, d) = shield_with_caldera()
    image = hillshade(shield, 135.0)
    caldera = CraterDetection(cx, cy, d, 0.9, int(np.pi * d * d / 4), 1)
    # 60 px at 2 km a pixel: a 120 km caldera-and-shield, dropped as raised
    check = light.LightInput(image, sun_azimuth_deg=135.0)
    kept, _ = check.check([caldera], None, lambda cols, rows: np.full(len(cols), 2.0))
    assert kept == [] and check.dropped_raised == 1 and check.summary()["dropped_raised"] == 1
    # the same pixels at 1 km a pixel (60 km) or with no ground scale: not an edifice's size, kept
    for row_km in (lambda cols, rows: np.full(len(cols), 1.0), None):
        check = light.LightInput(image, sun_azimuth_deg=135.0)
        kept, scores = check.check([caldera], None, row_km)
        assert kept == [caldera] and check.dropped_raised == 0 and scores[0] is not None and scores[0] > 0.5


@pytest.mark.parametrize("azimuth", [30.0, 135.0, 250.0])
def test_bowls_score_high_domes_and_plains_low(azimuth: float) -> None:
    bowls = hillshade(relief(SPOTS), azimuth)
    rng = np.random.default_rng(7)
    plain = hillshade(rng.normal(0, 0.8, (SIZE, SIZE)), azimuth)
    inner = [(c, sign) for c, (_, _, _, sign) in zip(candidates(), SPOTS, strict=True)
             if (1.4 * light.BOWL_REACH + light.BOWL_SHIFT) * c[2] / 2 + 2 <= min(c[0], c[1], SIZE - c[0], SIZE - c[1])]
    assert {sign for _, sign in inner} == {-1, 1}, "bowls and domes far enough from the edges"
    scores = light.bowl_scores(bowls, None, [c for c, _ in inner], azimuth)
    signs = np.array([sign for _, sign in inner])
    assert (scores[signs < 0] > 0.5).all() and (scores[signs > 0] < light.MIN_BOWL).all(), scores
    on_plain = light.bowl_scores(plain, None, [c for c, _ in inner], azimuth)
    assert (on_plain < light.MIN_BOWL).all(), on_plain


def test_bowl_follows_the_ground_on_a_stretched_grid() -> None:
    # at 60 degrees of latitude a bowl of 40 rows spans 80 columns of a lon/lat grid
    yy, xx = np.mgrid[0:160, 0:320] + 0.5
    r2 = (((xx - 160) * 0.5) ** 2 + (yy - 80) ** 2) / 20.0**2
    image = hillshade(np.where(r2 < 1, -(1 - r2) * 8.0, 0.0), 120.0)
    assert light.bowl_scores(image, None, [(160, 80, 40, 0.5)], 120.0)[0] > 0.5
    assert light.bowl_scores(image, None, [(160, 80, 40, 1.0)], 120.0)[0] < light.bowl_scores(
        image, None, [(160, 80, 40, 0.5)], 120.0)[0]


def test_bowl_is_nan_off_the_image_or_on_nodata() -> None:
    image = hillshade(relief(SPOTS), 135.0)
    valid = np.ones_like(image, dtype=bool)
    valid[120:140, 120:140] = False
    scores = light.bowl_scores(image, valid, [(20, 20, 30, 1.0), (130, 130, 40, 1.0), (50, 130, 20, 1.0)], 135.0)
    assert np.isnan(scores[:2]).all() and np.isfinite(scores[2])


def test_check_drops_a_wide_ring_with_no_bowl_under_it() -> None:
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] + 0.5
    r2 = ((xx - 70) ** 2 + (yy - 128) ** 2) / 22.0**2
    z = rng.normal(0, 0.3, (SIZE, SIZE)) + np.where(r2 < 1, -(1 - r2) * 9.0, 0.0)
    image = hillshade(z, 100.0)
    crater = CraterDetection(70, 128, 44, 0.9, 1500, 1)
    ring = CraterDetection(185, 128, 44, 0.9, 1500, 2)  # drawn over the rough plain
    check = light.LightInput(image, sun_azimuth_deg=100.0)
    kept, _ = check.check([crater, ring], None, lambda cols, rows: np.full(len(cols), 5.0))  # 220 km
    assert kept == [crater] and check.dropped_no_bowl == 1 and check.summary()["dropped_no_bowl"] == 1
    # below RELIEF_MIN_KM on the ground, or not georeferenced, no bowl is asked for
    small = light.LightInput(image, sun_azimuth_deg=100.0)
    small.check([crater, ring], None, lambda cols, rows: np.full(len(cols), 1.0))
    assert small.dropped_no_bowl == 0
