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


def _reference_peaks(dist: np.ndarray, comp: np.ndarray, n_comp: int) -> np.ndarray:
    """The plain quadratic rule the fast marker search must reproduce."""
    from skimage.feature import peak_local_max

    coords = peak_local_max(dist, min_distance=2, threshold_abs=1.0, labels=comp, exclude_border=False)
    order = np.argsort(-dist[coords[:, 0], coords[:, 1]], kind="stable")
    kept: list[tuple[int, int, float]] = []
    for y, x in coords[order]:
        r = float(dist[y, x])
        if all((y - ky) ** 2 + (x - kx) ** 2 >= max(r, kr) ** 2 - 1e-9 for ky, kx, kr in kept):
            kept.append((int(y), int(x), r))
    markers = np.zeros(dist.shape, dtype=np.int32)
    for i, (y, x, _) in enumerate(kept, start=1):
        markers[y, x] = i
    nxt = len(kept) + 1
    for lab in range(1, n_comp + 1):
        if lab not in set(np.unique(comp[markers > 0]).tolist()):
            ys, xs = np.nonzero(comp == lab)
            k = int(np.argmax(dist[ys, xs]))
            markers[ys[k], xs[k]] = nxt
            nxt += 1
    return markers


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_marker_search_matches_the_quadratic_rule(seed: int) -> None:
    from scipy import ndimage

    from segmentation.engine.instances import _peaks

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:160, 0:160]
    binary = np.zeros((160, 160), dtype=bool)
    for cx, cy, r in zip(rng.uniform(0, 160, 40), rng.uniform(0, 160, 40), rng.uniform(1, 14, 40), strict=True):
        binary |= (xx - cx) ** 2 + (yy - cy) ** 2 < r * r  # touching, overlapping and 1-3 px specks
    binary |= rng.random(binary.shape) < 0.02
    comp, n = ndimage.label(binary)
    dist = ndimage.distance_transform_edt(binary).astype(np.float32)
    got, want = _peaks(dist, comp, n)[0], _reference_peaks(dist, comp, n)
    assert np.array_equal(got, want)
    assert set(np.unique(comp[got > 0])) == set(range(1, n + 1))  # every component has a marker


def test_crater_across_the_antimeridian_is_cut_not_smeared() -> None:
    from pyproj import CRS

    # a 0..360 Mars map (central meridian 180): the antimeridian runs down the middle of the image
    crs = CRS.from_proj4(f"+proj=eqc +lon_0=180 +R={MARS_R} +units=m +no_defs")
    px = 1000.0  # metres per pixel
    geo = Georef(Affine(px, 0, -100 * px, 0, -px, 50 * px), crs, MARS_R)
    m = np.zeros((100, 200), np.uint8)
    _disk(m, 100, 50, 30)  # centred on lon 180
    _disk(m, 40, 50, 30)  # the same crater 60 km west, clear of the cut
    feats = sorted((f for f in extract_features(m, georef=geo) if f.class_name == "crater"), key=_centre_x)
    west, across = feats
    assert across.geometry.geom_type == "MultiPolygon" and len(across.geometry.geoms) == 2
    minx, _, maxx, _ = across.geometry.bounds
    assert (minx, maxx) == (-180.0, 180.0)  # two halves touching the edges, not a band around the planet
    assert max(p.bounds[2] - p.bounds[0] for p in across.geometry.geoms) < 1.0
    assert across.diameter_km == pytest.approx(west.diameter_km, rel=0.01) == pytest.approx(30, rel=0.1)
    assert across.perimeter_km == pytest.approx(west.perimeter_km, rel=0.01)
    assert across.centre is not None and abs(across.centre[0]) == pytest.approx(180.0, abs=0.05)
    assert west.geometry.geom_type == "Polygon" and 0 < west.geometry.bounds[0] < 180


def _ground_disk_mask(geo: Georef, n: int, lon0: float, lat0: float, d_km: float) -> np.ndarray:
    """The pixels of an n x n grid within d_km / 2 of (lon0, lat0) on the sphere: a round crater on the ground."""
    cols, rows = np.meshgrid(np.arange(n) + 0.5, np.arange(n) + 0.5)
    lon, lat = geo.lonlat(cols.ravel(), rows.ravel())
    _, _, dist = geo.geod.inv(np.full(lon.size, lon0), np.full(lon.size, lat0), lon, lat)
    return (dist.reshape(n, n) <= d_km * 500).astype(np.uint8)


