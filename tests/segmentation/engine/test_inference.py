from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from segmentation.engine.errors import (
    AllNodataError,
    EmptyInputError,
    SegmentationCancelled,
    UnreadableInputError,
    UnsupportedBandLayoutError,
)
from segmentation.engine.inference import segment_array, segment_raster
from segmentation.engine.synthetic import generate_sample

MARS_EQC = 'PROJCRS["Mars eqc",BASEGEOGCRS["Mars 2000",DATUM["Mars",ELLIPSOID["Mars",3396190,0]],PRIMEM["Reference Meridian",0],UNIT["degree",0.0174532925199433]],CONVERSION["Equirectangular",METHOD["Equidistant Cylindrical",ID["EPSG",1028]],PARAMETER["Latitude of 1st standard parallel",0],PARAMETER["Longitude of natural origin",0],PARAMETER["False easting",0],PARAMETER["False northing",0]],CS[Cartesian,2],AXIS["easting",east],AXIS["northing",north],UNIT["metre",1]]'  # noqa: E501


def _write(path: Path, arr: np.ndarray, **kw: object) -> Path:
    arr = arr if arr.ndim == 3 else arr[None]
    prof = {"driver": "GTiff", "width": arr.shape[2], "height": arr.shape[1], "count": arr.shape[0],
            "dtype": arr.dtype.name, **kw}
    with rasterio.open(path, "w", **prof) as dst:
        dst.write(arr)
    return path


def _image(size: int = 160, seed: int = 3) -> np.ndarray:
    return (generate_sample(size, seed).image * 250).astype(np.uint8)


def test_tiled_equals_untiled(tiny_model) -> None:
    img = _image(160)
    whole = segment_array(img, tiny_model, tile=192, overlap=0)
    tiled = segment_array(img, tiny_model, tile=64, overlap=32)
    # the outermost 2 px differ only by padding mode (reflected pad to 192 vs the conv's zero pad)
    inner = (slice(2, -2), slice(2, -2))
    assert (whole.mask[inner] == tiled.mask[inner]).mean() > 0.999
    # window-edge predictions still enter with a small Hann weight
    assert np.abs(whole.conf[inner] - tiled.conf[inner]).max() < 0.01


def test_deterministic_and_cancel(tmp_path: Path, tiny_model) -> None:
    src = _write(tmp_path / "a.tif", _image(150))
    outs = []
    for i in range(2):
        segment_raster(src, tmp_path / f"m{i}.tif", tmp_path / f"c{i}.tif", tiny_model, tile=64, overlap=16)
        with rasterio.open(tmp_path / f"m{i}.tif") as m, rasterio.open(tmp_path / f"c{i}.tif") as c:
            outs.append((m.read(1), c.read(1)))
    assert np.array_equal(outs[0][0], outs[1][0]) and np.array_equal(outs[0][1], outs[1][1])
    with pytest.raises(SegmentationCancelled):
        segment_raster(src, tmp_path / "x.tif", tmp_path / "y.tif", tiny_model, tile=64, overlap=16,
                       cancel=lambda: True)
    assert not (tmp_path / "x.tif").exists()


