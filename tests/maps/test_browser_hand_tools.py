"""In the Mars explorer a mapper measures a distance and an area on Mars' sphere and digitises a crater from three
rim points; the crater is saved in the image's manual count with the diameter the page showed."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pyproj
import pytest
from shapely.geometry import Polygon

from maps.core.hand_craters import crater_from_rim
from rasters.core.geodesy import polygon_area_km2
from segmentation.models import Analysis, Feature
from tests.conftest import ARTIFACTS
from tests.maps.test_browser import login
from tests.rasters.conftest import _media, make_raster  # noqa: F401 - shared fixtures

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARS_R = 3_396_190.0


def test_measure_and_digitise_a_crater(browser_page: Any, live_server: Any, cast: Any, make_raster: Any,  # noqa: F811
                                       shared_data: Path) -> None:
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif", title="MOLA")
    page = browser_page
    login(page, live_server, cast.owner)
    # The first request imports the URL configuration (torch among it): slow on a busy machine.
    page.goto(f"{live_server.url}/map/mars/", timeout=120_000)
    page.wait_for_function("window.geoplanetMap !== undefined && window.GeoPlanetSphere !== undefined")
    # The map came through django-leaflet's tag and settings, on Mars' sphere in plate carree, with the site's one
    # Leaflet (npm's 1.9.4, which Leaflet.draw and VectorGrid attach to) and no bound at the antimeridian.
    assert page.evaluate("() => geoplanetMap instanceof L.Map.DjangoMap && geoplanetMap.options.crs.R") == MARS_R
    assert page.evaluate("() => geoplanetMap.options.crs.code") == "GEOPLANET:Mars"
    assert page.evaluate("() => [L.version, !!L.vectorGrid, !!L.Draw, geoplanetMap.options.maxBounds]") == [
        "1.9.4", True, True, None]
    page.evaluate("() => window.geoplanetMap.fitBounds([[-5, 20], [25, 50]])")
    page.wait_for_timeout(500)

    def click(lon: float, lat: float) -> tuple[float, float]:
        """Click the whole screen pixel nearest (lon, lat); return the lon/lat the map gives that pixel."""
        page.locator("#map").scroll_into_view_if_needed()  # the tool buttons sit lower in the side panel
        box = page.query_selector("#map").bounding_box()  # type: ignore[union-attr]
        assert box is not None
        point = page.evaluate(f"() => window.geoplanetMap.latLngToContainerPoint([{lat}, {lon}])")
        x, y = round(box["x"] + point["x"]), round(box["y"] + point["y"])
        page.mouse.click(x, y)
        ll = page.evaluate(f"() => window.geoplanetMap.containerPointToLatLng([{x - box['x']}, {y - box['y']}])")
        return float(ll["lng"]), float(ll["lat"])

    def readout() -> float:
        return float(page.get_attribute("#tool-readout", "data-value") or "nan")

    geod = pyproj.Geod(a=MARS_R, b=MARS_R)
    # Distance: ten degrees along the equator and on to 10 N.
    page.click("#hand-tools [data-tool=distance]")
    path = [click(25, 0), click(35, 0), click(35, 10)]
    expected = sum(geod.inv(*a, *b)[2] for a, b in zip(path, path[1:], strict=False)) / 1000
    assert readout() == pytest.approx(expected, rel=1e-9)
    # Two arcs of 10 degrees on Mars, 592.7 km each (Earth's would be 1,112 km): within a few pixels' worth.
    assert readout() == pytest.approx(2 * MARS_R / 1000 * math.pi / 18, rel=0.01)
    assert "on Mars" in page.inner_text("#tool-readout")

    # Area: a triangle, edges on great circles, as the server measures a geodesic polygon.
    page.click("#hand-tools [data-tool=area]")
    corners = [click(25, 0), click(40, 0), click(30, 15)]
    assert readout() == pytest.approx(polygon_area_km2(Polygon(corners), MARS_R, edges="geodesic"), rel=1e-7)

    # Crater: three points on the rim of a 300 km crater centred at 33 E, 8 N.
    page.click("#hand-tools [data-tool=rim]")
    rim = [click(*geod.fwd(33.0, 8.0, az, 150_000)[:2]) for az in (30.0, 150.0, 260.0)]
    shown = readout()
    assert shown == pytest.approx(crater_from_rim(rim, MARS_R).diameter_km, rel=1e-9)
    assert shown == pytest.approx(300.0, rel=0.02)
    assert page.is_visible("#crater-save")
    assert page.input_value("#crater-raster") == str(raster.pk)
    page.click("#crater-save-button")
    page.wait_for_selector("#crater-status[data-feature]")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "maps-05-hand-crater.png"))

    feature = Feature.objects.get(pk=int(page.get_attribute("#crater-status", "data-feature") or 0))
    assert feature.raster_id == raster.pk and feature.class_name == "crater"
    assert feature.diameter_km == pytest.approx(shown, rel=1e-9)
    assert feature.analysis.kind == Analysis.Kind.MANUAL
    assert "Saved crater" in page.inner_text("#crater-status")
    # Centre + rim point: the radius is the great-circle distance between the two clicks.
    page.click("#hand-tools [data-tool=centre]")
    centre, edge = click(28.0, 18.0), click(29.0, 18.0)
    assert readout() == pytest.approx(2 * geod.inv(*centre, *edge)[2] / 1000, rel=1e-9)
    page.click("#crater-save-button")
    page.wait_for_function(f"() => document.querySelector('#crater-status').dataset.feature !== '{feature.pk}'")
    second = Feature.objects.get(pk=int(page.get_attribute("#crater-status", "data-feature") or 0))
    assert second.analysis_id == feature.analysis_id and second.diameter_km == pytest.approx(readout(), rel=1e-9)

    # The page's link leads to the count's statistics, where it is counted.
    page.click("#manual-count-stats")
    page.wait_for_load_state()
    assert f"/map/stats/analysis/{feature.analysis_id}/" in page.url
    assert f"Analysis {feature.analysis_id} of MOLA" in page.inner_text("body")
