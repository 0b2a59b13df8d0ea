"""The explorer's measuring script (maps/static/maps/js/sphere.js) against the server's geodesy, run in Node:
the lengths, areas and craters a user reads in the page are the ones the server computes and stores."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyproj
import pytest
from shapely.geometry import LineString, Polygon

from maps.core.hand_craters import crater_from_rim
from rasters.core.geodesy import line_length_km, polygon_area_km2

SCRIPT = Path(__file__).resolve().parents[2] / "maps" / "static" / "maps" / "js" / "sphere.js"
MARS_R = 3_396_190.0
MOON_R = 1_737_400.0


def run_js(calls: list[list[Any]]) -> list[Any]:
    """Each call is [function name, *arguments]; the results come back in order."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed (installed with the front-end libraries by scripts/prepare.sh)")
    program = (
        f"const s = require({json.dumps(str(SCRIPT))});"
        f"const calls = {json.dumps(calls)};"
        "console.log(JSON.stringify(calls.map(c => s[c[0]](...c.slice(1)))));"
    )
    out = subprocess.run([node, "-e", program], capture_output=True, text=True, check=True, timeout=30)
    return list(json.loads(out.stdout))


@pytest.mark.parametrize("radius", [MARS_R, MOON_R])
def test_known_distances(radius: float) -> None:
    r_km = radius / 1000
    quarter, degree, antipode, same = run_js([
        ["distanceKm", [0, 0], [90, 0], radius],     # a quarter great circle along the equator
        ["distanceKm", [30, 10], [30, 11], radius],  # one degree of latitude
        ["distanceKm", [10, 20], [-170, -20], radius],
        ["distanceKm", [10, 20], [10, 20], radius],
    ])
    assert quarter == pytest.approx(math.pi * r_km / 2, rel=1e-12)
    assert degree == pytest.approx(r_km * math.pi / 180, rel=1e-12)
    assert antipode == pytest.approx(math.pi * r_km, rel=1e-12)
    assert same == 0
    # Mars: 5,334.6 km for a quarter and 59.27 km per degree; the Moon: 2,729.1 km and 30.32 km.
    assert round(quarter, 1) == {MARS_R: 5334.7, MOON_R: 2729.1}[radius]


LINES = [
    [[0, 0], [10, 0], [10, 10], [40, 35]],
    [[170, -5], [-175, 5], [-160, 20]],          # across the antimeridian
    [[0, 80], [120, 85], [-120, 80]],            # near the pole
]
POLYGONS = [
    [[0, 0], [10, 0], [10, 10], [0, 10]],
    [[-30, -60], [60, -70], [150, -65], [-120, -75]],  # round the south pole
    [[0, 80], [90, 80], [180, 80], [-90, 80]],         # round the north pole, the other way
    [[175, -5], [-175, -5], [-175, 5], [175, 5]],  # across the antimeridian
    [[20, 30], [20.01, 30], [20.01, 30.01]],       # a few hundred metres
]


@pytest.mark.parametrize("radius", [MARS_R, MOON_R])
def test_lengths_and_areas_match_the_server(radius: float) -> None:
    calls = [["lengthKm", line, radius] for line in LINES] + [["areaKm2", poly, radius] for poly in POLYGONS]
    results = run_js(calls)
    for line, got in zip(LINES, results[: len(LINES)], strict=True):
        assert got == pytest.approx(line_length_km(LineString(line), radius), rel=1e-9)
    for poly, got in zip(POLYGONS, results[len(LINES):], strict=True):
        assert got == pytest.approx(polygon_area_km2(Polygon(poly), radius, edges="geodesic"), rel=1e-7)


@pytest.mark.parametrize(("radius", "lon", "lat", "radius_km"), [
    (MARS_R, 30.0, 10.0, 25.0), (MARS_R, 70.0, 62.0, 150.0), (MOON_R, 179.95, -40.0, 12.0), (MOON_R, -3.0, 0.5, 0.2),
])
def test_crater_from_three_rim_points_matches_the_server(radius: float, lon: float, lat: float,
                                                         radius_km: float) -> None:
    geod = pyproj.Geod(a=radius, b=radius)
    rim = [list(geod.fwd(lon, lat, az, radius_km * 1000)[:2]) for az in (5.0, 130.0, 240.0)]
    js, circle = run_js([["craterFromRim", rim, radius], ["smallCircle", [lon, lat], radius_km, radius, 8]])
    server = crater_from_rim(rim, radius)
    assert js["diameterKm"] == pytest.approx(server.diameter_km, rel=1e-9)
    assert js["diameterKm"] == pytest.approx(2 * radius_km, rel=1e-9)
    assert (js["lon"], js["lat"]) == (pytest.approx(server.lon, abs=1e-8), pytest.approx(server.lat, abs=1e-8))
    for point in circle:  # the drawn rim is at the crater's radius all round
        assert geod.inv(lon, lat, point[0], point[1])[2] / 1000 == pytest.approx(radius_km, rel=1e-9)


def test_three_points_on_a_line_make_no_crater() -> None:
    assert run_js([["craterFromRim", [[0, 0], [1, 0], [2, 0]], MARS_R]]) == [None]