def test_reads_stay_within_one_band(tmp_path: Path, tiny_model, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _write(tmp_path / "big.tif", np.tile(_image(128), (6, 2)), tiled=True, blockxsize=64, blockysize=64)
    heights: list[int] = []
    orig = rasterio.io.DatasetReader.read

    def spy(self, *a, **kw):  # type: ignore[no-untyped-def]
        win = kw.get("window")
        if win is not None:
            heights.append(int(win.height))
        return orig(self, *a, **kw)

    monkeypatch.setattr(rasterio.io.DatasetReader, "read", spy)
    calls: list[tuple[int, int]] = []
    res = segment_raster(src, tmp_path / "m.tif", tmp_path / "c.tif", tiny_model, tile=64, overlap=16,
                         progress=lambda d, t: calls.append((d, t)))
    assert res.height == 768 and max(heights) <= 64 and len(heights) >= 768 // 48
    assert calls[-1][0] == calls[-1][1]


def test_georeference_and_nodata(tmp_path: Path, tiny_model) -> None:
    img = _image(100).astype(np.int16)
    img[:, :10] = -32768
    tr = from_origin(1000.0, 5000.0, 200.0, 200.0)
    src = _write(tmp_path / "g.tif", img, crs=MARS_EQC, transform=tr, nodata=-32768)
    segment_raster(src, tmp_path / "m.tif", tmp_path / "c.tif", tiny_model, tile=64, overlap=16)
    with rasterio.open(tmp_path / "m.tif") as m, rasterio.open(tmp_path / "c.tif") as c:
        assert m.transform == tr and m.crs.to_wkt() and "Mars" in m.crs.to_wkt()
        assert (m.read(1)[:, :10] == 0).all() and (c.read(1)[:, :10] == 0).all()
        assert c.read(1)[:, 10:].min() > 0


def test_bad_inputs(tmp_path: Path, tiny_model) -> None:
    m, c = tmp_path / "m.tif", tmp_path / "c.tif"
    with pytest.raises(UnreadableInputError):
        segment_raster(tmp_path / "missing.tif", m, c, tiny_model)
    (tmp_path / "junk.tif").write_bytes(b"not a raster at all")
    with pytest.raises(UnreadableInputError):
        segment_raster(tmp_path / "junk.tif", m, c, tiny_model)
    (tmp_path / "empty.tif").write_bytes(b"")
    with pytest.raises(EmptyInputError):
        segment_raster(tmp_path / "empty.tif", m, c, tiny_model)
    nod = _write(tmp_path / "nod.tif", np.zeros((40, 40), np.uint8), nodata=0)
    with pytest.raises(AllNodataError):
        segment_raster(nod, m, c, tiny_model)
    five = _write(tmp_path / "five.tif", np.ones((5, 40, 40), np.uint8))
    with pytest.raises(UnsupportedBandLayoutError):
        segment_raster(five, m, c, tiny_model)
    with pytest.raises(EmptyInputError):
        segment_array(np.zeros((0, 5), np.uint8), tiny_model)


@pytest.mark.parametrize("passes", [2, 4])
def test_test_time_augmentation_maps_mirrors_back(tiny_model, passes: int) -> None:
    from segmentation.engine.weights import wrap_module

    x = np.random.default_rng(1).standard_normal((2, 1, 64, 64)).astype(np.float32)
    plain = tiny_model.predict_proba
    mirrors = [lambda a: a, lambda a: a[..., ::-1], lambda a: a[..., ::-1, :], lambda a: a[..., ::-1, ::-1]]
    expected = np.mean([m(plain(m(x).copy())) for m in mirrors[:passes]], axis=0)
    tta = wrap_module(tiny_model.module, tiny_model.card, "cpu", tta=passes)
    got = tta.predict_proba(x)
    assert np.allclose(got, expected, atol=1e-6)
    assert not np.allclose(got, plain(x), atol=1e-3)  # TinyNet is not mirror-symmetric: the passes matter
    assert np.allclose(got.sum(axis=1), 1.0, atol=1e-5)


def test_test_time_augmentation_rejects_other_counts(tiny_model) -> None:
    from segmentation.engine.errors import WeightsError
    from segmentation.engine.weights import wrap_module

    with pytest.raises(WeightsError, match="test-time augmentation"):
        wrap_module(tiny_model.module, tiny_model.card, "cpu", tta=3)


def test_cpu_forward_pass_takes_at_most_a_few_windows_at_once(tiny_model) -> None:
    from segmentation.engine.weights import CPU_MAX_WINDOWS, wrap_module

    sizes: list[int] = []
    model = wrap_module(tiny_model.module, tiny_model.card, "cpu")
    hook = model.module.register_forward_pre_hook(lambda _m, args: sizes.append(int(args[0].shape[0])))
    try:
        x = np.random.default_rng(2).standard_normal((2 * CPU_MAX_WINDOWS + 1, 1, 64, 64)).astype(np.float32)
        whole = model.predict_proba(x)
        one_by_one = np.concatenate([model.predict_proba(x[i:i + 1]) for i in range(len(x))])
    finally:
        hook.remove()
    assert sizes[:3] == [CPU_MAX_WINDOWS, CPU_MAX_WINDOWS, 1]
    assert whole.shape == (len(x), len(tiny_model.card.classes), 64, 64)
    assert np.allclose(whole, one_by_one, atol=1e-6)
