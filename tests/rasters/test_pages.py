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
    assert "vendor/leaflet/leaflet.js" in detail
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
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html)  # no inline script the policy would refuse
    assert not re.search(r"<script[^>]*src=\"https?://", html)  # nothing from a CDN
