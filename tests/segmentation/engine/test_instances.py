"""Crater instances split on crops: the same craters as one whole-image pass, in a fraction of its memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from scipy import ndimage

from segmentation.engine import instances
from segmentation.engine.instances import CraterDetection, crater_instances, fit_circle


def _whole_image_reference(mask: np.ndarray, conf: np.ndarray, min_area_px: int = 9) -> list[CraterDetection]:
    """The split as one pass over whole-image arrays (distance map, peaks, watershed), as it was first written."""
    from skimage.segmentation import watershed

    binary = mask == 1
    comp, n_comp = ndimage.label(binary)
    dist = ndimage.distance_transform_edt(binary).astype(np.float32)
    markers, _, _ = instances._peaks(dist, comp, n_comp)
    labels = watershed(-(dist * (0.5 + 0.5 * conf)), markers, mask=binary)
    pad = np.pad(~binary, 1, constant_values=False)
    faces_bg = pad[:-2, 1:-1] | pad[2:, 1:-1] | pad[1:-1, :-2] | pad[1:-1, 2:]
    dets: list[CraterDetection] = []
    for lab, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        ys, xs = np.nonzero(labels[sl] == lab)
        if ys.size < min_area_px:
            continue
        ys, xs = ys + sl[0].start, xs + sl[1].start
        eq_d = 2.0 * np.sqrt(ys.size / np.pi)
        edge = faces_bg[ys, xs]
        cx, cy, d = xs.mean() + 0.5, ys.mean() + 0.5, eq_d
        fit = fit_circle(xs[edge] + 0.5, ys[edge] + 0.5) if edge.sum() >= max(8, 0.3 * np.pi * eq_d) else None
        if fit is not None and 0.6 * eq_d <= 2 * (fit[2] + 0.5) <= 2.0 * eq_d:
            cx, cy, d = fit[0], fit[1], 2 * (fit[2] + 0.5)
        dets.append(CraterDetection(cx, cy, d, float(conf[ys, xs].mean()), int(ys.size), len(dets) + 1))
    return dets


def _scene(size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Touching, overlapping and nested disks of 1-40 px radius, specks, and one component crossing many cells."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size]
    binary = np.zeros((size, size), dtype=bool)
    for cx, cy, r in zip(rng.uniform(0, size, 120), rng.uniform(0, size, 120), rng.uniform(1, 40, 120), strict=True):
        binary |= (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
    binary |= rng.random(binary.shape) < 0.01
    binary[size // 2 - 3:size // 2 + 3, 5:-5] = True  # a long band joining many craters into one component
    return binary.astype(np.uint8), rng.uniform(0.3, 1.0, binary.shape).astype(np.float32)


@pytest.mark.parametrize("seed", [0, 1])
def test_cropped_groups_split_as_the_whole_image(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    mask, conf = _scene(400, seed)
    want = _whole_image_reference(mask, conf)
    monkeypatch.setattr(instances, "GROUP_BLOCK", 64)  # dozens of groups, most components cut by a cell edge
    got = crater_instances(mask, conf)
    assert len(got) == len(want) > 50
    for g, w in zip(got, want, strict=True):
        assert g.label == w.label and g.area_px == w.area_px
        assert (g.cx, g.cy, g.diameter, g.confidence) == pytest.approx((w.cx, w.cy, w.diameter, w.confidence),
                                                                        abs=1e-6)


def test_uint8_confidence_is_read_as_a_share_of_255() -> None:
    mask, conf = _scene(200, 2)
    as_bytes = np.round(conf * 255).astype(np.uint8)
    got, want = crater_instances(mask, as_bytes), crater_instances(mask, as_bytes.astype(np.float32) / 255)
    assert [(d.cx, d.cy, d.area_px) for d in got] == [(d.cx, d.cy, d.area_px) for d in want]
    assert [d.confidence for d in got] == pytest.approx([d.confidence for d in want], abs=1e-6)


def test_memory_stays_a_few_bytes_a_pixel() -> None:
    """A whole-image pass allocated about 42 bytes a pixel (float64 distances and their int32 indices, the
    watershed's copies); the crops need the mask, its component labels and one group at a time."""
    size = 2048
    rng = np.random.default_rng(3)
    mask = np.zeros((size, size), dtype=np.uint8)
    yy, xx = np.ogrid[0:size, 0:size]
    for cx, cy, r in zip(rng.uniform(0, size, 400), rng.uniform(0, size, 400), rng.uniform(2, 30, 400), strict=True):
        y0, y1 = int(max(0, cy - r)), int(min(size, cy + r + 1))
        x0, x1 = int(max(0, cx - r)), int(min(size, cx + r + 1))
        mask[y0:y1, x0:x1][(yy[y0:y1] - cy) ** 2 + (xx[:, x0:x1] - cx) ** 2 < r * r] = 1
    conf = np.full(mask.shape, 200, dtype=np.uint8)
    tracemalloc.start()
    try:
        dets = crater_instances(mask, conf)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(dets) > 300
    assert peak / mask.size < 10.0


def test_ground_split_labels_once_and_matches_splitting_the_square_components_alone() -> None:
    """On a lon/lat grid the components square on the ground are split in place, with the one labelling the
    resampling needs too: the same craters as splitting a mask of those components alone, in less memory."""
    from segmentation.engine.instances import ASPECT_TOLERANCE, MIN_RESAMPLED_PX, ground_crater_instances

    mask, conf = _scene(600, 4)
    size = mask.shape[0]

    def aspect(cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return np.cos(np.radians(80.0 - 160.0 * np.asarray(rows, dtype=np.float64) / size))

    comp, n = ndimage.label(mask == 1)
    objects = ndimage.find_objects(comp)
    centre_rows = np.array([(sl[0].start + sl[0].stop) / 2 for sl in objects])
    sizes = np.bincount(comp.ravel(), minlength=n + 1)[1:]
    square = (np.abs(aspect(centre_rows, centre_rows) - 1.0) < ASPECT_TOLERANCE) | (sizes < MIN_RESAMPLED_PX)
    assert 0 < square.sum() < n  # both kinds present
    alone = crater_instances(np.isin(comp, np.flatnonzero(square) + 1).astype(np.uint8), conf, 1, 16)
    got = ground_crater_instances(mask, conf, 1, 16, aspect)
    assert len(got) > len(alone)  # the square components' craters, then the resampled ones'
    for g, w in zip(got[:len(alone)], alone, strict=True):
        assert g.area_px == w.area_px
        assert (g.cx, g.cy, g.diameter, g.confidence) == pytest.approx((w.cx, w.cy, w.diameter, w.confidence),
                                                                        abs=1e-6)
