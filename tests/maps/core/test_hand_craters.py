"""Hand-digitised craters measured as CraterTools does: the circle at true scale at the crater's centre."""

from __future__ import annotations

import math

import pyproj
import pytest
from shapely.geometry import MultiPolygon, Point

from maps.core.hand_craters import (
    HandCraterError,
    crater_from_centre,
    crater_from_rim,
    crater_outline,
)
from rasters.core.geodesy import line_length_km, polygon_area_km2

MARS_R = 3_396_190.0
MOON_R = 1_737_400.0


def _rim(lon: float, lat: float, radius_km: float, sphere_r: float, azimuths: tuple[float, ...]) -> list[list[float]]:
    """Points at a great-circle distance ``radius_km`` from the centre: a known small circle."""
    geod = pyproj.Geod(a=sphere_r, b=sphere_r)
    return [list(geod.fwd(lon, lat, az, radius_km * 1000)[:2]) for az in azimuths]


@pytest.mark.parametrize(("sphere_r", "lon", "lat", "radius_km"), [
    (MARS_R, 10.0, 5.0, 12.5),         # a small crater near the equator
    (MARS_R, 70.0, 62.0, 150.0),       # high latitude: a lon/lat fit would be an ellipse 2x wide
    (MOON_R, -30.0, -40.0, 45.0),
    (MOON_R, 179.9, 10.0, 20.0),       # across the antimeridian
    (MARS_R, 70.3, -42.4, 1150.0),     # Hellas-sized
])
def test_three_rim_points_give_the_small_circle(sphere_r: float, lon: float, lat: float, radius_km: float) -> None:
    # Uneven spacing along the rim, as a user clicks.
    crater = crater_from_rim(_rim(lon, lat, radius_km, sphere_r, (10.0, 100.0, 250.0)), sphere_r)
    assert crater.diameter_km == pytest.approx(2 * radius_km, rel=1e-9)
    assert crater.lat == pytest.approx(lat, abs=1e-9)
    assert ((crater.lon - lon + 180) % 360 - 180) == pytest.approx(0, abs=1e-9)


def test_rim_fit_is_not_the_lonlat_circle() -> None:
    """At 62 N a circle fitted in lon/lat degrees is wrong by a lot; the local projection is not."""
    rim = _rim(70.0, 62.0, 150.0, MARS_R, (0.0, 90.0, 180.0))
    # In degrees, the east point is 150 km / (R cos 62) away, the north one 150 km / R: a naive diameter from the
    # east-west spread would be twice the real one.
    naive_km = abs(rim[1][0] - 70.0) * math.pi / 180 * MARS_R / 1000 * 2
    assert naive_km > 1.9 * 300
    assert crater_from_rim(rim, MARS_R).diameter_km == pytest.approx(300.0, rel=1e-9)


def test_centre_and_radius() -> None:
    crater = crater_from_centre([200.0, 10.0], 5, MOON_R)
    assert (crater.lon, crater.lat, crater.diameter_km) == (pytest.approx(-160.0), 10.0, 10.0)


def test_outline_area_and_perimeter_match_the_servers_geodesy() -> None:
    crater = crater_from_centre([20.0, 30.0], 50.0, MARS_R)
    outline = crater_outline(crater, vertices=720)
    assert polygon_area_km2(outline, MARS_R, edges="geodesic") == pytest.approx(crater.area_km2, rel=1e-4)
    assert line_length_km(outline.boundary, MARS_R) == pytest.approx(crater.perimeter_km, rel=1e-4)
    assert crater.area_km2 == pytest.approx(math.pi * 50.0**2, rel=1e-3)  # a small cap is nearly flat


def test_outline_across_the_antimeridian_and_around_a_pole() -> None:
    across = crater_outline(crater_from_centre([179.5, 0.0], 100.0, MOON_R))
    assert isinstance(across, MultiPolygon)
    assert across.bounds[0] >= -180 and across.bounds[2] <= 180
    cap = crater_outline(crater_from_centre([0.0, 89.0], 100.0, MOON_R))
    assert cap.contains(Point(123.0, 89.9))
    assert polygon_area_km2(cap, MOON_R) == pytest.approx(
        crater_from_centre([0.0, 89.0], 100.0, MOON_R).area_km2, rel=0.02)


@pytest.mark.parametrize(("points", "message"), [
    ([[0, 0], [1, 1]], "exactly three"),
    ([[0, 0], [0, 0], [1, 1]], "same point"),
    ([[0, 0], [1, 0], [2, 0]], "one line"),
    ([[0, 0], [1, 0], ["x", 0]], "rim point 3"),
    ([[0, 0], [1, 0], [float("nan"), 0]], "finite"),
    ([[0, 0], [1, 0], [0, 91]], "latitude"),
    ([[0, 0], [1, 0], [0, 1, 2]], "rim point 3"),
    ("POINT(1 2)", "exactly three"),
])
def test_bad_rims_are_refused(points: object, message: str) -> None:
    with pytest.raises(HandCraterError, match=message):
        crater_from_rim(points, MARS_R)  # type: ignore[arg-type]


@pytest.mark.parametrize(("centre", "radius", "message"), [
    ([0, 0], 0, "positive"),
    ([0, 0], -3, "positive"),
    ([0, 0], float("nan"), "positive"),
    ([0, 0], float("inf"), "positive"),
    ([0, 0], "ten", "positive"),
    ([0, 0], 3000, "not a crater"),     # over a 45-degree arc on Mars (2,667 km)
    ([float("inf"), 0], 1, "finite"),
    ([400, 0], 1, "longitude"),
])
def test_bad_centres_and_radii_are_refused(centre: object, radius: object, message: str) -> None:
    with pytest.raises(HandCraterError, match=message):
        crater_from_centre(centre, radius, MARS_R)
