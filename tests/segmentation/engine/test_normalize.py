import numpy as np
import pytest

from segmentation.engine.errors import AllNodataError, UnsupportedBandLayoutError
from segmentation.engine.normalize import normalize_image, robust_percentiles, to_luminance


@pytest.mark.parametrize("dtype,scale", [(np.uint8, 200), (np.uint16, 60000), (np.float32, 3.5)])
def test_dtypes_map_to_same_input(dtype: type, scale: float) -> None:
    ramp = np.linspace(0, 1, 100 * 100).reshape(100, 100)
    x, valid = normalize_image((ramp * scale).astype(dtype))
    assert valid.all() and x.dtype == np.float32
    assert x.min() == pytest.approx(-2.0) and x.max() == pytest.approx(2.0)
    ref, _ = normalize_image(ramp.astype(np.float64))
    assert np.abs(x - ref).mean() < 0.05


def test_nodata_excluded_from_percentiles() -> None:
    img = np.full((50, 50), 100, np.uint16)
    img[:25] = 200
    img[:5] = 0  # nodata stripe must not stretch the range
    lum, valid = to_luminance(img, nodata=0)
    assert robust_percentiles(lum, valid) == (100.0, 200.0)
    x, valid = normalize_image(img, nodata=0)
    assert (x[:5] == 0).all() and not valid[:5].any()


def test_nan_and_all_nodata() -> None:
    f = np.ones((10, 10), np.float32)
    f[0, 0] = np.nan
    _, valid = normalize_image(f)
    assert not valid[0, 0] and valid.sum() == 99
    with pytest.raises(AllNodataError):
        normalize_image(np.zeros((4, 4), np.uint8), nodata=0)


def test_band_layouts() -> None:
    rgb = np.zeros((3, 4, 4), np.uint8)
    rgb[0] = 255
    lum, _ = to_luminance(rgb)
    assert np.allclose(lum, 0.299 * 255)
    rgba = np.concatenate([rgb, np.zeros((1, 4, 4), np.uint8)])
    assert not to_luminance(rgba)[1].any()  # alpha 0 everywhere -> all invalid
    with pytest.raises(UnsupportedBandLayoutError):
        to_luminance(np.zeros((5, 4, 4), np.uint8))
