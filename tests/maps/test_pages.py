"""Map pages (explorer, compare, index), the OpenAPI schema of our endpoints and the offline Swagger UI."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.maps.helpers import analysis_with

pytestmark = pytest.mark.django_db


def page_data(response: Any) -> dict[str, Any]:
    match = re.search(rb'<script id="page-data" type="application/json">(.*?)</script>', response.content, re.S)
    assert match, response.content[:500]
    return json.loads(match.group(1))


def test_explorer_shows_only_visible_images(client: Any, cast: Any) -> None:
    mine = analysis_with(cast.owner, [{"lon": 10, "lat": 5}])
    analysis_with(cast.stranger, [{"lon": 10, "lat": 5}])
    client.force_login(cast.owner)
    r = client.get("/map/mars/")
    assert r.status_code == 200
    data = page_data(r)
    assert [x["id"] for x in data["rasters"]] == [mine.raster_id]
    assert [x["id"] for x in data["analyses"]] == [mine.pk]
    assert data["body"]["radius_m"] == pytest.approx(3396190)
    assert data["urls"]["vector_tiles"] == "/api/v1/features/tiles/mars/{z}/{x}/{y}.pbf"
    assert data["rasters"][0]["tiles"] == f"/api/v1/rasters/{mine.raster_id}/tiles/{{z}}/{{x}}/{{y}}.png"
    assert b"leaflet.draw.js" in r.content and b"Leaflet.VectorGrid.bundled.min.js" in r.content
    assert client.get("/map/").status_code == 302  # a single body goes straight to its map
    assert client.get("/map/pluto-x/").status_code == 404
    client.logout()
    assert client.get("/map/mars/").status_code == 302


def test_explorer_page_is_a_bounded_number_of_queries(client: Any, cast: Any,
                                                       django_assert_max_num_queries: Any) -> None:
    for i in range(6):
        analysis_with(cast.owner, [{"lon": i, "lat": 0}], title=f"Image {i}")
    client.force_login(cast.owner)
    with django_assert_max_num_queries(12):
        assert len(page_data(client.get("/map/mars/"))["rasters"]) == 6


def test_compare_two_analyses(client: Any, cast: Any) -> None:
    a = analysis_with(cast.owner, [{"lon": 10, "lat": 5}, {"class_name": "valley"}])
    b = analysis_with(cast.owner, [{"lon": 10, "lat": 5}])
    hidden = analysis_with(cast.stranger, [{"lon": 10, "lat": 5}])
    client.force_login(cast.owner)
    r = client.get("/map/compare/", {"left": f"analysis:{a.pk}", "right": f"raster:{b.raster_id}"})
    data = page_data(r)
    assert {c["class_name"]: c["count"] for c in data["left"]["summary"]} == {"crater": 1, "valley": 1}
    assert data["right"]["analysis"] == b.pk
    forbidden = client.get("/map/compare/", {"left": f"analysis:{hidden.pk}", "right": f"analysis:{a.pk}"})
    assert forbidden.status_code == 404
    assert client.get("/map/compare/").status_code == 200


def test_schema_documents_feature_endpoints(client: Any, cast: Any) -> None:
    client.force_login(cast.owner)
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    params = {p["name"] for p in schema["paths"]["/api/v1/features/"]["get"]["parameters"]}
    assert params >= {"bbox", "intersects", "class", "confidence_min", "confidence_max", "diameter_min", "diameter_max",
                      "area_min", "area_max", "body", "raster", "analysis", "project", "limit", "offset"}
    for path in ("/api/v1/features/summary/", "/api/v1/features/export/",
                 "/api/v1/features/tiles/{body}/{z}/{x}/{y}.pbf", "/api/v1/exports/{id}/"):
        assert path in schema["paths"]


def test_swagger_ui_works_offline(client: Any, cast: Any) -> None:
    client.force_login(cast.owner)
    html = client.get("/api/v1/docs/").content.decode()
    hosts = set(re.findall(r'(?:src|href)="(https?://[^"/]+)', html))
    assert not hosts, hosts
    assert "/static/drf_spectacular_sidecar/" in html
