"""Uploading the real mission files through the API: body, footprint, area, processing, tiles."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from rasters import services
from rasters.models import Raster
from tests.rasters.conftest import api_for, post_file

pytestmark = pytest.mark.django_db

MARS_R_KM = 3396.19


def _png_array(content: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGBA"))


def test_upload_mars_equirectangular_crop(cast: Any, shared_data: Path) -> None:
    client = api_for(cast.owner)
    arabia = shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"
    response = post_file(client, arabia, title="Arabia")
    assert response.status_code == 201, response.content
    body = response.json()
    for key in ["id", "title", "body", "status", "width", "height", "resolution_m", "footprint", "footprint_area_km2"]:
        assert key in body
    assert (body["title"], body["body"], body["status"]) == ("Arabia", "mars", "queued")
    assert (body["width"], body["height"]) == (178, 178)
    assert body["resolution_m"] == pytest.approx(20_000, rel=1e-6)
    exact = MARS_R_KM**2 * (math.pi / 3) * (math.sin(math.radians(30)) - math.sin(math.radians(-30)))
    assert body["footprint_area_km2"] == pytest.approx(exact, rel=0.01)
    lons = [p[0] for poly in body["footprint"]["coordinates"] for p in poly[0]]
    lats = [p[1] for poly in body["footprint"]["coordinates"] for p in poly[0]]
    assert min(lons) == pytest.approx(0, abs=0.2) and max(lons) == pytest.approx(60, abs=0.2)
    assert min(lats) == pytest.approx(-30, abs=0.2) and max(lats) == pytest.approx(30, abs=0.2)
    raster = Raster.objects.get(pk=body["id"])
    assert raster.body_detection in {"authority", "name", "radius"}
    from django.db import connection

    with connection.cursor() as cursor:  # lon/lat on the row's body, never labelled as an Earth CRS
        cursor.execute("SELECT ST_SRID(footprint) FROM rasters_raster WHERE id = %s", [raster.pk])
        assert cursor.fetchone()[0] == 0


def test_upload_mars_global_geographic(cast: Any, shared_data: Path) -> None:
    response = post_file(api_for(cast.owner), shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["body"] == "mars"
    assert data["footprint_area_km2"] == pytest.approx(4 * math.pi * MARS_R_KM**2, rel=0.01)
    # 0.3515625 deg/px at the equator on Mars' radius
    assert data["resolution_m"] == pytest.approx(math.radians(0.3515625) * 3396190, rel=0.02)


def test_upload_moon_wac_and_dem(cast: Any, shared_data: Path) -> None:
    client = api_for(cast.owner)
    wac = post_file(client, shared_data / "moon" / "moon_wac_global_IAU2015-30100.tif").json()
    assert wac["body"] == "moon"
    dem_response = post_file(client, shared_data / "moon" / "moon_dem_global_IAU2015-30100.tif")
    assert dem_response.status_code == 201
    dem = Raster.objects.get(pk=dem_response.json()["id"])
    assert dem.body is not None and dem.body.slug == "moon"
    assert dem.dtype == "int16"
    assert dem.nodata == -32768
    assert dem.scales[0] == pytest.approx(0.5)
    assert dem.is_dem


def test_processing_makes_cog_thumbnail_stats_and_tiles(cast: Any, shared_data: Path, make_raster: Any) -> None:
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif")
    assert raster.status == Raster.Status.READY, raster.error
    assert raster.cog_path.exists() and raster.thumbnail_path.exists()
    assert raster.band_stats and raster.band_stats[0]["max"] > raster.band_stats[0]["min"]
    client = api_for(cast.owner)
    tile = client.get(f"/api/v1/rasters/{raster.pk}/tiles/1/1/0.png")
    assert tile.status_code == 200
    assert tile["Content-Type"] == "image/png"
    pixels = _png_array(tile.content)
    assert pixels.shape == (256, 256, 4)
    assert pixels[..., 0].std() > 5  # the picture is in it, not a flat fill
    assert "private" in tile["Cache-Control"]
    cached = client.get(f"/api/v1/rasters/{raster.pk}/tiles/1/1/0.png", HTTP_IF_NONE_MATCH=tile["ETag"])
    assert cached.status_code == 304
    thumb = client.get(f"/images/{raster.pk}/thumbnail.png")
    assert thumb.status_code == 401 or thumb.status_code == 302  # pages use the session, not the API client


def test_projected_mars_tiles_land_on_mars_grid(cast: Any, shared_data: Path, make_raster: Any) -> None:
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif")
    assert raster.status == Raster.Status.READY, raster.error
    client = api_for(cast.owner)
    # zoom 2 of the 2x1 lon/lat grid has 8x4 tiles of 45 deg: x=4 covers 0..45E, y=1 covers 45..0N
    inside = client.get(f"/api/v1/rasters/{raster.pk}/tiles/2/4/1.png")
    assert inside.status_code == 200
    assert _png_array(inside.content)[..., 3].max() == 255
    outside = client.get(f"/api/v1/rasters/{raster.pk}/tiles/2/0/0.png")  # 180W..135W: nothing of the crop
    assert outside.status_code == 404


def test_dem_tiles_use_a_colormap(cast: Any, shared_data: Path, make_raster: Any) -> None:
    raster = make_raster(shared_data / "moon" / "moon_dem_global_IAU2015-30100.tif")
    assert raster.status == Raster.Status.READY, raster.error
    pixels = _png_array(api_for(cast.owner).get(f"/api/v1/rasters/{raster.pk}/tiles/1/0/0.png").content)
    rgb = pixels[..., :3].reshape(-1, 3).astype(int)
    assert (np.abs(rgb[:, 0] - rgb[:, 1]) + np.abs(rgb[:, 1] - rgb[:, 2])).max() > 30  # coloured, not grey


def test_plain_image_kept_in_pixel_space(cast: Any, shared_data: Path, make_raster: Any) -> None:
    nac = next((shared_data / "moon-nac-craters").glob("*.png"))
    raster = make_raster(nac, body_slug="moon")
    assert raster.status == Raster.Status.READY, raster.error
    assert not raster.georeferenced
    assert raster.footprint is None and raster.footprint_area_km2 is None
    assert raster.body.slug == "moon" and raster.body_detection == "user"
    tile = api_for(cast.owner).get(f"/api/v1/rasters/{raster.pk}/tiles/0/0/0.png")
    assert tile.status_code == 200
    assert _png_array(tile.content)[..., 0].std() > 5


def test_earth_crs_declared_mars_gets_warning(cast: Any, tmp_path: Path) -> None:
    from tests.rasters.core.data import make_earth

    response = post_file(api_for(cast.owner), make_earth(tmp_path), body="mars")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["body"] == "mars"
    assert "belongs to Earth" in data["crs_warning"]


def test_token_authentication_upload(cast: Any, shared_data: Path) -> None:
    from rest_framework.test import APIClient

    from tests.factories import PASSWORD

    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": cast.owner.username, "password": PASSWORD}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = post_file(client, shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif")
    assert response.status_code == 201
    assert client.get("/api/v1/rasters/").json()["count"] == 1


def test_failed_conversion_keeps_original_and_can_be_retried(cast: Any, shared_data: Path, make_raster: Any) -> None:
    source = shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"
    raster = make_raster(source, process=False)
    good = raster.original_path.read_bytes()
    raster.original_path.write_bytes(good[:400])  # damaged on disk after upload
    services.raster_process(raster.pk)
    raster.refresh_from_db()
    assert raster.status == Raster.Status.FAILED
    assert raster.error
    assert raster.original_path.exists()
    raster.original_path.write_bytes(good)
    response = api_for(cast.owner).post(f"/api/v1/rasters/{raster.pk}/retry/")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    services.raster_process(raster.pk)
    raster.refresh_from_db()
    assert raster.status == Raster.Status.READY
    # retrying something that is not failed is refused
    assert api_for(cast.owner).post(f"/api/v1/rasters/{raster.pk}/retry/").status_code == 409


def test_processing_twice_is_harmless(cast: Any, shared_data: Path, make_raster: Any) -> None:
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif")
    assert services.raster_process(raster.pk) is False
    raster.refresh_from_db()
    assert raster.status == Raster.Status.READY


def test_edit_and_delete_remove_files(cast: Any, shared_data: Path, make_raster: Any) -> None:
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif")
    client = api_for(cast.owner)
    response = client.patch(f"/api/v1/rasters/{raster.pk}/", {"title": "Terra Sabaea"}, format="multipart")
    assert response.status_code == 200 and response.json()["title"] == "Terra Sabaea"
    directory = raster.directory
    assert directory.exists()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())
        assert client.delete(f"/api/v1/rasters/{raster.pk}/").status_code == 204
    assert not Raster.objects.filter(pk=raster.pk).exists()
    assert not directory.exists()
