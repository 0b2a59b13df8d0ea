"""No route answers 5xx to hostile path or query values or form posts: every page, form handler, map tile,
vector tile and OGC route, walked from the URL configuration itself so a new route is covered the day it is
added. Logged in as the owner of real data (a processed image, an analysis with features, a project)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.collab.conftest import Team
from tests.collab.conftest import team as team  # noqa: F401 - fixture
from tests.rasters.conftest import _media  # noqa: F401 - fixture
from tests.rasters.conftest import make_raster as make_raster  # noqa: F401 - fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

HOSTILE = [
    "99999999999999999999999999",  # past bigint
    "-1",
    "NaN",
    "-inf",
    "1e309",
    "ünïcödé 火星 😀",
    "' OR 1=1; DROP TABLE rasters_raster; --",
    "../../../../etc/passwd",
    "%00\x00",
    "x" * 5000,
    "",
    "1,2,3,4,5,6",
]
HOSTILE_INTS = ["0", "2147483648", "9223372036854775808", "9" * 40]
QUERY_NAMES = [
    "body", "bbox", "intersects", "class", "confidence_min", "diameter_max", "raster", "analysis", "project",
    "review_status", "limit", "offset", "page", "q", "format", "target", "binning", "datetime", "crs", "bbox-crs",
    "f", "next", "left", "right", "catalogue", "status", "sort",
]
FORM_NAMES = [
    "title", "description", "name", "who", "role", "text", "email", "username", "password", "old_password",
    "new_password1", "new_password2", "password1", "password2", "body", "status", "class_name", "reviewed_class",
    "action", "visibility", "project", "model_version", "tta", "bbox", "intersects", "target", "binning", "format",
    "analysis", "raster", "region", "geometry", "comment", "reason", "expires_days", "next", "user_id",
]
# Routes that end the session or delete the data every other route needs: walked last.
LAST = ("logout", "delete", "leave", "remove", "revoke", "decline")
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def _routes() -> list[str]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and not route.startswith("admin/"):
                yield route

    routes = [r for r in walk(get_resolver().url_patterns, "") if not r.startswith("api/") or "tiles" in r
              or "mask" in r]
    return sorted(routes, key=lambda r: (any(word in r for word in LAST), r))


def _fill(route: str, values: dict[str, str]) -> str:
    """The route with each parameter replaced: named values for known names, else the given default."""
    path = route.replace("^", "").replace("$", "").replace("\\", "")

    def one(match: re.Match[str]) -> str:
        name = match.group("name") or match.group("rname")
        return quote(values.get(name, values["*"]), safe="")

    return "/" + PARAM.sub(one, path)


def _real_values(team: Team, raster: Any) -> dict[str, str]:
    return {"pk": str(raster.pk), "raster_pk": str(raster.pk), "user_id": str(team.cast.collaborator.pk),
            "body": "mars", "collection_id": "mars", "fid": str(team.features[0].pk), "z": "0", "x": "0", "y": "0",
            "fmt": "png", "token": "abc", "uidb64": "MQ", "job_id": "0" * 32, "*": "1"}


def test_no_route_answers_5xx_to_hostile_values(team: Team, make_raster: Any, shared_data: Path) -> None:
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif",
                         owner=team.cast.owner)
    client = Client(raise_request_exception=False)
    client.force_login(team.cast.owner)
    real = _real_values(team, raster)
    routes = _routes()
    assert len(routes) >= 70
    failures: list[str] = []

    def probe(method: str, url: str, data: dict[str, str] | None = None) -> None:
        response = client.get(url, data) if method == "GET" else client.post(url, data or {})
        if response.status_code >= 500:
            failures.append(f"{method} {url[:160]} {sorted(data or {})[:3]} -> {response.status_code}")

    for route in routes:
        path = _fill(route, real)
        for value in HOSTILE:
            probe("GET", path, {name: value for name in QUERY_NAMES})
            if "logout" not in route:
                probe("POST", path, {name: value for name in FORM_NAMES})
        for value in HOSTILE + HOSTILE_INTS:
            hostile_path = _fill(route, {"*": value, "fmt": "png"})
            if hostile_path != path:
                probe("GET", hostile_path)
                probe("POST", hostile_path)
        client.force_login(team.cast.owner)  # a route may have logged out or changed the password
    assert not failures, f"{len(failures)} 5xx:\n" + "\n".join(failures[:60])


def test_a_next_that_is_not_a_path_falls_back_instead_of_500(team: Team) -> None:
    """redirect() takes a bare word for a URL name: ``next=NaN`` used to fail to reverse (500)."""
    from collab import services

    client = Client()
    client.force_login(team.cast.owner)
    response = client.post("/accounts/verify/resend/", {"next": "NaN"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/profile/")
    response = client.post("/accounts/verify/resend/", {"next": "/map/"})
    assert (response.status_code, response["Location"]) == (302, "/map/")
    comment = services.comment_create(author=team.cast.owner, target=team.raster, text="A crater chain")
    response = client.post(f"/projects/comments/{comment.pk}/delete/", {"next": "NaN"})
    assert (response.status_code, response["Location"]) == (302, "/projects/")


@pytest.mark.parametrize("token", ["%00", "a%00b", "x" * 65, "ünï"])
def test_a_share_token_postgresql_cannot_hold_is_a_404(client: Client, token: str) -> None:
    for suffix in ("", "features.geojson", "thumbnail.png", "tiles/0/0/0.png"):
        assert client.get(f"/projects/share/{token}/{suffix}").status_code == 404
