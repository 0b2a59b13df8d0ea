"""The published schema declares the error responses and file types operations really answer with."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from maps.exports import FORMATS

pytestmark = pytest.mark.django_db
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema() -> dict[str, Any]:
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return dict(response.json())


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()
            if method in METHODS]


def test_every_operation_declares_the_shared_errors(schema: dict[str, Any]) -> None:
    operations = _operations(schema)
    assert len(operations) >= 60
    for path, method, op in operations:
        responses = op["responses"]
        for code in ("401", "403"):
            assert code in responses, (method, path, code)
            for content in responses[code]["content"].values():
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}
        if any(p["in"] == "path" for p in op.get("parameters", [])):
            assert "404" in responses, (method, path)
        if method != "get":
            assert {"400", "409"} <= set(responses), (method, path)
    upload = schema["paths"]["/api/v1/rasters/"]["post"]["responses"]
    assert {"413", "415"} <= set(upload)


def test_exports_declare_each_format_s_content_type(schema: dict[str, Any]) -> None:
    wanted = {f.content_type for f in FORMATS.values()}
    for path in ("/api/v1/features/export/", "/api/v1/exports/{id}/download/"):
        assert wanted <= set(schema["paths"][path]["get"]["responses"]["200"]["content"]), path


def test_a_geojson_list_declares_its_errors_in_geojson_too(schema: dict[str, Any]) -> None:
    content = schema["paths"]["/api/v1/features/"]["get"]["responses"]["400"]["content"]
    assert set(content) == {"application/json", "application/geo+json"}


def test_an_unmatched_api_url_is_a_json_404_and_a_page_stays_html(client: Any) -> None:
    response = client.get("/api/v1/features/tiles/mars/-1/0/0.pbf")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    page = client.get("/no/such/page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
