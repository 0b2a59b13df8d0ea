"""A user types a region on the Mars map, reads its statistics, shares the URL and exports the region."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from rasters.models import Raster
from tests.conftest import ARTIFACTS
from tests.maps.helpers import analysis_with, raster_row

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])


def test_region_query_share_and_export(browser_page: Any, live_server: Any, cast: Any, tmp_path: Path) -> None:
    analysis_with(cast.owner, [{"lon": lon, "lat": lat, "diameter_km": 40} for lon in (5, 10, 15) for lat in (0, 5)]
                  + [{"class_name": "valley", "lon": 10, "lat": 2}], bbox=(0, -10, 20, 10))
    analysis_with(cast.stranger, [{"lon": 10, "lat": 0}])
    page = browser_page
    login(page, live_server, cast.owner)
    page.goto(f"{live_server.url}/map/mars/")
    page.wait_for_selector(".leaflet-draw-draw-rectangle")
    page.wait_for_function("window.geoplanetMap !== undefined")
    # The region typed as a bbox (lon 7..17, lat -3..7); it is drawn on the map and queried.
    # (Drawing the rectangle with the mouse is the next test.)
    page.fill("#f-bbox", "7,-3,17,7")
    page.click("#apply")
    page.wait_for_selector("#results:not([hidden]) #result-classes tbody tr")
    # Craters at lon 10, 15 and lat 0, 5 plus the valley line: 5 features, none of the stranger's.
    assert page.inner_text("#result-count").startswith("5 features")
    assert "bbox=" in page.url and "body=mars" in page.url
    page.screenshot(path=str(ARTIFACTS / "maps-01-region-query.png"))
    # Every export format is offered, the craterstats exchange included (.scc, .diam, the shapefile pair).
    for fmt in ("geojson", "gpkg", "shp", "csv", "scc", "diam", "cratershp"):
        assert page.locator(f"#export-links .export-{fmt}").count() == 1, fmt
    page.locator("#results").screenshot(path=str(ARTIFACTS / "maps-01-region-exports.png"))
    with page.expect_download() as info:
        page.click(".export-geojson")
    path = tmp_path / "region.geojson"
    info.value.save_as(path)
    doc = json.loads(path.read_text())
    assert doc["body"] == "Mars" and len(doc["features"]) == 5
    # The shared URL restores the query on a fresh load.
    page.goto(page.url)
    page.wait_for_selector("#results:not([hidden]) #result-classes tbody tr")
    assert page.inner_text("#result-count").startswith("5 features")


def test_draw_a_rectangle_region_and_export(browser_page: Any, live_server: Any, cast: Any, tmp_path: Path) -> None:
    analysis_with(cast.owner, [{"lon": lon, "lat": lat, "diameter_km": 40} for lon in (5, 10, 15) for lat in (0, 5)],
                  bbox=(0, -10, 20, 10))
    page = browser_page
    login(page, live_server, cast.owner)
    page.goto(f"{live_server.url}/map/mars/")
    page.wait_for_function("window.geoplanetMap !== undefined")
    page.evaluate("() => window.geoplanetMap.fitBounds([[-12, -2], [12, 22]])")
    page.wait_for_timeout(500)

    def screen(lon: float, lat: float) -> tuple[float, float]:
        point = page.evaluate(f"() => window.geoplanetMap.latLngToContainerPoint([{lat}, {lon}])")
        box = page.query_selector("#map").bounding_box()  # type: ignore[union-attr]
        assert box is not None
        return box["x"] + point["x"], box["y"] + point["y"]

    page.click(".leaflet-draw-draw-rectangle")
    x0, y0 = screen(7, 7)  # north-west corner: lon 7, lat 7
    x1, y1 = screen(17, -3)  # south-east corner
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    page.wait_for_function(
        "() => { const el = document.querySelector('#result-count');"
        " return el !== null && el.textContent.startsWith('4 features'); }"
    )
    drawn = [float(v) for v in page.input_value("#f-bbox").split(",")]
    assert drawn[0] == pytest.approx(7, abs=0.5) and drawn[3] == pytest.approx(7, abs=0.5)
    assert page.inner_text("#result-count").startswith("4 features")  # craters at lon 10, 15 x lat 0, 5
    page.screenshot(path=str(ARTIFACTS / "maps-02-drawn-region.png"))
    with page.expect_download() as info:
        page.click(".export-geojson")
    path = tmp_path / "drawn.geojson"
    info.value.save_as(path)
    doc = json.loads(path.read_text())
    assert doc["body"] == "Mars" and len(doc["features"]) == 4


# An image title is free text (upload form, file name, PATCH): here it is markup that would run if parsed as HTML.
XSS_TITLE = '<img src=x class="xss-probe" onerror="alert(document.cookie)"><b class="xss-probe">Arabia</b>'


def _assert_shown_as_text(page: Any, dialogs: list[str], selector: str, expected: str) -> None:
    page.wait_for_timeout(300)  # a broken <img> would have fired its onerror by now
    assert dialogs == [], f"a script from an image title ran: {dialogs}"
    assert page.query_selector_all(".xss-probe") == [], "an image title was parsed as HTML"
    assert expected in page.text_content(selector)  # type: ignore[operator]


def test_image_titles_are_text_on_the_explorer_and_compare_pages(browser_page: Any, live_server: Any,
                                                                 cast: Any) -> None:
    """An image title containing markup shows as text on the maps: attribution and layer control included."""
    left = raster_row(cast.owner, title=XSS_TITLE)
    right = raster_row(cast.owner, bbox=(5, -5, 30, 20), title=XSS_TITLE + " (second)")
    Raster.objects.filter(pk__in=[left.pk, right.pk]).update(visibility="public")
    page = browser_page
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    login(page, live_server, cast.stranger)  # anyone may open a public image's map

    page.goto(f"{live_server.url}/map/mars/")
    page.wait_for_function("window.geoplanetMap !== undefined")
    _assert_shown_as_text(page, dialogs, ".leaflet-control-attribution", XSS_TITLE)
    _assert_shown_as_text(page, dialogs, ".leaflet-control-layers-overlays", "Image: " + XSS_TITLE)

    page.goto(f"{live_server.url}/map/compare/?left=raster:{left.pk}&right=raster:{right.pk}")
    page.wait_for_function("window.geoplanetCompare0 !== undefined && window.geoplanetCompare1 !== undefined")
    _assert_shown_as_text(page, dialogs, "#map-0 .leaflet-control-attribution", XSS_TITLE)
    _assert_shown_as_text(page, dialogs, "#map-1 .leaflet-control-attribution", XSS_TITLE + " (second)")


def test_reference_catalogue_layer_toggles_on_with_its_citation(browser_page: Any, live_server: Any,
                                                                 cast: Any) -> None:
    from django.core.management import call_command

    call_command("load_reference_catalogues", "robbins2012", stdout=StringIO())
    analysis = analysis_with(cast.owner, [{"lon": 28.5, "lat": 2.0, "diameter_km": 90}], bbox=(20, -10, 40, 10))
    page = browser_page
    login(page, live_server, cast.owner)
    page.goto(f"{live_server.url}/map/mars/")
    page.wait_for_function("window.geoplanetMap !== undefined")
    page.evaluate("window.geoplanetMap.setView([0, 30], 5)")
    assert page.locator(".leaflet-reference-pane canvas").count() == 0  # off until toggled
    page.hover(".leaflet-control-layers")
    label = page.locator(".leaflet-control-layers-overlays label", has_text="Reference: Robbins & Hynek")
    assert "(225,352)" in label.inner_text()
    with page.expect_response(lambda r: "/api/v1/reference/tiles/mars/5/" in r.url and "catalogue=robbins2012" in r.url
                              and r.status == 200) as tile:
        label.locator("input").check()
    # The tile's bytes, fetched again by the page (Playwright hands back no body for VectorGrid's fetch).
    size = page.evaluate("u => fetch(u, {credentials: 'same-origin'}).then(r => r.arrayBuffer())"
                         ".then(b => b.byteLength)", tile.value.url)
    assert size > 1000
    page.wait_for_selector(".leaflet-reference-pane canvas")
    assert "Robbins, S. J. & Hynek, B. M. (2012)" in page.inner_text(".leaflet-control-attribution")
    # Rings in the reference colour were painted (#d68cff), apart from the detections' filled orange.
    page.wait_for_function("""() => Array.from(document.querySelectorAll('.leaflet-reference-pane canvas')).some(c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3] > 100 && d[i] > 180 && d[i + 1] > 110 && d[i + 1] < 170 && d[i + 2] > 220) { return true; }
        }
        return false; })""")
    page.mouse.move(10, 10)
    page.screenshot(path=str(ARTIFACTS / "maps-04-reference-layer.png"))
    page.hover(".leaflet-control-layers")
    label.locator("input").uncheck()
    assert page.locator(".leaflet-reference-pane canvas").count() == 0
    # The statistics page compares the analysis with the catalogue: table, curves and the matched/missed/new map.
    page.goto(f"{live_server.url}/map/stats/analysis/{analysis.pk}/?reference=robbins2012")
    page.wait_for_selector("#reference-map[data-loaded]")
    assert int(page.get_attribute("#reference-map", "data-loaded") or 0) > 1000
    from maps.models import ReferenceCrater

    inside = ReferenceCrater.objects.filter(lon__gt=20, lon__lt=40, lat__gt=-10, lat__lt=10).count()
    assert f"1 detected craters, {inside} in the catalogue" in page.inner_text("#reference-totals")
    page.locator("#reference-comparison").screenshot(path=str(ARTIFACTS / "maps-05-reference-comparison.png"))
