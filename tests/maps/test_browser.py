"""A user types a region on the Mars map, reads its statistics, shares the URL and exports the region."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import ARTIFACTS
from tests.maps.helpers import analysis_with

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
    # (Driving Leaflet.draw's vertex clicks from Playwright drops vertices in headless Chromium.)
    page.fill("#f-bbox", "7,-3,17,7")
    page.click("#apply")
    page.wait_for_selector("#results:not([hidden]) #result-classes tbody tr")
    # Craters at lon 10, 15 and lat 0, 5 plus the valley line: 5 features, none of the stranger's.
    assert page.inner_text("#result-count").startswith("5 features")
    assert "bbox=" in page.url and "body=mars" in page.url
    page.screenshot(path=str(ARTIFACTS / "maps-01-region-query.png"))
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
