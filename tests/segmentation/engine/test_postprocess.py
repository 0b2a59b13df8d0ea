import math

import numpy as np
import pytest
from affine import Affine

from segmentation.engine.postprocess import Feature, Georef, extract_features, skeleton_length, to_geojson

MARS_R = 3396190.0


def _disk(mask: np.ndarray, cx: float, cy: float, d: float, value: int = 1) -> None:
    yy, xx = np.mgrid[: mask.shape[0], : mask.shape[1]]
    mask[(xx + 0.5 - cx) ** 2 + (yy + 0.5 - cy) ** 2 <= (d / 2) ** 2] = value


def _centre_x(f: Feature) -> float:
    assert f.centre_px is not None, "a crater has a centre"
    return f.centre_px[0]


def test_touching_disks_are_two_instances() -> None:
    m = np.zeros((120, 160), np.uint8)
    _disk(m, 50, 60, 40)
    _disk(m, 90, 60, 40)  # centres exactly one diameter apart: the disks touch
    craters = [f for f in extract_features(m) if f.class_name == "crater"]
    assert len(craters) == 2
    for f, cx in zip(sorted(craters, key=_centre_x), (50, 90), strict=True):
        assert f.diameter_px == pytest.approx(40, rel=0.1)
        assert _centre_x(f) == pytest.approx(cx, abs=2)


def test_overlapping_disks_of_different_size() -> None:
    m = np.zeros((120, 160), np.uint8)
    _disk(m, 50, 60, 50)
    _disk(m, 95, 60, 30)
    d = sorted(f.diameter_px for f in extract_features(m) if f.class_name == "crater" and f.diameter_px is not None)
    assert len(d) == 2 and d[0] == pytest.approx(30, rel=0.1) and d[1] == pytest.approx(50, rel=0.1)


def test_straight_ridge_length_and_orientation() -> None:
    m = np.zeros((100, 260), np.uint8)
    m[48:53, 30:230] = 3  # 200 px long, 5 px wide, east-west
    (ridge,) = [f for f in extract_features(m) if f.class_name == "ridge"]
    assert ridge.length_px == pytest.approx(200, rel=0.03)
    assert ridge.orientation_deg == pytest.approx(90, abs=1)
    diag = np.eye(100, dtype=bool)
    assert skeleton_length(diag) == pytest.approx(99 * math.sqrt(2), rel=0.01)


def test_mars_sphere_measurements() -> None:
    # geographic Mars CRS, 0.01 degree pixels at the equator
    res = 0.01
    geo = Georef(Affine(res, 0, -0.5, 0, -res, 0.5), "IAU_2015:49900", MARS_R)
    m = np.zeros((100, 200), np.uint8)
    _disk(m, 50, 50, 40)
    m[50:52, 100:190] = 2  # 90 px valley, east-west, along the equator
    feats = extract_features(m, georef=geo)
    (crater,) = [f for f in feats if f.class_name == "crater"]
    (valley,) = [f for f in feats if f.class_name == "valley"]
    km_per_deg = 2 * math.pi * MARS_R / 360 / 1000
    assert crater.diameter_km == pytest.approx(40 * res * km_per_deg, rel=0.02)
    assert crater.area_km2 == pytest.approx(math.pi * (20 * res * km_per_deg) ** 2, rel=0.03)
    assert crater.centre == pytest.approx((0.0, 0.0), abs=0.01)
    assert valley.length_km == pytest.approx(90 * res * km_per_deg, rel=0.03)
    fc = to_geojson(feats, "Mars")
    assert fc["body"] == "Mars" and len(fc["features"]) == 2
    lon, lat = fc["features"][0]["geometry"]["coordinates"][0][0]
    assert abs(lon) < 1 and abs(lat) < 1


def test_specks_removed() -> None:
    m = np.zeros((50, 50), np.uint8)
    m[10:12, 10:12] = 2
    assert extract_features(m, min_area_px=16) == []
