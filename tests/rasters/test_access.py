"""Only the owner sees an image, its tiles, thumbnail, original and metadata, on every page and endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from rasters.models import Raster
from tests.rasters.conftest import api_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def raster(make_raster: Any, shared_data: Path) -> Raster:
    return make_raster(shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif")


def _pages(pk: int) -> list[str]:
    return [
        f"/images/{pk}/",
        f"/images/{pk}/edit/",
        f"/images/{pk}/delete/",
        f"/images/{pk}/thumbnail.png",
        f"/images/{pk}/original/",
    ]


def _api(pk: int) -> list[str]:
    return [f"/api/v1/rasters/{pk}/", f"/api/v1/rasters/{pk}/tiles/0/0/0.png"]


def test_owner_sees_everything(cast: Any, raster: Raster) -> None:
    client = Client()
    client.force_login(cast.owner)
    for url in _pages(raster.pk):
        assert client.get(url).status_code == 200, url
    api = api_for(cast.owner)
    for url in _api(raster.pk):
        assert api.get(url).status_code == 200, url
    original = client.get(f"/images/{raster.pk}/original/")
    assert isinstance(original, StreamingHttpResponse)
    assert original.getvalue() == raster.original_path.read_bytes()


@pytest.mark.parametrize("who", ["collaborator", "stranger"])
def test_other_users_see_nothing(cast: Any, raster: Raster, who: str) -> None:
    user = getattr(cast, who)
    client = Client()
    client.force_login(user)
    for url in _pages(raster.pk):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/images/{raster.pk}/delete/").status_code == 404
    assert client.post(f"/images/{raster.pk}/retry/").status_code == 404
    api = api_for(user)
    for url in _api(raster.pk):
        assert api.get(url).status_code == 404, url
    assert api.patch(f"/api/v1/rasters/{raster.pk}/", {"title": "mine"}, format="multipart").status_code == 404
    assert api.delete(f"/api/v1/rasters/{raster.pk}/").status_code == 404
    assert api.post(f"/api/v1/rasters/{raster.pk}/retry/").status_code == 404
    assert api.get("/api/v1/rasters/").json()["count"] == 0
    assert raster.title not in client.get("/images/").content.decode()
    raster.refresh_from_db()
    assert raster.title != "mine"


def test_anonymous_sees_nothing(raster: Raster) -> None:
    client = Client()
    for url in _pages(raster.pk):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    api = api_for(None)
    for url in _api(raster.pk):
        assert api.get(url).status_code in {401, 403}, url
    assert api.get("/api/v1/rasters/").status_code in {401, 403}


def test_uploads_are_not_served_from_a_public_url(raster: Raster, settings: Any) -> None:
    client = Client()
    relative = raster.original_path.relative_to(settings.MEDIA_ROOT)
    assert client.get(f"{settings.MEDIA_URL}{relative}").status_code == 404
    assert client.get(f"/media/{relative}").status_code == 404


def test_id_garbage_is_404(cast: Any) -> None:
    client = Client()
    client.force_login(cast.owner)
    assert client.get("/images/99999999/").status_code == 404
    assert api_for(cast.owner).get("/api/v1/rasters/abc/").status_code == 404
