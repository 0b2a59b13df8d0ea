"""The admin's geometry field is a django-leaflet map in Chromium: the footprint drawn on a lon/lat map with no
Earth tiles, on the site's one Leaflet, saved back to PostGIS in SRID 0, and nothing refused by the
Content-Security-Policy (the browser_page fixture checks the console)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from rasters.models import Raster
from tests.conftest import ARTIFACTS
from tests.maps.helpers import raster_row

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_footprint_is_a_leaflet_map(browser_page: Any, live_server: Any) -> None:
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "Root-Pass-12345")
    raster = raster_row(admin, bbox=(10, 60, 20, 70))
    Raster.objects.filter(pk=raster.pk).update(scales=[1.0], offsets=[0.0])  # as processing leaves them (required)
    client = Client()
    client.force_login(admin)
    page = browser_page
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/admin/rasters/raster/{raster.pk}/change/", timeout=120_000)
    page.wait_for_selector("#id_footprint-map.leaflet-container[data-ready=true]")
    # The footprint is drawn as a vector path; no tile layer at all (no Earth base map).
    assert page.locator("#id_footprint-map path.leaflet-interactive").count() >= 1
    assert page.locator("#id_footprint-map img.leaflet-tile").count() == 0
    assert page.evaluate("() => [L.version, document.querySelectorAll('script[src$=\"/leaflet.js\"]').length]") == [
        "1.9.4", 1]  # the site's one Leaflet
    # Plate carree, not Web Mercator: a box of 10 x 10 degrees at 60-70 N is square on screen (Mercator would draw
    # it 2.4 times taller than wide).
    box = page.locator("#id_footprint-map path.leaflet-interactive").first.bounding_box()
    assert box is not None and box["width"] == pytest.approx(box["height"], rel=0.05)  # stroke and rounding
    page.locator("#id_footprint-map").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "rasters-05-admin-footprint.png"))
    # Saving the page sends the widget's GeoJSON (degrees Leaflet calls EPSG:4326): the footprint goes back to its
    # SRID-0 column as the body's lon/lat, unchanged.
    page.fill("#id_title", "Renamed in the admin")
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert "/admin/rasters/raster/" in page.url and "/change/" not in page.url  # saved: back to the list
    raster.refresh_from_db()
    assert raster.title == "Renamed in the admin" and raster.footprint is not None
    assert raster.footprint.extent == (10.0, 60.0, 20.0, 70.0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_SRID(footprint) FROM rasters_raster WHERE id = %s", [raster.pk])
        assert cursor.fetchone() == (0,)
