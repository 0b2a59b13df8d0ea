import time

import numpy as np

from segmentation.engine.classes import IGNORE_INDEX
from segmentation.engine.synthetic import CRATER, TINY_CRATER_PX, generate_sample, hillshade


def test_generator_is_deterministic() -> None:
    a, b = generate_sample(128, 7), generate_sample(128, 7)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.mask, b.mask)
    assert a.craters == b.craters
    assert not np.array_equal(a.image, generate_sample(128, 8).image)


def test_mask_and_instances_agree() -> None:
    for seed in range(10):
        s = generate_sample(192, seed)
        assert s.image.dtype == np.float32 and 0 <= s.image.min() and s.image.max() <= 1
        assert set(np.unique(s.mask)) <= {0, 1, 2, 3, IGNORE_INDEX}
        for c in s.craters:
            v = s.mask[int(c.cy), int(c.cx)]
            # craters are the youngest layer: their centre is crater (or don't-care for tiny ones)
            assert v == CRATER or (v == IGNORE_INDEX and c.diameter <= TINY_CRATER_PX) or v == CRATER
        # every crater pixel lies inside some drawn rim circle (instances may centre off-tile; allow margin)
        yy, xx = np.nonzero(s.mask == CRATER)
        if yy.size and s.craters:
            inside = np.zeros(yy.size, bool)
            for c in s.craters:
                inside |= (xx + 0.5 - c.cx) ** 2 + (yy + 0.5 - c.cy) ** 2 <= (c.diameter / 2 + 1) ** 2
            off_tile_frac = 1 - inside.mean()
            assert off_tile_frac < 0.5  # the rest belongs to craters centred just outside the tile


def test_sizes_follow_power_law_and_speed() -> None:
    t = time.perf_counter()
    diam = []
    for seed in range(20):
        diam += [c.diameter for c in generate_sample(256, seed).craters]
    per_sample = (time.perf_counter() - t) / 20
    assert per_sample < 0.15  # ~15-20 ms on 2 cores; generous for loaded CI machines
    d = np.array(diam)
    n10, n20 = (d > 10).sum(), (d > 20).sum()
    assert 2.0 < n10 / max(n20, 1) < 8.0  # N(>D) ~ D^-2 predicts 4


def test_hillshade_lambertian() -> None:
    flat = hillshade(np.zeros((8, 8), np.float32), 90, 30)
    assert np.allclose(flat, np.sin(np.radians(30)), atol=1e-6)
