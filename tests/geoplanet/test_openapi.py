"""The OpenAPI schema generates and validates with no warnings (drf-spectacular's deploy check relies on it),
and every list operation is described with the shape it really returns: a page or a plain array."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from collab import services
from tests.collab.conftest import Team, api_for
from tests.collab.conftest import team as team  # noqa: F401 - fixture
from tests.conftest import REPO

# List operations that page their rows with LimitOffsetPagination, and the component of those rows.
PAGED = {
    "/api/v1/rasters/": "Raster",
    "/api/v1/analyses/": "Analysis",
    "/api/v1/bodies/": "Body",
    "/api/v1/models/": "ModelVersion",
    "/api/v1/projects/": "Project",
    "/api/v1/comments/": "Comment",
    "/api/v1/share-links/": "ShareLink",
    "/api/v1/notifications/": "Notification",
}
PAGE_KEYS = {"count", "next", "previous", "results"}


def test_schema_validates_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "geoplanet.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(out)],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    paths = yaml.safe_load(out.read_text())["paths"]
    for path in ("/api/v1/rasters/", "/api/v1/rasters/{id}/analyses/", "/api/v1/features/", "/api/v1/analyses/{id}/"):
        assert path in paths, path
    id_param = next(p for p in paths["/api/v1/rasters/{id}/"]["get"]["parameters"] if p["name"] == "id")
    assert id_param["schema"]["type"] == "integer"


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    response = api_for(None).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return dict(response.json())


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _ok_body(schema: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    content = operation["responses"]["200"]["content"]
    return _resolve(schema, content["application/json"]["schema"])


def _shape(body: Any) -> str:
    """``page``, ``array`` or ``other``, for a response body or a (resolved) JSON schema alike."""
    if isinstance(body, list) or (isinstance(body, dict) and body.get("type") == "array"):
        return "array"
    if isinstance(body, dict) and "results" in (body.get("properties") or body):
        return "page"
    return "other"


@pytest.mark.parametrize("path", PAGED)
def test_paged_lists_are_described_as_pages(schema: dict[str, Any], path: str) -> None:
    operation = schema["paths"][path]["get"]
    body = _ok_body(schema, operation)
    assert body.get("type") == "object", body
    assert PAGE_KEYS <= set(body["properties"])
    assert body["properties"]["count"]["type"] == "integer"
    assert body["properties"]["next"]["nullable"] and body["properties"]["previous"]["nullable"]
    results = body["properties"]["results"]
    assert results["type"] == "array"
    assert results["items"] == {"$ref": f"#/components/schemas/{PAGED[path]}"}
    parameters = {p["name"]: p for p in operation.get("parameters", [])}
    for name in ("limit", "offset"):
        assert parameters[name]["in"] == "query" and parameters[name]["schema"]["type"] == "integer", name
    assert operation["operationId"] == "api_v1_" + path.strip("/").removeprefix("api/v1/").replace("-", "_") + "_list"


def _list_urls(schema: dict[str, Any], team: Team) -> dict[str, str]:
    """A URL to request for every GET list operation of the schema (path parameters and required filters set)."""
    concrete = {
        "/api/v1/comments/": f"/api/v1/comments/?raster={team.raster.pk}",
        "/api/v1/features/{id}/reviews/": f"/api/v1/features/{team.features[0].pk}/reviews/",
        "/api/v1/projects/{id}/activity/": f"/api/v1/projects/{team.project.pk}/activity/",
        "/api/v1/projects/{id}/members/": f"/api/v1/projects/{team.project.pk}/members/",
        "/api/v1/rasters/{id}/analyses/": f"/api/v1/rasters/{team.raster.pk}/analyses/",
        "/api/v1/stats/systems/": "/api/v1/stats/systems/?body=mars",
        "/api/v1/reference/catalogues/": "/api/v1/reference/catalogues/?body=mars",
    }
    urls = {}
    for path, operations in schema["paths"].items():
        if "get" in operations and operations["get"]["operationId"].endswith("_list"):
            urls[path] = concrete.get(path, path)
            assert "{" not in urls[path], f"give {path} a concrete URL in this test"
    return urls


def test_list_responses_have_the_shape_their_schema_describes(schema: dict[str, Any], team: Team) -> None:
    """Request every list operation: a real page is described as one (rows of the right component), an array too."""
    owner = team.cast.owner
    services.comment_create(author=team.cast.collaborator, target=team.raster, text="Look here, @olivia")
    services.share_link_create(user=owner, target=team.raster)
    client = api_for(owner)
    paged = set()
    for path, url in _list_urls(schema, team).items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        real = response.json()
        described = _ok_body(schema, schema["paths"][path]["get"])
        assert _shape(real) == _shape(described), (path, described)
        if _shape(real) != "page":
            continue
        paged.add(path)
        assert set(real) == set(described["properties"]), path
        assert real["results"], f"{path}: the test needs at least one row"
        row = _resolve(schema, described["properties"]["results"]["items"])
        assert set(row.get("required", [])) <= set(real["results"][0]) <= set(row["properties"]), path
        one = client.get(url + ("&" if "?" in url else "?") + "limit=1&offset=0").json()
        assert len(one["results"]) == 1 and one["count"] == real["count"], path
    assert paged == set(PAGED)
