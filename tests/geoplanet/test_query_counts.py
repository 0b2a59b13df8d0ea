"""Pages stay fast: their SQL query count does not grow with the number of objects shown (no N+1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import make_analysis, make_features
from tests.rasters.conftest import _media, make_raster  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.fixture
def populated(cast: Any, make_raster: Any, shared_data: Path) -> Any:  # noqa: F811 - the fixture imported above
    crop = shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"

    def add(n: int) -> list[Any]:
        rasters = []
        for _ in range(n):
            raster = make_raster(crop)
            analysis = make_analysis(raster)
            make_features(analysis, [{"class_name": "crater", "lon": 20 + i, "lat": 5} for i in range(3)])
            rasters.append(raster)
        return rasters

    return add


PAGES = ["/images/", "/projects/", "/map/mars/", "/api/v1/rasters/", "/api/v1/analyses/", "/api/v1/features/?body=mars"]


@pytest.mark.parametrize("url", PAGES)
def test_list_pages_do_not_grow_with_rows(cast: Any, populated: Any, url: str) -> None:
    client = Client()
    client.force_login(cast.owner)
    populated(1)
    few = _queries(client, url)
    populated(4)
    many = _queries(client, url)
    assert many <= few + 1, f"{url}: {few} queries for 1 image, {many} for 5"
    assert many <= 25, f"{url}: {many} queries"


def test_detail_pages_are_bounded(cast: Any, populated: Any) -> None:
    client = Client()
    client.force_login(cast.owner)
    raster = populated(1)[0]
    analysis = raster.analyses.first()
    for url in [f"/images/{raster.pk}/", f"/analyses/{analysis.pk}/", f"/analyses/{analysis.pk}/features.geojson"]:
        before = _queries(client, url)
        make_features(analysis, [{"class_name": "crater", "lon": 30 + i, "lat": -5} for i in range(10)])
        after = _queries(client, url)
        assert after <= before + 1 and after <= 30, f"{url}: {before} -> {after} queries"
