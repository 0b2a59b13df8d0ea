"""Kept statements (``maps.statements``): compiled once per user and query shape, yet every access decision is
taken when the statement runs, so memberships and visibility show on the very next request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from collab.models import Membership, Project, Role
from maps import statements
from maps.filters import FeatureQuery
from maps.selectors import features_matching
from maps.vector_tiles import CACHE_MAX_ZOOM
from rasters.models import Raster
from tests.maps.helpers import analysis_with, api_for
from tests.maps.test_vector_tile_cache import count

# Committed writes: the tile cache is keyed on the data version, which triggers raise at commit.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("transactional_db")]
TILE = "/api/v1/features/tiles/mars/3/9/2.pbf"


@pytest.fixture
def shared(cast: Any) -> Any:
    """Three craters on an image of a project the collaborator is not (yet) a member of."""
    project = Project.objects.create(name="Arabia", created_by=cast.owner)
    Membership.objects.create(project=project, user=cast.owner, role=Role.OWNER)
    analysis = analysis_with(cast.owner, [
        {"lon": 30, "lat": 30, "diameter_km": 30}, {"lon": 35, "lat": 35, "diameter_km": 5},
        {"lon": 40, "lat": 40, "diameter_km": 8},
    ])
    Raster.objects.filter(pk=analysis.raster_id).update(project=project, visibility="project")
    statements.clear()
    return project


def listed(client: Any, **params: str) -> int:
    response = client.get("/api/v1/features/", {"body": "mars", **params})
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["numberMatched"] >= body["numberReturned"] == len(body["features"])
    return int(body["numberMatched"])


def test_a_kept_statement_sees_a_new_membership_and_its_end(cast: Any, shared: Any, tmp_path: Path) -> None:
    client = api_for(cast.collaborator)
    assert listed(client) == 0 and count(client.get(TILE).content, tmp_path) == 0
    kept = len(statements._kept)
    assert kept == 2  # one page statement and one tile statement, now reused

    member = Membership.objects.create(project=shared, user=cast.collaborator, role=Role.VIEWER)
    assert listed(client) == 3 and count(client.get(TILE).content, tmp_path) == 3
    assert len(statements._kept) == kept  # the same statements answered

    member.delete()
    assert listed(client) == 0 and count(client.get(TILE).content, tmp_path) == 0


def test_a_kept_statement_sees_a_change_of_visibility(cast: Any, shared: Any, tmp_path: Path) -> None:
    stranger = api_for(cast.stranger)
    assert listed(stranger) == 0
    Raster.objects.filter(project=shared).update(visibility="public")
    assert listed(stranger) == 3 and count(stranger.get(TILE).content, tmp_path) == 3
    Raster.objects.filter(project=shared).update(visibility="private")
    assert listed(stranger) == 0 and count(stranger.get(TILE).content, tmp_path) == 0
    assert listed(api_for(cast.owner)) == 3


def test_the_region_is_a_parameter_of_the_kept_statement(cast: Any, shared: Any) -> None:
    owner = api_for(cast.owner)
    assert listed(owner, bbox="25,25,32,32") == 1
    assert listed(owner, bbox="25,25,37,37") == 2
    assert listed(owner, intersects="POLYGON((33 33, 42 33, 42 42, 33 42, 33 33))") == 2
    assert listed(owner, bbox="25,25,37,37", intersects="POLYGON((33 33, 42 33, 42 42, 33 42, 33 33))") == 1
    # Four regions, one statement: the region never enters the key.
    assert len(statements._kept) == 1
    # Other filters do, with their values.
    assert listed(owner, diameter_max="10") == 2 and listed(owner, diameter_max="6") == 1
    assert len(statements._kept) == 3


def test_kept_statements_differ_by_user_and_kind(cast: Any, shared: Any) -> None:
    query = FeatureQuery(body="mars")

    def build(user: Any, shape: FeatureQuery) -> Any:
        return features_matching(user, shape).values("id")

    owner_sql = statements.feature_statement("ids", cast.owner, query, build)
    assert statements.feature_statement("ids", cast.owner, query, build) == owner_sql
    assert statements.feature_statement("ids", cast.stranger, query, build) != owner_sql
    assert statements.feature_statement("other", cast.owner, query, build) == owner_sql  # same build, own entry
    assert len(statements._kept) == 3
    cast.owner.is_active = False
    assert statements.feature_statement("ids", cast.owner, query, build) is not None
    assert len(statements._kept) == 4  # the account's flags are part of the key


def test_the_oldest_statement_goes_first(cast: Any, monkeypatch: Any) -> None:
    statements.clear()
    monkeypatch.setattr(statements, "MAX_STATEMENTS", 2)

    def build(user: Any, shape: FeatureQuery) -> Any:
        return features_matching(user, shape).values("id")

    for body in ("mars", "moon", "mercury"):
        statements.feature_statement("ids", cast.owner, FeatureQuery(body=body), build)
    assert [key[2] for key in statements._kept] == [repr(FeatureQuery(body=b)) for b in ("moon", "mercury")]


def test_a_page_and_a_tile_each_cost_one_statement_with_the_body_inside(cast: Any, shared: Any) -> None:
    """The features page reads its body's name, and the tile checks its body exists, in the statement that
    builds them: a token-authenticated request makes no other query (a cached zoom's tile: after its
    data-version lookup; a deeper tile reads the version for its ETag in the same statement)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_for(cast.owner)
    client.get("/api/v1/features/", {"body": "mars"})  # compiles and keeps the statement
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/api/v1/features/", {"body": "mars"})
    assert page.status_code == 200 and page.json()["body"] == "Mars"
    assert page.json()["crs_code"] == "IAU_2015:49900"
    sql = [q["sql"] for q in ctx.captured_queries if "token" not in q["sql"]]
    assert len(sql) == 1, sql
    for url, status in ((TILE, 200), ("/api/v1/features/tiles/mars/3/0/2.pbf", 200),
                        ("/api/v1/features/tiles/nowhere/3/0/2.pbf", 404)):
        client.get(url)
        for zoom, lookups in ((4, 1), (CACHE_MAX_ZOOM + 1, 0)):  # a cached zoom reads the version first
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url.replace("/3/", f"/{zoom}/"))
            assert response.status_code == status, url
            sql = [q["sql"] for q in ctx.captured_queries if "token" not in q["sql"]]
            assert len(sql) == 1 + lookups, (url, zoom, sql)
            assert all("maps_dataversion" in q for q in sql), (url, zoom, sql)
    assert client.get("/api/v1/features/", {"body": "nowhere"}).status_code == 404
