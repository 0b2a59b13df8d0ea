"""The local-contrast second view for craters: exact band-wise filter, percentiles, merging, both inference paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio

from segmentation.engine.contrast_view import (
    MIN_VIEW_CONFIDENCE,
    high_pass,
    high_pass_rows,
    merge_craters,
    view_percentiles,
    with_view_craters,
)
from segmentation.engine.errors import SegmentationCancelled
from segmentation.engine.inference import segment_array, segment_raster
from segmentation.engine.instances import CraterDetection
from segmentation.engine.normalize import robust_percentiles
from segmentation.engine.postprocess import extract_features
from segmentation.engine.weights import LoadedModel


def _image_with_holes(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    lum = rng.normal(100, 20, (h, w)).astype(np.float32)
    valid = np.ones((h, w), dtype=bool)
    valid[h // 3 : h // 3 + 15, w // 4 : w // 2] = False
    valid[:, -3:] = False
    lum[~valid] = 0
    return lum, valid


def _reader(lum: np.ndarray, valid: np.ndarray):  # noqa: ANN202 - a ReadLum
    return lambda r0, r1: (lum[r0:r1], valid[r0:r1])


def test_band_reads_equal_the_whole_image_filter(rng: np.random.Generator) -> None:
    lum, valid = _image_with_holes(rng, 300, 90)
    whole = high_pass(lum, valid)
    for r0, r1 in [(0, 40), (40, 128), (128, 300), (250, 300), (3, 4), (0, 300)]:
        part, ok = high_pass_rows(_reader(lum, valid), 300, r0, r1)
        np.testing.assert_allclose(part, whole[r0:r1], atol=1e-4)
        assert (ok == valid[r0:r1]).all()
    # without the halo the rows next to a cut differ: the halo is what makes band reads exact
    cut = high_pass(lum[100:160], valid[100:160])
    assert np.abs(cut[:3] - whole[100:103]).max() > 1e-3


def test_nodata_never_bleeds_into_the_filter(rng: np.random.Generator) -> None:
    lum, valid = _image_with_holes(rng, 120, 120)
    poisoned = lum.copy()
    poisoned[~valid] = 1e9
    a, b = high_pass(lum, valid), high_pass(poisoned, valid)
    np.testing.assert_allclose(a, b, atol=1e-3)
    assert (a[~valid] == 0).all()
    flat = np.full((50, 50), 7.0, dtype=np.float32)
    assert np.abs(high_pass(flat, np.ones_like(flat, dtype=bool))).max() < 1e-5  # no relief, no contrast


@pytest.mark.parametrize("shape", [(200, 150), (1100, 1000)])
def test_view_percentiles_follow_the_in_memory_rule(rng: np.random.Generator, shape: tuple[int, int]) -> None:
    lum, valid = _image_with_holes(rng, *shape)
    expected = robust_percentiles(high_pass(lum, valid), valid)  # the second shape decimates (> 1 Mpx)
    got = view_percentiles(_reader(lum, valid), *shape, band_rows=127)  # bands start off the grid too
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_a_tiny_valid_island_between_decimation_rows_still_normalises() -> None:
    lum = np.zeros((1100, 1000), dtype=np.float32)
    valid = np.zeros_like(lum, dtype=bool)
    valid[1:2, 1:30] = True  # row 1 is not on the decimation grid (step 2)
    lum[1, 1:30] = np.arange(29)
    lo, hi = view_percentiles(_reader(lum, valid), 1100, 1000)
    assert lo < hi


def _det(cx: float, cy: float, d: float, conf: float = 0.9) -> CraterDetection:
    return CraterDetection(cx, cy, d, conf, int(d * d), 0)


def test_merge_keeps_nested_craters_and_drops_duplicates() -> None:
    big = _det(100, 100, 80)
    first = [big, _det(10, 10, 12)]
    second = [
        _det(101, 99, 78),  # the big crater seen again: duplicate
        _det(11, 10, 14),  # the small one seen again: duplicate
        _det(90, 95, 14),  # nested in the big one: new
        _det(130, 100, 12, conf=MIN_VIEW_CONFIDENCE - 0.01),  # not confident enough
        _det(60, 60, 10, conf=0.95),
        _det(61, 60, 11, conf=0.85),  # duplicate of the more confident one just added
    ]
    merged = merge_craters(first, second)
    assert [(d.cx, d.cy, d.diameter) for d in merged] == [(100, 100, 80), (10, 10, 12), (60, 60, 10), (90, 95, 14)]
    assert [d.label for d in merged] == [1, 2, 3, 4]
    assert merge_craters([], [_det(5, 5, 10)]) == [CraterDetection(5, 5, 10, 0.9, 100, 1)]


def _disk(shape: tuple[int, int], cx: float, cy: float, r: float) -> np.ndarray:
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    return (xx + 0.5 - cx) ** 2 + (yy + 0.5 - cy) ** 2 <= r * r


def test_features_gain_the_crater_nested_in_a_bigger_one() -> None:
    shape = (200, 200)
    mask = np.where(_disk(shape, 100, 100, 40), 1, 0).astype(np.uint8)  # the class mask: one big crater
    conf = np.where(mask == 1, 230, 0).astype(np.uint8)
    view = np.where(_disk(shape, 85, 95, 8), 240, 0).astype(np.uint8)  # the second view: a small crater inside
    view[_disk(shape, 150, 30, 6)] = 150  # and a weak one (conf 0.59) that must not count
    without = [f for f in extract_features(mask, conf) if f.class_name == "crater"]
    with_view = [f for f in extract_features(mask, conf, crater_view=view) if f.class_name == "crater"]
    assert len(without) == 1 and len(with_view) == 2
    nested = min(with_view, key=lambda f: f.diameter_px or 0)
    assert nested.centre_px == pytest.approx((85, 95), abs=0.6) and nested.diameter_px == pytest.approx(16, abs=1.5)
    dets = with_view_craters([], view.astype(np.float32) / 255)
    assert len(dets) == 1  # float confidences behave like the uint8 raster


def _write_tif(path: Path, image: np.ndarray, nodata: float | None = None) -> Path:
    """A plain one-band GeoTIFF (no georeference) of ``image``."""
    h, w = image.shape
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=1, dtype=image.dtype, nodata=nodata) as dst:
        dst.write(image, 1)
    return path


def test_array_and_raster_paths_give_the_same_view(tmp_path: Path, tiny_model: LoadedModel) -> None:
    rng = np.random.default_rng(3)
    image = (rng.random((300, 170)) * 200 + 20).astype(np.uint8)
    image[40:60, :50] = 0  # nodata block
    src = _write_tif(tmp_path / "in.tif", image, nodata=0)
    ticks: list[tuple[int, int]] = []
    res = segment_raster(src, tmp_path / "m.tif", tmp_path / "c.tif", tiny_model, tile=64, overlap=16,
                         dst_crater_view_path=tmp_path / "v.tif", progress=lambda d, t: ticks.append((d, t)))
    arr = segment_array(image, tiny_model, nodata=0, tile=64, overlap=16, crater_view=True)
    assert res.crater_view_path == tmp_path / "v.tif" and arr.crater_view is not None
    with rasterio.open(res.crater_view_path) as v:
        raster_view = v.read(1)
    expected = np.round(arr.crater_view * 255).astype(np.uint8)
    assert np.abs(raster_view.astype(int) - expected).max() <= 1  # float rounding at .5 only
    assert (raster_view[40:60, :50] == 0).all()
    # the untrained net calls some pixels crater in the view but not all; nodata never
    assert 0 < (raster_view > 0).mean() < 1
    # one progress count for both passes, ending at the total
    assert ticks[-1][0] == ticks[-1][1] and {t for _, t in ticks} == {ticks[-1][1]}
    assert [d for d, _ in ticks] == sorted(d for d, _ in ticks)
    plain = segment_array(image, tiny_model, nodata=0, tile=64, overlap=16)
    assert plain.crater_view is None and (plain.mask == arr.mask).all()  # the first view is unchanged


def test_cancelling_during_the_view_leaves_no_outputs(tmp_path: Path, tiny_model: LoadedModel) -> None:
    src = _write_tif(tmp_path / "in.tif", (np.random.default_rng(4).random((200, 200)) * 255).astype(np.uint8))
    ticks: list[tuple[int, int]] = []

    def cancel() -> bool:
        return any(2 * done > total for done, total in ticks)  # the second pass has begun

    outs = [tmp_path / n for n in ("m.tif", "c.tif", "v.tif")]
    with pytest.raises(SegmentationCancelled):
        segment_raster(src, outs[0], outs[1], tiny_model, tile=64, overlap=16, dst_crater_view_path=outs[2],
                       progress=lambda d, t: ticks.append((d, t)), cancel=cancel)
    assert max(d for d, _ in ticks) < ticks[0][1]  # it stopped inside the second pass
    assert not any(p.exists() for p in outs)


def _merge_by_brute_force(first: list[CraterDetection], second: list[CraterDetection]) -> list[tuple[float, ...]]:
    kept: list[tuple[float, ...]] = [(d.cx, d.cy, d.diameter) for d in first]
    for d in sorted((d for d in second if d.confidence >= MIN_VIEW_CONFIDENCE), key=lambda d: -d.confidence):
        small = [min(dd, d.diameter) for _, _, dd in kept]
        if not any(
            np.hypot(x - d.cx, y - d.cy) < 0.5 * s and abs(dd - d.diameter) < 0.5 * s
            for (x, y, dd), s in zip(kept, small, strict=True)
        ):
            kept.append((d.cx, d.cy, d.diameter))
    return kept


def test_merge_equals_the_pairwise_rule_on_crowded_catalogues() -> None:
    rng = np.random.default_rng(7)

    def cat(n: int) -> list[CraterDetection]:
        xy = rng.uniform(0, 300, (n, 2))
        return [_det(float(x), float(y), float(rng.uniform(5, 40)), float(rng.uniform(0.5, 1))) for x, y in xy]

    first, second = cat(300), cat(600)
    merged = merge_craters(first, second)
    assert [(d.cx, d.cy, d.diameter) for d in merged] == _merge_by_brute_force(first, second)
    assert len(first) < len(merged) < len(first) + len(second)  # crowded: some added, some duplicates


def test_cancelling_while_the_view_reads_its_percentiles(tmp_path: Path, tiny_model: LoadedModel) -> None:
    src = _write_tif(tmp_path / "in.tif", (np.random.default_rng(5).random((300, 200)) * 255).astype(np.uint8))
    ticks: list[tuple[int, int]] = []
    outs = [tmp_path / n for n in ("m.tif", "c.tif", "v.tif")]
    with pytest.raises(SegmentationCancelled):
        segment_raster(src, outs[0], outs[1], tiny_model, tile=64, overlap=16, dst_crater_view_path=outs[2],
                       progress=lambda d, t: ticks.append((d, t)),
                       cancel=lambda: any(2 * d == t for d, t in ticks))  # first pass done: percentile reads
    assert max(2 * d for d, _ in ticks) == ticks[0][1]  # no window of the second pass ran
    assert not any(p.exists() for p in outs)
