import math

import pyproj
import pytest
from affine import Affine
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from rasters.core.bodies import body_geographic_crs
from rasters.core.errors import CRSError
from rasters.core.geodesy import footprint_lonlat, line_length_km, pixel_size_m, polygon_area_km2

MARS_R = 3_396_190.0
MOON_R = 1_737_400.0


def test_area_of_a_lat_lon_box_is_exact() -> None:
    expected = (MARS_R / 1000) ** 2 * math.pi / 3
    assert polygon_area_km2(box(0, -30, 60, 30), MARS_R) == pytest.approx(expected, rel=1e-9)


def test_area_of_the_whole_sphere() -> None:
    expected = 4 * math.pi * (MARS_R / 1000) ** 2
    assert polygon_area_km2(box(-180, -90, 180, 90), MARS_R) == pytest.approx(expected, rel=1e-9)


def test_geodesic_area_agrees_on_a_small_polygon() -> None:
    square = box(10, 10, 10.5, 10.5)
    assert polygon_area_km2(square, MOON_R, edges="geodesic") == pytest.approx(
        polygon_area_km2(square, MOON_R), rel=1e-4
    )


def test_area_subtracts_holes_and_sums_parts() -> None:
    holed = Polygon(box(0, 0, 10, 10).exterior.coords, [box(2, 2, 4, 4).exterior.coords])
    assert polygon_area_km2(holed, MARS_R) == pytest.approx(
        polygon_area_km2(box(0, 0, 10, 10), MARS_R) - polygon_area_km2(box(2, 2, 4, 4), MARS_R)
    )
    split = MultiPolygon([box(170, 0, 180, 10), box(-180, 0, -170, 10)])
    assert polygon_area_km2(split, MARS_R) == pytest.approx(polygon_area_km2(box(170, 0, 190, 10), MARS_R))


def test_line_length_of_a_quarter_meridian() -> None:
    quarter = LineString([(0, 0), (0, 90)])
    assert line_length_km(quarter, MARS_R) == pytest.approx(math.pi / 2 * MARS_R / 1000, rel=1e-9)


def test_footprint_across_the_antimeridian_is_split() -> None:
    moon = body_geographic_crs("moon")
    footprint = footprint_lonlat(Affine(0.5, 0, 170.0, 0, -0.5, 10.0), 40, 40, moon, moon)
    assert isinstance(footprint, MultiPolygon)
    assert sorted(part.bounds for part in footprint.geoms) == [
        pytest.approx((-180, -10, -170, 10)), pytest.approx((170, -10, 180, 10)),
    ]


def test_footprint_of_a_0_360_grid_comes_back_in_minus_180_180() -> None:
    mars = body_geographic_crs("mars")
    footprint = footprint_lonlat(Affine(1, 0, 0, 0, -1, 90), 360, 180, mars, mars)
    assert footprint.bounds == pytest.approx((-180, -90, 180, 90))
    assert polygon_area_km2(footprint, MARS_R) == pytest.approx(4 * math.pi * (MARS_R / 1000) ** 2, rel=1e-9)


def test_footprint_around_the_north_pole_is_a_cap() -> None:
    polar = pyproj.CRS("IAU_2015:49930")
    footprint = footprint_lonlat(Affine(10_000, 0, -500_000, 0, -10_000, 500_000), 100, 100, polar,
                                 body_geographic_crs("mars"))
    assert isinstance(footprint, Polygon)
    west, south, east, north = footprint.bounds
    assert (west, east, north) == (-180, 180, 90)
    # The square's corners are 707 km from the pole, its edge midpoints 500 km: latitudes in between.
    assert 90 - math.degrees(707_107 / MARS_R) - 0.1 < south < 90 - math.degrees(500_000 / MARS_R)
    # A 1000 km square (true scale at the pole) covers about 1e6 km² on the sphere.
    assert polygon_area_km2(footprint, MARS_R) == pytest.approx(1e6, rel=0.02)


def test_footprint_around_the_south_pole() -> None:
    polar = pyproj.CRS("IAU_2015:49935")
    footprint = footprint_lonlat(Affine(10_000, 0, -300_000, 0, -10_000, 300_000), 60, 60, polar,
                                 body_geographic_crs("mars"))
    assert footprint.bounds[1] == -90
    assert footprint.bounds[3] < -80


def test_mars_to_earth_raises_crs_error() -> None:
    with pytest.raises(CRSError):
        footprint_lonlat(Affine(1000, 0, 0, 0, -1000, 0), 10, 10, pyproj.CRS("IAU_2015:49910"),
                         pyproj.CRS("EPSG:4326"))
    with pytest.raises(CRSError):
        footprint_lonlat(Affine(1, 0, 0, 0, -1, 0), 10, 10, pyproj.CRS("IAU_2015:30100"),
                         body_geographic_crs("mars"))


def test_pixel_size_projected_and_geographic() -> None:
    eqc = pyproj.CRS("IAU_2015:49910")
    assert pixel_size_m(Affine(20_000, 0, 0, 0, -20_000, 0), 10, 10, eqc, MARS_R) == (20_000, 20_000)
    geographic = body_geographic_crs("mars")
    x_m, y_m = pixel_size_m(Affine(0.1, 0, 0, 0, -0.1, 65), 10, 100, geographic, MARS_R)
    assert y_m == pytest.approx(0.1 * math.pi / 180 * MARS_R)
    assert x_m == pytest.approx(y_m * math.cos(math.radians(60)))


@pytest.mark.parametrize(("code", "x0", "y0"), [
    ("49900", -31.0, 41.0),  # lat/lon axes, east-positive
    ("49901", 31.0, 41.0),  # latitude first, west-positive longitude: x = 31 W is 31 degrees west
    ("49902", -31.0, 41.0),  # ocentric ellipsoid, U/V axes (latitude first)
])
def test_footprint_follows_axis_directions(code: str, x0: float, y0: float) -> None:
    # the grid covers 31-30 W, 40-41 N in each CRS's own numbers (GDAL order: the east-west axis first)
    step = -1.0 if code == "49901" else 1.0
    grid = Affine(0.01 * step, 0, x0, 0, -0.01, y0)
    fp = footprint_lonlat(grid, 100, 100, pyproj.CRS.from_authority("IAU_2015", code), body_geographic_crs("mars"))
    assert fp.centroid.x == pytest.approx(-30.5, abs=1e-6)
    assert fp.centroid.y == pytest.approx(40.5, abs=0.35)  # ellipsoid latitudes differ a little from the sphere's


@pytest.mark.parametrize("code", ["EPSG:3031", "EPSG:3413", "EPSG:32661"])
def test_polar_stereographic_axes_follow_their_names(code: str) -> None:
    # both axes of these CRSs run "north along" a meridian; only their abbreviations say which comes first
    crs = pyproj.CRS.from_user_input(code)
    lat0 = -75.0 if code == "EPSG:3031" else 75.0
    to_grid = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = to_grid.transform(30.0, lat0)
    grid = Affine(1000.0, 0, x - 50_000.0, 0, -1000.0, y + 50_000.0)
    fp = footprint_lonlat(grid, 100, 100, crs, pyproj.CRS.from_user_input("EPSG:4326"))
    assert fp.centroid.x == pytest.approx(30.0, abs=0.3)
    assert fp.centroid.y == pytest.approx(lat0, abs=0.3)
