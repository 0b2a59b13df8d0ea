"""The generator's new elements, each rendered alone: canyons are valley over their width, hard negatives are
background wherever they stand, shadows fall downsun, and product tones keep the labels honest."""

from dataclasses import replace

import numpy as np
import pytest
from scipy import ndimage

from segmentation.engine.classes import IGNORE_INDEX
from segmentation.engine.synthetic import CRATER, REALISTIC, VALLEY, SynthConfig, generate_sample, hillshade
from segmentation.engine.terrain_extras import (
    add_canyon,
    add_domes_and_knobs,
    add_mesa,
    add_shield_volcano,
    add_texture_patch,
    cast_shadows,
    product_tones,
)


def _flat(size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((size, size), np.float32), np.zeros((size, size), np.uint8)


def test_canyon_is_valley_across_its_whole_width() -> None:
    dem, mask = _flat()
    inside = add_canyon(dem, mask, np.random.default_rng(3), width=90.0)
    assert np.array_equal(mask == VALLEY, inside)
    # as wide as asked: area over the length of its axis (the axis spans the tile, about 256 px or more)
    skeleton_len = 256.0
    assert 0.5 * 90 < inside.sum() / skeleton_len < 1.5 * 90 * np.sqrt(2)
    # a flat floor well below the plateau, and steep walls: most of the carving sits on the floor
    floor = ndimage.binary_erosion(inside, iterations=20)
    assert dem[floor].mean() < -0.08 * 90 and dem[~inside].max() == 0.0
    assert np.median(dem[floor]) < 0.7 * dem[inside].mean()


def test_canyon_wall_throws_a_shadow_at_low_sun() -> None:
    dem, mask = _flat()
    inside = add_canyon(dem, mask, np.random.default_rng(3), width=90.0)
    shadow = cast_shadows(dem, azimuth_deg=0.0, elevation_deg=10.0)
    assert shadow[inside].mean() > 0.1 and shadow[~inside].mean() < 0.01  # the floor is in the wall's shadow


def test_shield_volcano_buries_older_labels_and_has_a_caldera() -> None:
    dem, mask = _flat(512)  # room for the whole edifice, so its footprint's centroid is its centre
    mask[:] = CRATER  # an older crater field: the volcano's lava covers it
    footprint = add_shield_volcano(dem, mask, np.random.default_rng(5), radius=100.0)
    assert footprint.sum() > 0.5 * np.pi * 100**2 * 0.5
    assert (mask[footprint] == 0).all() and (mask[~footprint] == CRATER).all()
    # an edifice: high in the middle, a pit at its summit
    ys, xs = np.nonzero(footprint)
    cy, cx = ys.mean(), xs.mean()
    r = np.hypot(ys - cy, xs - cx)
    summit = dem[ys[r < 40], xs[r < 40]].max()
    flank = dem[ys[(r > 70) & (r < 90)], xs[(r > 70) & (r < 90)]].mean()
    centre = dem[int(cy) - 2:int(cy) + 3, int(cx) - 2:int(cx) + 3].min()
    assert summit > flank + 3 and centre < summit - 0.5


@pytest.mark.parametrize("kind", ["domes", "mesa", "dunes", "layered"])
def test_hard_negatives_are_background(kind: str) -> None:
    dem, mask = _flat()
    mask[:] = VALLEY
    rng = np.random.default_rng(11)
    if kind == "domes":
        footprint = add_domes_and_knobs(dem, mask, rng, 6, (8.0, 20.0))
        assert dem[footprint].max() > 2.0  # positive relief
    elif kind == "mesa":
        footprint = add_mesa(dem, mask, rng, 60.0)
        top = ndimage.binary_erosion(footprint, iterations=8)
        assert dem[top].std() < 0.1 * dem[top].mean()  # flat-topped
    else:
        footprint = add_texture_patch(dem, mask, rng, kind)
        assert np.abs(dem[footprint]).max() > 0.5
    assert footprint.any() and (mask[footprint] == 0).all() and (mask[~footprint] == VALLEY).all()


@pytest.mark.parametrize(("azimuth", "dy", "dx"), [(0, 1, 0), (90, 0, -1), (180, -1, 0), (270, 0, 1)])
def test_cast_shadows_fall_away_from_the_sun(azimuth: float, dy: int, dx: int) -> None:
    dem = np.zeros((160, 160), np.float32)
    dem[78:82, 78:82] = 10.0
    shadow = cast_shadows(dem, azimuth, 20.0)
    ys, xs = np.nonzero(shadow)
    assert np.sign(round(ys.mean() - 79.5)) == dy and np.sign(round(xs.mean() - 79.5)) == dx
    length = max(np.ptp(ys), np.ptp(xs))
    assert abs(length - 10.0 / np.tan(np.radians(20.0))) < 4  # height / tan(elevation): 27.5 px


def test_product_tones_keep_labels_and_add_real_artefacts() -> None:
    base = hillshade(ndimage.gaussian_filter(np.random.default_rng(0).standard_normal((128, 128)), 3) * 20, 45, 30)
    mask = np.zeros((128, 128), np.uint8)
    mask[40:80, 40:80] = CRATER
    levels, collars = [], 0
    for seed in range(40):
        img, lab = product_tones(base, mask, np.random.default_rng(seed))
        assert img.dtype == np.float32 and img.min() >= 0 and img.max() <= 1
        changed = lab != mask
        assert (lab[changed] == 0).all()  # labels only ever give way to background (a nodata collar)
        if changed.any():
            collars += 1
            assert (img[changed] == 0).all()
        levels.append(len(np.unique(img)))
    assert collars > 0 and min(levels) <= 17 < max(levels)  # some were quantised to 16 levels, some not


def test_realistic_generator_is_seeded_and_labels_are_valid() -> None:
    a = generate_sample(192, np.random.default_rng(4), REALISTIC)
    b = generate_sample(192, np.random.default_rng(4), REALISTIC)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.mask, b.mask)
    seen: set[int] = set()
    shares = []
    for seed in range(12):
        s = generate_sample(192, np.random.default_rng(seed), replace(REALISTIC, p_canyon=1.0))
        seen |= set(np.unique(s.mask).tolist())
        assert set(np.unique(s.mask)) <= {0, 1, 2, 3, IGNORE_INDEX}
        shares.append((s.mask == VALLEY).mean())
    # every tile has its canyon (craters, negatives and nodata collars may cover parts of it)
    assert min(shares) > 0.02 and np.mean(shares) > 0.1
    assert {0, CRATER, VALLEY} <= seen


def test_default_config_draws_none_of_the_extras() -> None:
    # the held-out synthetic set is drawn with the default config; its tiles must not change (pinned elsewhere)
    assert SynthConfig().p_canyon == SynthConfig().p_negative == SynthConfig().p_product == 0.0
    plain = generate_sample(128, np.random.default_rng(9))
    explicit = generate_sample(128, np.random.default_rng(9), SynthConfig(p_canyon=0.0, p_cast_shadow=0.0))
    assert np.array_equal(plain.image, explicit.image)


def test_canyon_scene_has_a_shadowed_and_a_sunlit_wall() -> None:
    from segmentation.engine.terrain_extras import canyon_scene

    image, mask = canyon_scene(512, 80.0, seed=1)
    canyon = mask == VALLEY
    assert 0.1 < canyon.mean() < 0.4 and set(np.unique(mask)) == {0, VALLEY}
    plateau = image[~ndimage.binary_dilation(canyon, iterations=10)]
    inside = image[canyon]
    # the floor holds black shadow and saturated sunlit wall, the plateau neither
    assert (inside < 0.02).mean() > 0.1 and (plateau < 0.02).mean() < 0.01
    assert np.percentile(inside, 99) > np.percentile(plateau, 99)
