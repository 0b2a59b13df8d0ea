"""API list pages: a client cannot ask for every row at once (``?limit=`` is capped, the next page is linked)."""

from __future__ import annotations

from typing import Any

import pytest

from geoplanet.pagination import DEFAULT_MAX_LIMIT
from rasters.models import Raster
from tests.maps.helpers import api_for, raster_row


def _rasters(owner: Any, n: int) -> None:
    """``n`` visible images of ``owner``: one made by the helper, the others copies of its row."""
    row = raster_row(owner)
    own = {"id", "storage_key"}  # each copy gets its own (defaults)
    values = {f.attname: getattr(row, f.attname) for f in Raster._meta.concrete_fields if f.attname not in own}
    Raster.objects.bulk_create([Raster(**values) for _ in range(n - 1)])


@pytest.mark.django_db
def test_a_huge_limit_returns_one_capped_page_with_a_next_link(cast: Any) -> None:
    _rasters(cast.owner, DEFAULT_MAX_LIMIT + 1)
    page = api_for(cast.owner).get("/api/v1/rasters/", {"limit": 100_000_000}).json()
    assert page["count"] == DEFAULT_MAX_LIMIT + 1
    assert len(page["results"]) == DEFAULT_MAX_LIMIT
    assert page["next"] and f"limit={DEFAULT_MAX_LIMIT}" in page["next"]
    assert f"offset={DEFAULT_MAX_LIMIT}" in page["next"]


@pytest.mark.django_db
def test_the_cap_comes_from_settings_and_a_huge_offset_is_an_empty_page(cast: Any, settings: Any) -> None:
    settings.API_MAX_PAGE_SIZE = 2
    _rasters(cast.owner, 5)
    client = api_for(cast.owner)
    page = client.get("/api/v1/rasters/", {"limit": 100_000_000}).json()
    assert page["count"] == 5 and len(page["results"]) == 2 and "limit=2" in page["next"]
    assert len(client.get("/api/v1/rasters/", {"limit": 1}).json()["results"]) == 1
    far = client.get("/api/v1/rasters/", {"offset": "99999999999999999999"})
    assert far.status_code == 200 and far.json()["results"] == []