@pytest.mark.parametrize("lat0", [0.0, 50.0, 65.0, 70.0, 75.0])
@pytest.mark.parametrize("d_km", [15.0, 40.0])
def test_round_crater_stays_one_at_high_latitude(lat0: float, d_km: float) -> None:
    # a lon/lat grid stretches a round crater east-west by 1/cos(latitude): 3x at 70 degrees, 3.9x at 75
    res, n = 0.02, 400
    geo = Georef(Affine(res, 0, 10 - n / 2 * res, 0, -res, lat0 + n / 2 * res), "IAU_2015:49900", MARS_R)
    mask = _ground_disk_mask(geo, n, 10.0, lat0, d_km)
    craters = [f for f in extract_features(mask, georef=geo) if f.class_name == "crater"]
    assert len(craters) == 1
    (crater,) = craters
    assert crater.diameter_km == pytest.approx(d_km, rel=0.03)
    assert crater.centre == pytest.approx((10.0, lat0), abs=0.02)
    assert crater.geometry.area > 0 and crater.geometry.bounds[0] < 10.0 < crater.geometry.bounds[2]


@pytest.mark.parametrize("lat0", [76.0, 80.0, 85.0])
def test_no_crater_is_reported_where_the_grid_stretches_it_over_four_times(lat0: float) -> None:
    """Beyond 75.5 degrees a lon/lat grid's round crater spans over four times as many columns as rows, a shape
    the network never learnt (``MIN_GROUND_ASPECT``): the same ground disk that is one crater at 75 is none."""
    from segmentation.engine.postprocess import MIN_GROUND_ASPECT

    assert math.cos(math.radians(75.0)) > MIN_GROUND_ASPECT > math.cos(math.radians(lat0))
    res, n = 0.02, 400
    geo = Georef(Affine(res, 0, 10 - n / 2 * res, 0, -res, lat0 + n / 2 * res), "IAU_2015:49900", MARS_R)
    mask = _ground_disk_mask(geo, n, 10.0, lat0, 40.0)
    assert mask.any()
    assert [f for f in extract_features(mask, georef=geo) if f.class_name == "crater"] == []


def test_second_view_craters_are_split_on_the_ground_too() -> None:
    res, n, lat0 = 0.02, 400, 70.0
    geo = Georef(Affine(res, 0, 10 - n / 2 * res, 0, -res, lat0 + n / 2 * res), "IAU_2015:49900", MARS_R)
    view = _ground_disk_mask(geo, n, 10.0, lat0, 20.0).astype(np.float32) * 0.95
    empty = np.zeros((n, n), np.uint8)
    craters = [f for f in extract_features(empty, georef=geo, crater_view=view) if f.class_name == "crater"]
    assert len(craters) == 1 and craters[0].diameter_km == pytest.approx(20.0, rel=0.05)


@pytest.mark.parametrize(("code", "x0", "step"), [
    ("49900", -31.0, 0.01),
    ("49901", 31.0, -0.01),  # latitude first, west-positive: x = 31 means 31 W
    ("49902", -31.0, 0.01),  # ocentric ellipsoid with U/V axes
])
def test_features_land_where_the_footprint_is(code: str, x0: float, step: float) -> None:
    import pyproj

    from rasters.core.bodies import body_geographic_crs
    from rasters.core.geodesy import footprint_lonlat

    crs = pyproj.CRS.from_authority("IAU_2015", code)
    grid = Affine(step, 0, x0, 0, -0.01, 41.0)
    m = np.zeros((100, 100), np.uint8)
    _disk(m, 50, 50, 30)
    for geo in (Georef(grid, crs, MARS_R), Georef(grid, crs, MARS_R, geographic_crs=body_geographic_crs("mars"))):
        (crater,) = [f for f in extract_features(m, georef=geo) if f.class_name == "crater"]
        assert crater.centre is not None
        assert crater.centre[0] == pytest.approx(-30.5, abs=0.01)  # 30.5 degrees west
        assert crater.centre[1] == pytest.approx(40.5, abs=0.35)
        footprint = footprint_lonlat(grid, 100, 100, crs, body_geographic_crs("mars"))
        assert footprint.centroid.x == pytest.approx(crater.centre[0], abs=0.01)
        assert footprint.centroid.y == pytest.approx(crater.centre[1], abs=0.01)


