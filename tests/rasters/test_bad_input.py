"""Every kind of bad upload gets a clear 4xx, and nothing half-created stays behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rasters.models import Raster
from tests.rasters.conftest import api_for, post_file
from tests.rasters.core import data

pytestmark = pytest.mark.django_db

CASES: list[tuple[str, Callable[[Path], Path], int, str]] = [
    ("empty", data.make_empty, 400, "empty"),
    ("truncated", data.make_truncated, 400, "damaged or truncated"),
    ("random bytes", data.make_random_bytes, 415, "not a supported raster"),
    ("text renamed .tif", data.make_text_as_tif, 415, "not a supported raster"),
    ("html", data.make_html, 415, "web page, not an image"),
    ("zip", data.make_zip, 415, "archives (zip) are not accepted"),
    ("vrt disguised as tif", data.make_vrt_disguised, 415, ""),
    ("pds label pointing at another file", data.make_pds3_detached, 400, "cannot be read"),
    ("png decompression bomb", data.make_png_bomb, 413, ""),
    ("five bands", data.make_too_many_bands, 415, "band"),
]


def _snapshot(media: Path) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*")} if media.exists() else set()


@pytest.mark.parametrize(("label", "maker", "status", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_upload_is_refused_cleanly(
    cast: Any, tmp_path: Path, settings: Any, label: str, maker: Callable[[Path], Path], status: int, message: str
) -> None:
    path = maker(tmp_path)
    media = Path(settings.MEDIA_ROOT)
    before_files = _snapshot(media)
    before_tmp = set(os.listdir(tempfile.gettempdir()))
    response = post_file(api_for(cast.owner), path, name="innocent.tif")
    assert response.status_code == status, (label, response.content)
    detail = response.json()["detail"]
    assert message.lower() in detail.lower()
    assert "/" not in detail  # no server path leaks into the message
    assert Raster.objects.count() == 0
    assert _snapshot(media) - before_files <= {"rasters"}  # no orphan file or folder
    leftovers = {name for name in set(os.listdir(tempfile.gettempdir())) - before_tmp if name.endswith(".upload")}
    assert not leftovers


def test_upload_over_size_limit(cast: Any, shared_data: Path, settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 10_000
    response = post_file(api_for(cast.owner), shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif")
    assert response.status_code == 413
    assert "upload limit" in response.json()["detail"]
    assert Raster.objects.count() == 0


def test_upload_over_pixel_limit(cast: Any, shared_data: Path, settings: Any) -> None:
    settings.MAX_RASTER_PIXELS = 1000
    response = post_file(api_for(cast.owner), shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif")
    assert response.status_code == 413
    assert Raster.objects.count() == 0


def test_missing_file_and_wrong_types(cast: Any) -> None:
    client = api_for(cast.owner)
    response = client.post("/api/v1/rasters/", {"title": "x"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()
    response = client.post("/api/v1/rasters/", {"file": "not a file"}, format="multipart")
    assert response.status_code == 400
    response = client.post("/api/v1/rasters/", {"file": "x"}, format="json")
    assert response.status_code == 415


def test_unknown_body_is_refused(cast: Any, shared_data: Path) -> None:
    mars = shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif"
    response = post_file(api_for(cast.owner), mars, body="krypton")
    assert response.status_code == 400
    assert "krypton" in str(response.json()["body"])


def test_client_filename_never_becomes_a_path(cast: Any, shared_data: Path, settings: Any) -> None:
    source = shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"
    response = post_file(api_for(cast.owner), source, name="../../../../etc/evil<script>.tif")
    assert response.status_code == 201
    raster = Raster.objects.get(pk=response.json()["id"])
    assert raster.original_path.name == "original.tif"
    assert raster.original_path.parent.parent == Path(settings.MEDIA_ROOT) / "rasters"
    assert raster.original_name == "evil<script>.tif"
    assert not (Path(settings.MEDIA_ROOT).parent / "etc").exists()


def test_malicious_title_is_escaped_on_pages(cast: Any, shared_data: Path, client: Any) -> None:
    source = shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"
    response = post_file(api_for(cast.owner), source, title='<img src=x onerror="alert(1)">')
    client.force_login(cast.owner)
    page = client.get(f"/images/{response.json()['id']}/").content.decode()
    assert '<img src=x onerror="alert(1)">' not in page
    assert "&lt;img src=x onerror=" in page


@pytest.mark.parametrize("chosen", [None, "moon"])
def test_a_body_the_table_lacks_is_registered_on_upload(cast: Any, shared_data: Path, chosen: str | None) -> None:
    """The reference list, not the table, decides: a flushed or older table gains the row instead of a 500."""
    from django.db import connection

    from rasters.models import Body

    Body.objects.filter(slug="moon").delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM spatial_ref_sys WHERE srid = 30100")
    dem = shared_data / "moon" / "moon_dem_global_IAU2015-30100.tif"
    extra = {"body": chosen} if chosen else {}
    response = post_file(api_for(cast.owner), dem, **extra)
    assert response.status_code == 201, response.content
    assert response.json()["body"] == "moon"
    moon = Body.objects.get(slug="moon")
    assert (moon.srid, moon.iau_code) == (30100, 30100)
    with connection.cursor() as cursor:
        cursor.execute("SELECT auth_name, auth_srid FROM spatial_ref_sys WHERE srid = 30100")
        assert cursor.fetchone() == ("IAU_2015", 30100)


def test_editing_an_image_without_band_scales_is_not_a_500(cast: Any) -> None:
    """An empty ``scales`` list (a plain image) once failed the model's full_clean on every title edit."""
    from tests.collab.conftest import raster_row

    raster = raster_row(cast.owner, scales=[], offsets=[])
    client = api_for(cast.owner)
    response = client.patch(f"/api/v1/rasters/{raster.pk}/", {"title": "Renamed"}, format="multipart")
    assert response.status_code == 200, response.content
    raster.refresh_from_db()
    assert raster.title == "Renamed"
    response = client.patch(f"/api/v1/rasters/{raster.pk}/", {"title": "x" * 201}, format="multipart")
    assert response.status_code == 400 and "title" in response.json()
