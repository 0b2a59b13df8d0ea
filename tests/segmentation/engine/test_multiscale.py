"""Pyramid levels chosen from the image size, and craters merged across levels without duplicates."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio

from segmentation.engine import multiscale as ms
from segmentation.engine.instances import CraterDetection


def det(cx: float, cy: float, d: float, conf: float = 0.9) -> CraterDetection:
    return CraterDetection(cx, cy, d, conf, int(np.pi * d * d / 4), 0)


def test_levels_follow_the_image_size() -> None:
    assert ms.level_scales(1024, 512) == (2.0, 4.0)  # the MOLA global: 7 px craters become 28 px
    assert ms.level_scales(800, 800) == (2.0,)
    assert ms.level_scales(2048, 2048) == (0.5,)  # 200 px craters seen at 100 px
    assert ms.level_scales(16384, 16384) == (1 / 8, 1 / 16)  # 1/2 and 1/4 would hold 67 and 17 Mpx in memory
    for w, h in ((1024, 512), (800, 800), (16384, 16384), (5000, 300)):
        for s in ms.level_scales(w, h):
            assert w * h * s * s <= ms.MAX_LEVEL_PX


def test_smaller_levels_give_valleys_and_ridges_only() -> None:
    assert ms.class_level_scales(2048, 2048) == (1 / 4, 1 / 8)  # a 300 px canyon is 37 px wide at 1/8
    assert ms.class_level_scales(1024, 512) == (0.5,)
    assert ms.class_level_scales(800, 800) == (0.5,)
    assert ms.class_level_scales(16384, 16384) == ()  # 1/8 and 1/16 give craters too; 1/32 would be 512 px
    assert ms.class_level_scales(400, 400) == ()
    for w, h in ((2048, 2048), (1024, 512), (5000, 300), (16384, 16384)):
        assert not set(ms.class_level_scales(w, h)) & set(ms.level_scales(w, h))


def test_merge_keeps_one_detection_per_crater_the_one_at_the_trained_size() -> None:
    base = [det(100, 100, 6.0, 0.95), det(300, 300, 40, 0.8)]
    up = [det(100.2, 99.8, 6.6, 0.7), det(300.5, 300, 38, 0.9), det(50, 50, 5, 0.6)]  # 2x: 13, 76, 10 px
    merged = ms.merge_levels({1.0: base, 2.0: up})
    got = sorted((round(d.cx, 1), round(d.diameter, 1)) for d in merged)
    # the small one from 2x (13 px there, 6 px here), the 40 px one from 2x too (more confident, both in range)
    assert got == [(50.0, 5.0), (100.2, 6.6), (300.5, 38.0)]
    assert sorted(d.label for d in merged) == [1, 2, 3]
    # nested craters are different craters and both stay
    nested = ms.merge_levels({1.0: [det(200, 200, 80)], 2.0: [det(205, 200, 20)]})
    assert len(nested) == 2
    assert ms.merge_levels({}) == []


def test_levels_are_read_whole_with_nodata_kept(tmp_path: object) -> None:
    path = f"{tmp_path}/img.tif"
    data = np.arange(64 * 32, dtype=np.uint8).reshape(32, 64)
    data[:, :8] = 0
    with rasterio.open(path, "w", driver="GTiff", width=64, height=32, count=1, dtype="uint8", nodata=0) as dst:
        dst.write(data, 1)
    with rasterio.open(path) as src:
        up, _ = ms.read_level(src, 2.0, src.nodata)
        down, _ = ms.read_level(src, 0.5, src.nodata)
    assert up.shape == (64, 128) and down.shape == (16, 32)
    assert np.isnan(up[:, :16]).all() and np.isfinite(up[:, 20:]).all()
    assert np.isnan(down[:, :4]).all() and np.isfinite(down[:, 5:]).all()


def test_multiscale_craters_maps_levels_back(tiny_model: object, tmp_path: object) -> None:
    path = f"{tmp_path}/img.tif"
    rng = np.random.default_rng(0)
    with rasterio.open(path, "w", driver="GTiff", width=200, height=100, count=1, dtype="uint8") as dst:
        dst.write(rng.integers(0, 255, (100, 200), dtype=np.uint8), 1)
    levels, runs = ms.multiscale_craters(path, tiny_model, tile=64, overlap=16, batch_size=2)
    assert [r.scale for r in runs] == [2.0, 4.0] and set(levels) == {2.0, 4.0}
    for dets in levels.values():
        assert all(0 <= d.cx <= 200 and 0 <= d.cy <= 100 for d in dets)


def test_classes_only_levels_add_class_masks_and_no_craters(tiny_model: object, tmp_path: object,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = f"{tmp_path}/img.tif"
    rng = np.random.default_rng(0)
    with rasterio.open(path, "w", driver="GTiff", width=256, height=128, count=1, dtype="uint8") as dst:
        dst.write(rng.integers(0, 255, (128, 256), dtype=np.uint8), 1)
    monkeypatch.setattr(ms, "MAX_LEVEL_PX", 256 * 128 * 4)  # 2x only
    monkeypatch.setattr(ms, "MIN_CLASS_LEVEL_SIDE", 32)  # 1/2 and 1/4 for classes
    coarse: list[ms.LevelClasses] = []
    levels, runs = ms.multiscale_craters(path, tiny_model, tile=64, overlap=16, batch_size=2, classes_out=coarse)
    assert [(r.scale, r.classes_only) for r in runs] == [(2.0, False), (0.5, True), (0.25, True)]
    assert set(levels) == {2.0} and all(r.detections == 0 for r in runs[1:])
    assert [(lv.scale, lv.mask.shape) for lv in coarse] == [(0.5, (64, 128)), (0.25, (32, 64))]
    # without a list for the classes (or with the caller's own levels) those levels are not segmented
    _, runs = ms.multiscale_craters(path, tiny_model, tile=64, overlap=16, batch_size=2)
    assert [r.scale for r in runs] == [2.0]
    _, runs = ms.multiscale_craters(path, tiny_model, tile=64, overlap=16, batch_size=2, scales=(2.0,),
                                    classes_out=[])
    assert [r.scale for r in runs] == [2.0]


def test_an_enlarged_level_keeps_no_specks(tiny_model: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from segmentation.engine import tiling

    lum = np.zeros((128, 128), dtype=np.float32)
    yy, xx = np.mgrid[0:128, 0:128] + 0.5
    lum[(xx - 40) ** 2 + (yy - 40) ** 2 < 12**2] = 1.0  # 24 px at the level: 6 px in the image at 4x
    lum[(xx - 100) ** 2 + (yy - 100) ** 2 < 5**2] = 1.0  # 10 px at the level: 2.5 px in the image

    def every_bright_pixel_a_crater(image: np.ndarray, model: object, **kw: object) -> tiling.SegmentationResult:
        mask = (image > 0.5).astype(np.uint8)  # the test is about the level's bookkeeping, not the network
        return tiling.SegmentationResult(mask=mask, conf=mask.astype(np.float32))

    monkeypatch.setattr(tiling, "segment_array", every_bright_pixel_a_crater)
    found = ms.level_detections(lum, 4.0, tiny_model, tile=64, overlap=16, batch_size=1, min_area_px=4,
                                aspect_at=None)
    assert [round(d.diameter) for d in found] == [6]
    assert round(found[0].cx) == 10 and round(found[0].cy) == 10


def test_coarser_levels_add_valleys_and_ridges_only_where_the_image_saw_background() -> None:
    idx = {"background": 0, "crater": 1, "valley": 2, "ridge": 3}
    mask = np.zeros((64, 64), np.uint8)
    conf = np.full((64, 64), 200, np.uint8)
    mask[10:20, 10:20] = 1  # a crater of the image's own level
    conf[40:44, :] = 0  # nodata rows
    level_mask = np.zeros((16, 16), np.uint8)
    level_conf = np.full((16, 16), 0.9, np.float32)
    level_mask[:, 2:6] = 2  # a valley 4 level pixels wide: image columns 8-23 at scale 1/4
    level_mask[0, 10] = 3
    level_conf[0, 10] = 0.3  # an unsure ridge is not taken
    level_mask[15, 15] = 1  # a level's crater pixel is not a class to fuse
    changed = ms.fuse_level_classes(mask, conf, [ms.LevelClasses(0.25, level_mask, level_conf)], idx, band_rows=7)
    valley = mask == 2
    assert valley[:, 8:24].sum() == changed and not valley[:, :8].any() and not valley[:, 24:].any()
    assert (mask[10:20, 10:20] == 1).all()  # the image's crater stays
    assert not valley[40:44].any() and (conf[40:44] == 0).all()  # nodata stays nodata
    assert changed == 64 * 16 - 4 * 16 - 10 * 10  # the valley's band, less the nodata rows and the crater
    assert (conf[valley] == int(0.9 * 255)).all() and not (mask == 3).any() and mask[63, 63] == 0
    # a model without valley and ridge classes fuses nothing
    assert ms.fuse_level_classes(mask, conf, [ms.LevelClasses(0.25, level_mask, level_conf)], {"crater": 1}) == 0


def test_a_wide_valley_sure_at_a_coarse_level_beats_the_ridges_a_finer_level_sees_on_its_walls() -> None:
    idx = {"background": 0, "crater": 1, "valley": 2, "ridge": 3}
    mask, conf = np.zeros((64, 64), np.uint8), np.full((64, 64), 200, np.uint8)
    # at 1/2 the canyon's walls (image columns 16-23 and 40-47) read as ridges, its floor as nothing
    fine_mask, fine_conf = np.zeros((32, 32), np.uint8), np.full((32, 32), 0.6, np.float32)
    fine_mask[:, 8:12] = fine_mask[:, 20:24] = 3
    # at 1/8 the whole canyon (image columns 16-47) is a valley, and the level is surer of it
    coarse_mask, coarse_conf = np.zeros((8, 8), np.uint8), np.full((8, 8), 0.9, np.float32)
    coarse_mask[:, 2:6] = 2
    coarse_conf[:4, 2:6] = 0.55  # where the coarse level is less sure than the fine one, the fine one stays
    levels = [ms.LevelClasses(0.5, fine_mask, fine_conf), ms.LevelClasses(0.125, coarse_mask, coarse_conf)]
    ms.fuse_level_classes(mask, conf, levels, idx)
    assert (mask[32:, 16:48] == 2).all()
    assert (mask[:32, 16:24] == 3).all() and (mask[:32, 40:48] == 3).all() and (mask[:32, 24:40] == 2).all()
    assert not mask[:, :16].any() and not mask[:, 48:].any()


@pytest.mark.parametrize("conf_dtype", [np.uint8, np.float32])
def test_banded_fusion_matches_a_whole_image_reference(conf_dtype: type) -> None:
    """Any band height gives what one whole-image pass gives, levels of both scales, nodata and classes mixed."""
    rng = np.random.default_rng(7)
    idx = {"background": 0, "crater": 1, "valley": 2, "ridge": 3}
    h, w = 97, 130
    mask0 = rng.choice(np.array([0, 0, 0, 1, 2], np.uint8), size=(h, w))
    conf0 = (rng.integers(0, 256, (h, w)).astype(np.uint8) if conf_dtype is np.uint8
             else rng.random((h, w)).astype(np.float32))
    conf0[rng.random((h, w)) < 0.05] = 0  # nodata
    levels = [ms.LevelClasses(s, rng.integers(0, 4, (round(h * s), round(w * s))).astype(np.uint8),
                              rng.random((round(h * s), round(w * s))).astype(np.float32)) for s in (0.5, 0.125)]

    mask_ref, conf_ref = mask0.copy(), conf0.copy()
    scale_conf = 255.0 if conf_dtype is np.uint8 else 1.0
    ups = []
    for level in levels:
        lh, lw = level.mask.shape
        rows = np.minimum(((np.arange(h) + 0.5) * level.scale).astype(np.intp), lh - 1)
        cols = np.minimum(((np.arange(w) + 0.5) * level.scale).astype(np.intp), lw - 1)
        up_mask, up_conf = level.mask[np.ix_(rows, cols)], level.conf[np.ix_(rows, cols)]
        offered = np.isin(up_mask, (2, 3)) & (up_conf >= ms.FUSE_MIN_CONF)
        ups.append((level.scale, np.where(offered, up_mask, 0), np.where(offered, up_conf, -1.0)))
    open_ = (mask_ref == 0) & (conf_ref > 0)
    coarse_won = 0
    for i in range(h):
        for j in range(w):
            offers = [(c[i, j], s, m[i, j]) for s, m, c in ups if c[i, j] >= 0]
            if not open_[i, j] or not offers:
                continue
            # the most confident level, the finer (larger scale) on a tie
            best_conf, best_scale, best_class = max(offers, key=lambda o: (o[0], o[1]))
            mask_ref[i, j] = best_class
            conf_ref[i, j] = np.asarray(np.float32(best_conf) * np.float32(scale_conf)).astype(conf_ref.dtype)
            coarse_won += len(offers) == 2 and best_scale == 0.125
    expected = int((mask_ref != mask0).sum())
    assert expected > 500 and coarse_won > 100  # the case exercises the fusion, and levels that disagree

    for band_rows in (1, 5, 32, 256):
        mask, conf = mask0.copy(), conf0.copy()
        assert ms.fuse_level_classes(mask, conf, levels, idx, band_rows=band_rows) == expected
        np.testing.assert_array_equal(mask, mask_ref)
        np.testing.assert_array_equal(conf, conf_ref)


def test_fusion_temporaries_stay_a_few_bytes_a_band_pixel() -> None:
    """Where a coarse valley covers the whole image, a band's temporaries stay small (no index arrays)."""
    import tracemalloc

    idx = {"background": 0, "crater": 1, "valley": 2, "ridge": 3}
    mask, conf = np.zeros((1024, 1024), np.uint8), np.full((1024, 1024), 200, np.uint8)
    level = ms.LevelClasses(0.5, np.full((512, 512), 2, np.uint8), np.full((512, 512), 0.9, np.float32))
    band_rows = 128
    tracemalloc.start()
    try:
        assert ms.fuse_level_classes(mask, conf, [level], idx, band_rows=band_rows) == mask.size
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # nothing the size of a level: about 15 bytes a band pixel, where a band's best confidence and the level's
    # (float32, 4 bytes a pixel each) dominate, with a few boolean and class bands; gathering through index
    # arrays took over 40
    assert peak < 16 * band_rows * mask.shape[1], peak
    assert (mask == 2).all() and (conf == int(0.9 * 255)).all()