@pytest.mark.parametrize("lat0", [0.0, 60.0, 70.0])
@pytest.mark.parametrize("shape", ["east-west", "north-south", "L"])
def test_valley_length_on_the_ground(lat0: float, shape: str) -> None:
    # a bent valley's length is the sum of its steps on the sphere, not its pixel length times one scale
    res, n, r0, c0, length, w = 0.02, 400, 120, 120, 150, 5
    geo = Georef(Affine(res, 0, 10 - n / 2 * res, 0, -res, lat0 + n / 2 * res), "IAU_2015:49900", MARS_R)
    m = np.zeros((n, n), np.uint8)
    if shape in ("east-west", "L"):
        m[r0:r0 + w, c0:c0 + length] = 2
    if shape in ("north-south", "L"):
        m[r0:r0 + length, c0:c0 + w] = 2
    cols = {"east-west": [c0, c0 + length], "north-south": [c0 + w / 2] * 2, "L": [c0 + length, c0 + w / 2, c0 + w / 2]}
    rows = {"east-west": [r0 + w / 2] * 2, "north-south": [r0, r0 + length], "L": [r0 + w / 2, r0 + w / 2, r0 + length]}
    lon, lat = geo.lonlat(np.array(cols[shape], float), np.array(rows[shape], float))
    centre_line_km = geo.geod.line_length(lon, lat) / 1000
    (valley,) = [f for f in extract_features(m, georef=geo) if f.class_name == "valley"]
    assert valley.length_km == pytest.approx(centre_line_km, rel=0.03)


def test_crater_on_the_pole_is_a_cap() -> None:
    from shapely.geometry import Point

    px, n = 500.0, 400  # north polar stereographic, 500 m pixels, the pole at the grid's centre
    geo = Georef(Affine(px, 0, -n / 2 * px, 0, -px, n / 2 * px), "IAU_2015:49930", MARS_R)
    assert geo.poles_px[90.0] == pytest.approx((n / 2, n / 2))
    for lon0, lat0 in ((0.0, 90.0), (45.0, 89.6)):
        (crater,) = [f for f in extract_features(_ground_disk_mask(geo, n, lon0, lat0, 40.0), georef=geo)
                     if f.class_name == "crater"]
        assert crater.geometry.is_valid and not crater.geometry.is_empty
        assert crater.diameter_km == pytest.approx(40.0, rel=0.01)
        assert crater.geometry.contains(Point(lon0 if lat0 < 90 else 123.0, min(lat0, 89.9)))
        west, _, east, north = crater.geometry.bounds
        if lat0 == 90.0:  # the cap spans every longitude up to the pole
            assert (west, east, north) == (-180.0, 180.0, 90.0)
        else:
            assert east - west < 180.0


def test_multipart_feature_over_the_pole_keeps_every_part() -> None:
    px, n = 500.0, 200
    geo = Georef(Affine(px, 0, -n / 2 * px, 0, -px, n / 2 * px), "IAU_2015:49930", MARS_R)
    m = np.zeros((n, n), np.uint8)
    m[90:110, 90:110] = 2  # over the pole pixel (100, 100)
    m[110:130, 110:130] = 2  # touches the first square at one corner only: one component, two polygons
    (valley,) = [f for f in extract_features(m, georef=geo) if f.class_name == "valley"]
    assert valley.geometry.is_valid and not valley.geometry.is_empty
    assert valley.geometry.bounds[3] == 90.0  # the part over the pole is a cap
    assert valley.area_km2 == pytest.approx(2 * 400 * 0.25, rel=0.02)


@pytest.mark.parametrize(("lon", "lat", "expected"), [
    (51.43, -90.27, (-128.57, -89.73)), (10.0, 90.5, (-170.0, 89.5)), (179.0, -45.0, (179.0, -45.0)),
    (181.0, 10.0, (-179.0, 10.0)), (-180.0, -90.0, (-180.0, -90.0)),
])
def test_a_centre_read_past_the_pole_is_the_point_on_the_sphere(lon: float, lat: float,
                                                                 expected: tuple[float, float]) -> None:
    from segmentation.engine.postprocess import over_the_pole

    assert over_the_pole(lon, lat) == pytest.approx(expected)


