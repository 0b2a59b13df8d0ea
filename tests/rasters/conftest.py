"""Fixtures for the rasters app tests: an API client per member of the cast, and upload helpers."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from rasters import services
from rasters.models import Raster


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def api_for(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def post_file(client: APIClient, path: Path, name: str | None = None, **extra: str) -> Any:
    with path.open("rb") as handle:
        upload = handle if name is None else SimpleUploadedFile(name, handle.read())
        return client.post("/api/v1/rasters/", {"file": upload, **extra}, format="multipart")


@pytest.fixture
def make_raster(cast: Any) -> Callable[..., Raster]:
    """Create a raster owned by the cast's owner through the real service, processed synchronously."""

    def _make(path: Path, owner: Any = None, process: bool = True, **kwargs: Any) -> Raster:
        with path.open("rb") as handle:
            upload = SimpleUploadedFile(path.name, handle.read())
        raster = services.raster_create(owner=owner or cast.owner, upload=upload, **kwargs)
        if process:
            services.raster_process(raster.pk)
            raster.refresh_from_db()
            # With a live worker (transactional tests) the queued task may have claimed the job first.
            deadline = time.monotonic() + 120
            while raster.status in {Raster.Status.QUEUED, Raster.Status.PROCESSING} and time.monotonic() < deadline:
                time.sleep(0.2)
                raster.refresh_from_db()
        return raster

    return _make
