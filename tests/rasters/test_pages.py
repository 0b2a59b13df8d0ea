from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from rasters.models import Raster

pytestmark = pytest.mark.django_db


def test_list_detail_edit_delete(cast: Any, make_raster: Any, shared_data: Path) -> None:
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif")
    client = Client()
    client.force_login(cast.owner)
    listing = client.get("/images/").content.decode()
    assert raster.title in listing and f"/images/{raster.pk}/thumbnail.png" in listing
    detail = client.get(f"/images/{raster.pk}/").content.decode()
    assert "Mars" in detail and "km² on Mars" in detail and 'id="page-data"' in detail
    # One Leaflet, served locally at django-leaflet's path; none of django-leaflet's extras on a page whose map is
    # not its own (leaflet.extras.css would flatten the map to height 0)
    assert detail.count("/static/leaflet/leaflet.js") == 1 and "leaflet.extras" not in detail
    response = client.post(f"/images/{raster.pk}/edit/", {"title": "Arabia Terra", "description": "MOLA"}, follow=True)
    assert "Image details saved." in response.content.decode()
    response = client.post(f"/images/{raster.pk}/edit/", {"title": "", "description": ""})
    assert "This field is required." in response.content.decode()
    directory = raster.directory
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())
        response = client.post(f"/images/{raster.pk}/delete/", follow=True)
    assert "were deleted" in response.content.decode()
    assert not Raster.objects.filter(pk=raster.pk).exists() and not directory.exists()


def test_failed_raster_shows_reason_and_retry(cast: Any, make_raster: Any, shared_data: Path) -> None:
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif", process=False)
    Raster.objects.filter(pk=raster.pk).update(status="failed", error="Conversion failed (test).")
    client = Client()
    client.force_login(cast.owner)
    page = client.get(f"/images/{raster.pk}/").content.decode()
    assert "Processing failed: Conversion failed (test)." in page and "Retry" in page
    response = client.post(f"/images/{raster.pk}/retry/", follow=True)
    assert "Processing queued again." in response.content.decode()
    raster.refresh_from_db()
    assert raster.status == "queued"


def test_upload_page(cast: Any) -> None:
    client = Client()
    client.force_login(cast.owner)
    page = client.get("/images/upload/").content.decode()
    assert 'id="dropzone"' in page and "rasters/js/upload.js" in page and '"mars"' in page


@pytest.mark.django_db
def test_admin_raster_page_fits_the_content_security_policy(client: Any) -> None:
    import re

    from django.contrib.auth import get_user_model

    from tests.maps.helpers import raster_row

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "Root-Pass-12345")
    raster = raster_row(admin)
    client.force_login(admin)
    response = client.get(f"/admin/rasters/raster/{raster.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    # no inline script the policy would refuse (JSON data blocks are not run)
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>\s*\S", html)
    assert not re.search(r"<script[^>]*src=\"https?://", html)  # nothing from a CDN
    # The footprint is a django-leaflet map widget (its Leaflet served locally), no Earth tiles configured.
    assert html.count("/static/leaflet/leaflet.js") == 1 and "/static/leaflet/leaflet.forms.js" in html
    assert "/static/js/planetmap.js" in html and 'id="leaflet-widget-id_footprint"' in html
    assert 'name="footprint"' in html and "MultiPolygon" in html
    assert '\\"layers\\": []' in html  # djoptions (a JSON string in JSON): no base layer


@pytest.mark.django_db
def test_admin_save_keeps_the_footprint_in_body_lonlat(client: Any) -> None:
    """Leaflet hands the widget degrees labelled EPSG:4326; they go back to the SRID-0 column as body lon/lat."""
    from django.contrib.auth import get_user_model

    from tests.maps.helpers import raster_row

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "Root-Pass-12345")
    raster = raster_row(admin, bbox=(10, -5, 20, 5))
    client.force_login(admin)
    page = client.get(f"/admin/rasters/raster/{raster.pk}/change/")
    form = page.context["adminform"].form
    assert raster.footprint is not None
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    # What the browser sends: the textarea's GeoJSON (degrees Leaflet calls EPSG:4326), the JSON fields as text.
    data.update(title="Renamed", owner=admin.pk, body=raster.body_id, footprint=raster.footprint.geojson,
                scales="[1]", offsets="[0]", metadata="{}", product_files="[]", band_stats="[]")
    response = client.post(f"/admin/rasters/raster/{raster.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    raster.refresh_from_db()
    assert raster.title == "Renamed" and raster.footprint is not None
    assert raster.footprint.extent == (10.0, -5.0, 20.0, 5.0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_SRID(footprint) FROM rasters_raster WHERE id = %s", [raster.pk])
        assert cursor.fetchone() == (0,)