def test_a_crater_reaching_past_a_global_maps_pole_is_not_kept() -> None:
    """A round blob cut by the bottom row of a global lon/lat map (the south pole): its fitted circle, stretched
    across the columns as the pixels' ground width shrinks, reaches past -90 with no measurable area, so it is
    not kept; the same blob away from the pole is a crater with its outline and measurements on the body."""
    n = 90  # 2-degree pixels, 180 x 90
    geo = Georef(Affine(2.0, 0, -180.0, 0, -2.0, 90.0), "IAU_2015:49900", MARS_R)
    rows, cols = np.mgrid[0:n, 0:2 * n]

    def craters(centre_row: float) -> list[Feature]:
        mask = np.zeros((n, 2 * n), dtype=np.uint8)
        mask[(rows - centre_row) ** 2 + (cols - 100.5) ** 2 <= 6.0**2] = 1
        return [f for f in extract_features(mask, georef=geo) if f.class_name == "crater"]

    assert craters(n + 0.6) == []  # centre 0.6 px below the last row
    kept = craters(n - 30.0)  # 30 degrees from the pole
    assert kept
    for crater in kept:
        assert crater.centre is not None and crater.area_km2 is not None and crater.diameter_km is not None
        lon, lat = crater.centre
        _, miny, _, maxy = crater.geometry.bounds
        assert -180.0 <= lon <= 180.0 and -90.0 <= miny <= lat <= maxy <= 90.0
        assert math.isfinite(crater.area_km2) and math.isfinite(crater.diameter_km) and crater.diameter_km > 0


def test_row_km_is_a_pixel_height_on_the_body() -> None:
    # 0.5 degree pixels on the Mars sphere: a pixel is 2 pi R / 720 tall at any latitude, cos(lat) of that wide
    res = 0.5
    geo = Georef(Affine(res, 0, -180.0, 0, -res, 90.0), "IAU_2015:49900", MARS_R)
    cols, rows = np.array([10.0, 300.0, 500.0]), np.array([180.0, 60.0, 300.0])
    tall = 2 * math.pi * MARS_R / 1000 / 720
    np.testing.assert_allclose(geo.row_km(cols, rows), tall, rtol=1e-3)
    lat = 90.0 - rows * res  # the steps start at pixel (cols, rows), a corner
    np.testing.assert_allclose(geo.aspect(cols, rows), np.cos(np.radians(lat)), rtol=5e-3)


def test_a_valley_reaching_a_global_maps_pole_row_is_kept_and_measured() -> None:
    """A valley whose skeleton ends on the top row: its end's extension toward the pole would leave the body,
    so the pixel's size is read the other way; the valley keeps a finite length, like the same strip lower."""
    geo = Georef(Affine(2.0, 0, -180.0, 0, -2.0, 90.0), "IAU_2015:49900", MARS_R)

    def valleys(r0: int) -> list[Feature]:
        mask = np.zeros((90, 180), dtype=np.uint8)
        mask[r0:r0 + 20, 100:103] = 2
        return [f for f in extract_features(mask, georef=geo) if f.class_name == "valley"]

    (at_pole,) = valleys(0)
    (lower,) = valleys(5)
    assert at_pole.length_km is not None and lower.length_km is not None
    assert at_pole.geometry.bounds[3] == pytest.approx(90.0)
    assert at_pole.length_km == pytest.approx(lower.length_km, rel=0.05)


def test_a_crater_left_out_beyond_the_bound_does_not_take_its_kept_twin_with_it() -> None:
    """Two detections of one crater astride 75.5 degrees: the one beyond, the merge's first choice (more
    confident), is left out before the merge, so the one inside is kept."""
    from segmentation.engine.instances import CraterDetection
    from segmentation.engine.postprocess import MIN_GROUND_ASPECT

    res, n, lat0 = 0.02, 400, 75.5
    geo = Georef(Affine(res, 0, 10 - n / 2 * res, 0, -res, lat0 + n / 2 * res), "IAU_2015:49900", MARS_R)
    bound = math.degrees(math.acos(MIN_GROUND_ASPECT))

    def row(lat: float) -> float:
        return (lat0 + n / 2 * res - lat) / res

    beyond = CraterDetection(200.0, row(bound + 0.03), 20.0, 0.95, 300, 1)
    inside = CraterDetection(200.0, row(bound - 0.03), 20.0, 0.60, 300, 2)
    mask = np.zeros((n, n), dtype=np.uint8)
    craters = [f for f in extract_features(mask, georef=geo, levels={0.5: [beyond, inside]})
               if f.class_name == "crater"]
    assert len(craters) == 1 and craters[0].confidence == pytest.approx(0.60)
    assert craters[0].centre is not None and craters[0].centre[1] < bound
