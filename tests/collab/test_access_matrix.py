# ruff: noqa: E501 - the matrix is a table: one route per line reads best
"""Every route, four actors, one real object each: who gets which status.

``test_every_route_has_an_entry`` fails listing the routes that have no entry yet; add one to ``MATRIX``
(see tests/collab/matrix.py for the shorthands) when you add a route.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from collab import services
from collab.models import Comment
from tests.collab.matrix import (
    ACTORS,
    ANON_API,
    ANYONE,
    API,
    LOGGED_IN_API,
    LOGGED_IN_PAGE,
    PAGE,
    Case,
    Prefix,
    expand,
    uncovered,
)
from tests.factories import UserFactory, make_analysis, make_features

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@dataclass
class World:
    users: dict[str, Any]
    project: Any
    project2: Any
    raster: Any
    analysis: Any
    feature: Any
    comment: Any
    spare_comment: Any
    link: Any
    spare_link: Any
    dave: Any
    invitation: Any


@pytest.fixture
def world(cast: Any, make_raster: Any, shared_data: Path) -> World:
    owner, member, stranger = cast.owner, cast.collaborator, cast.stranger
    dave = UserFactory(username="dave")
    project = services.project_create(owner=owner, name="Mars team")
    services.invitation_accept(
        user=member, invitation=services.invitation_create(project=project, by=owner, who="carlos", role="editor"))
    services.invitation_accept(user=dave, invitation=services.invitation_create(project=project, by=owner, who="dave"))
    project2 = services.project_create(owner=owner, name="Solo")
    invitation = services.invitation_create(project=project2, by=owner, who="dave")
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif", owner=owner)
    services.raster_share_settings(by=owner, raster=raster, project=project, visibility="project")
    analysis = make_analysis(raster)
    feature = make_features(analysis, [{"class_name": "crater", "lon": 10, "lat": 5}])[0]
    comment = services.comment_create(author=owner, target=analysis, text="first")
    spare_comment = services.comment_create(author=owner, target=analysis, text="to delete")
    return World(
        users={"owner": owner, "member": member, "stranger": stranger, "anon": None}, project=project,
        project2=project2, raster=raster, analysis=analysis, feature=feature, comment=comment,
        spare_comment=spare_comment, link=services.share_link_create(user=owner, target=raster),
        spare_link=services.share_link_create(user=owner, target=analysis), dave=dave, invitation=invitation,
    )


def get(url: Any, expect: dict[str, Any], **kw: Any) -> Case:
    return Case("GET", url, expect, **kw)


def post(url: Any, expect: dict[str, Any], data: dict[str, Any] | None = None, **kw: Any) -> Case:
    return Case("POST", url, expect, data=data or {}, **kw)


REDIRECT_PAGE = expand(owner=302, member=302, stranger=404, anon=302)
OWNER_ONLY_PAGE = expand(owner=302, member=404, stranger=404, anon=302)
NOBODY_PAGE = expand(owner=404, member=404, stranger=404, anon=302)
NOBODY_API = expand(owner=404, member=404, stranger=404, anon=ANON_API)

MATRIX: dict[str, list[Case] | Prefix] = {
    # Site frame and accounts
    "": [get(lambda w: "/", ANYONE)],
    "accounts/register/": [get(lambda w: "/accounts/register/", expand(owner=302, member=302, stranger=302, anon=200))],
    "accounts/login/": [get(lambda w: "/accounts/login/", expand(owner=302, member=302, stranger=302, anon=200))],
    "accounts/logout/": [get(lambda w: "/accounts/logout/", expand(owner=405, member=405, stranger=405, anon=405))],
    "accounts/profile/": [get(lambda w: "/accounts/profile/", LOGGED_IN_PAGE)],
    "accounts/profile/edit/": [get(lambda w: "/accounts/profile/edit/", LOGGED_IN_PAGE)],
    "accounts/password/change/": [get(lambda w: "/accounts/password/change/", LOGGED_IN_PAGE)],
    "accounts/password/change/done/": [get(lambda w: "/accounts/password/change/done/", LOGGED_IN_PAGE)],
    "accounts/password/reset/": [get(lambda w: "/accounts/password/reset/", ANYONE)],
    "accounts/password/reset/done/": [get(lambda w: "/accounts/password/reset/done/", ANYONE)],
    "accounts/password/reset/<uidb64>/<token>/": [get(lambda w: "/accounts/password/reset/MQ/bad-token/", ANYONE)],
    "accounts/password/reset/complete/": [get(lambda w: "/accounts/password/reset/complete/", ANYONE)],
    "admin/": Prefix([
        get(lambda w: "/admin/", expand(owner=302, member=302, stranger=302, anon=302)),
        get(lambda w: f"/admin/rasters/raster/{w.raster.pk}/change/", expand(owner=302, member=302, stranger=302, anon=302)),
    ]),
    # Images
    "images/": [get(lambda w: "/images/", LOGGED_IN_PAGE)],
    "images/upload/": [get(lambda w: "/images/upload/", LOGGED_IN_PAGE)],
    "images/<int:pk>/": [get(lambda w: f"/images/{w.raster.pk}/", PAGE)],
    "images/<int:pk>/edit/": [get(lambda w: f"/images/{w.raster.pk}/edit/", PAGE)],
    "images/<int:pk>/delete/": [get(lambda w: f"/images/{w.raster.pk}/delete/", PAGE)],
    "images/<int:pk>/retry/": [post(lambda w: f"/images/{w.raster.pk}/retry/", REDIRECT_PAGE)],
    "images/<int:pk>/thumbnail.png": [get(lambda w: f"/images/{w.raster.pk}/thumbnail.png", PAGE)],
    "images/<int:pk>/original/": [get(lambda w: f"/images/{w.raster.pk}/original/", PAGE)],
    "api/v1/auth/token/": [post(lambda w: "/api/v1/auth/token/", expand(owner=400, member=400, stranger=400, anon=400))],
    "api/v1/rasters/": [get(lambda w: "/api/v1/rasters/", LOGGED_IN_API)],
    "api/v1/rasters/(?P<pk>[^/.]+)/": [get(lambda w: f"/api/v1/rasters/{w.raster.pk}/", API)],
    "api/v1/rasters/(?P<pk>[^/.]+)/retry/": [
        post(lambda w: f"/api/v1/rasters/{w.raster.pk}/retry/", expand(API, owner=409, member=409))],
    "api/v1/rasters/<int:pk>/tiles/<int:z>/<int:x>/<int:y>.png": [
        get(lambda w: f"/api/v1/rasters/{w.raster.pk}/tiles/0/0/0.png", API)],
    "api/v1/bodies/": [get(lambda w: "/api/v1/bodies/", LOGGED_IN_API)],
    "api/v1/bodies/(?P<slug>[^/.]+)/": [get(lambda w: "/api/v1/bodies/mars/", LOGGED_IN_API)],
    "api/v1/schema/": [get(lambda w: "/api/v1/schema/", ANYONE)],
    "api/v1/docs/": [get(lambda w: "/api/v1/docs/", ANYONE)],
    # Projects, sharing, review and discussion pages (collab)
    "projects/": [get(lambda w: "/projects/", LOGGED_IN_PAGE)],
    "projects/<int:pk>/": [get(lambda w: f"/projects/{w.project.pk}/", PAGE)],
    "projects/<int:pk>/invite/": [post(lambda w: f"/projects/{w.project.pk}/invite/", OWNER_ONLY_PAGE)],
    "projects/<int:pk>/leave/": [post(lambda w: f"/projects/{w.project2.pk}/leave/", OWNER_ONLY_PAGE,
                                      note="owner is the last owner of project2: refused, redirected")],
    "projects/<int:pk>/members/<int:user_id>/remove/": [
        post(lambda w: f"/projects/{w.project.pk}/members/{w.dave.pk}/remove/", OWNER_ONLY_PAGE)],
    "projects/invitations/": [get(lambda w: "/projects/invitations/", LOGGED_IN_PAGE)],
    "projects/invitations/<int:pk>/accept/": [post(lambda w: f"/projects/invitations/{w.invitation.pk}/accept/", NOBODY_PAGE)],
    "projects/invitations/<int:pk>/decline/": [
        post(lambda w: f"/projects/invitations/{w.invitation.pk}/decline/", NOBODY_PAGE)],
    "projects/notifications/": [get(lambda w: "/projects/notifications/", LOGGED_IN_PAGE)],
    "projects/images/<int:pk>/sharing/": [get(lambda w: f"/projects/images/{w.raster.pk}/sharing/", PAGE)],
    "projects/images/<int:pk>/share-link/": [post(lambda w: f"/projects/images/{w.raster.pk}/share-link/", REDIRECT_PAGE)],
    "projects/analyses/<int:pk>/share-link/": [
        post(lambda w: f"/projects/analyses/{w.analysis.pk}/share-link/", REDIRECT_PAGE)],
    "projects/share-links/": [get(lambda w: "/projects/share-links/", LOGGED_IN_PAGE)],
    "projects/share-links/<int:pk>/revoke/": [
        post(lambda w: f"/projects/share-links/{w.spare_link.pk}/revoke/", OWNER_ONLY_PAGE)],
    "projects/analyses/<int:pk>/review/": [get(lambda w: f"/projects/analyses/{w.analysis.pk}/review/", PAGE)],
    "projects/features/<int:pk>/": [get(lambda w: f"/projects/features/{w.feature.pk}/", PAGE)],
    "projects/features/<int:pk>/review/": [
        post(lambda w: f"/projects/features/{w.feature.pk}/review/", REDIRECT_PAGE, {"action": "confirm"})],
    "projects/features/<int:pk>/comment/": [
        post(lambda w: f"/projects/features/{w.feature.pk}/comment/", REDIRECT_PAGE, {"text": "hello"})],
    "projects/comments/<int:pk>/delete/": [
        post(lambda w: f"/projects/comments/{w.spare_comment.pk}/delete/", REDIRECT_PAGE,
             note="member is refused with a message (not the author); owner deletes")],
    "projects/share/<str:token>/": [get(lambda w: f"/projects/share/{w.link.token}/", ANYONE),
                                    get(lambda w: "/projects/share/not-a-token/", expand(ANYONE, **dict.fromkeys(ACTORS, 404)))],
    "projects/share/<str:token>/thumbnail.png": [get(lambda w: f"/projects/share/{w.link.token}/thumbnail.png", ANYONE)],
    "projects/share/<str:token>/tiles/<int:z>/<int:x>/<int:y>.png": [
        get(lambda w: f"/projects/share/{w.link.token}/tiles/0/0/0.png", ANYONE)],
    "projects/share/<str:token>/features.geojson": [
        get(lambda w: f"/projects/share/{w.link.token}/features.geojson", ANYONE)],
    # collab API
    "api/v1/projects/": [get(lambda w: "/api/v1/projects/", LOGGED_IN_API)],
    "api/v1/projects/<int:pk>/": [get(lambda w: f"/api/v1/projects/{w.project.pk}/", API)],
    "api/v1/projects/<int:pk>/members/": [get(lambda w: f"/api/v1/projects/{w.project.pk}/members/", API)],
    "api/v1/projects/<int:pk>/members/<int:user_id>/": [
        Case("PATCH", lambda w: f"/api/v1/projects/{w.project.pk}/members/{w.users['member'].pk}/", expand(API, member=403),
             data={"role": "editor"})],
    "api/v1/projects/<int:pk>/leave/": [
        post(lambda w: f"/api/v1/projects/{w.project2.pk}/leave/", expand(API, owner=409, member=404))],
    "api/v1/projects/<int:pk>/activity/": [get(lambda w: f"/api/v1/projects/{w.project.pk}/activity/", API)],
    "api/v1/invitations/": [get(lambda w: "/api/v1/invitations/", LOGGED_IN_API)],
    "api/v1/invitations/<int:pk>/accept/": [post(lambda w: f"/api/v1/invitations/{w.invitation.pk}/accept/", NOBODY_API)],
    "api/v1/invitations/<int:pk>/decline/": [post(lambda w: f"/api/v1/invitations/{w.invitation.pk}/decline/", NOBODY_API)],
    "api/v1/rasters/<int:pk>/sharing/": [
        post(lambda w: f"/api/v1/rasters/{w.raster.pk}/sharing/", expand(API, member=403),
             {"visibility": "project", "project": None}, note="filled in run(): the project's id")],
    "api/v1/comments/": [get(lambda w: f"/api/v1/comments/?analysis={w.analysis.pk}", API)],
    "api/v1/comments/<int:pk>/": [get(lambda w: f"/api/v1/comments/{w.comment.pk}/", API)],
    "api/v1/features/<int:pk>/reviews/": [get(lambda w: f"/api/v1/features/{w.feature.pk}/reviews/", API)],
    "api/v1/analyses/<int:pk>/training-labels/": [
        get(lambda w: f"/api/v1/analyses/{w.analysis.pk}/training-labels/", API)],
    "api/v1/share-links/": [get(lambda w: "/api/v1/share-links/", LOGGED_IN_API)],
    "api/v1/share-links/<int:pk>/": [get(lambda w: f"/api/v1/share-links/{w.link.pk}/", expand(API, member=404))],
    "api/v1/notifications/": [get(lambda w: "/api/v1/notifications/", LOGGED_IN_API)],
    "api/v1/notifications/read/": [post(lambda w: "/api/v1/notifications/read/", LOGGED_IN_API)],
}

ORDER = ("anon", "stranger", "member", "owner")  # refusals first, so an allowed change cannot hide one


def _client(user: Any, api: bool) -> Client | APIClient:
    client: Client | APIClient = APIClient() if api else Client()
    if user is not None:
        client.force_login(user)
    return client


def _run(world: World, route: str, case: Case) -> list[str]:
    failures = []
    url = case.url(world)
    data = dict(case.data) if case.data is not None else None
    if data is not None and "project" in data and data["project"] is None:
        data["project"] = world.project.pk
    for actor in ORDER:
        client = _client(world.users[actor], api=url.startswith("/api/"))
        method = getattr(client, case.method.lower())
        kwargs: dict[str, Any] = {"format": "json"} if isinstance(client, APIClient) and data is not None else {}
        response = method(url, data, **kwargs) if data is not None else method(url)
        expected = case.expect[actor]
        allowed = expected if isinstance(expected, tuple) else (expected,)
        if response.status_code not in allowed:
            failures.append(f"{case.method} {url} [{route}] as {actor}: {response.status_code}, expected {expected}")
    return failures


def test_every_route_has_an_entry() -> None:
    missing = uncovered(MATRIX)
    listing = "\n".join(f"  {route!r}  (name={name})" for route, name in missing)
    assert not missing, f"{len(missing)} route(s) have no entry in tests/collab/test_access_matrix.py MATRIX:\n{listing}"


def test_matrix(world: World) -> None:
    failures: list[str] = []
    for route, cases in MATRIX.items():
        for case in cases.cases if isinstance(cases, Prefix) else cases:
            failures.extend(_run(world, route, case))
    assert not failures, "\n".join(failures)
    assert not Comment.objects.filter(pk=world.spare_comment.pk).exists()
