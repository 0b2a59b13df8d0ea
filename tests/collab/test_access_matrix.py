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

from accounts.tokens import verification_token
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
    spare_analysis: Any = None
    export_job: Any = None
    report_job: str = ""


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
    _write_masks(analysis)
    spare_analysis = make_analysis(raster)
    from maps.models import ExportJob

    export_job = ExportJob.objects.create(owner=owner, format="geojson", params={"body": "mars"})
    _reference_catalogue(raster)
    return World(
        spare_analysis=spare_analysis, export_job=export_job, report_job=_report_job(owner, analysis),
        users={"owner": owner, "member": member, "stranger": stranger, "anon": None}, project=project,
        project2=project2, raster=raster, analysis=analysis, feature=feature, comment=comment,
        spare_comment=spare_comment, link=services.share_link_create(user=owner, target=raster),
        spare_link=services.share_link_create(user=owner, target=analysis), dave=dave, invitation=invitation,
    )


def _reference_catalogue(raster: Any) -> None:
    """A two-crater catalogue of the image's body: one crater under the analysis' feature, one elsewhere."""
    from django.contrib.gis.geos import Point

    from maps.models import BODY_LONLAT_SRID, ReferenceCatalogue, ReferenceCrater

    catalogue = ReferenceCatalogue.objects.create(slug="matrix-ref", body=raster.body, name="Matrix reference",
                                                  citation="test", source="test", crater_count=2)
    ReferenceCrater.objects.bulk_create([
        ReferenceCrater(catalogue=catalogue, body=raster.body, lon=lon, lat=lat, diameter_km=d,
                        geom=Point(lon, lat, srid=BODY_LONLAT_SRID))
        for lon, lat, d in ((10.0, 5.0, 30.0), (-60.0, -20.0, 80.0))
    ])


def _write_masks(analysis: Any) -> None:
    """A real mask and confidence raster on the image's grid, as a finished analysis leaves them."""
    import numpy as np
    import rasterio

    with rasterio.open(analysis.raster.cog_path) as src:
        profile = {"driver": "GTiff", "width": src.width, "height": src.height, "count": 1, "dtype": "uint8",
                   "crs": src.crs, "transform": src.transform}
    analysis.directory.mkdir(parents=True, exist_ok=True)
    data = np.zeros((profile["height"], profile["width"]), dtype=np.uint8)
    data[100:140, 500:560] = 1
    for path in (analysis.mask_path, analysis.confidence_path):
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(data, 1)


def _report_job(owner: Any, analysis: Any) -> str:
    """A finished report of the analysis, requested by its owner."""
    from maps.stats import services as stats_services
    from maps.stats.targets import parse_token

    job = stats_services.report_request(owner, parse_token(f"analysis:{analysis.pk}"), stats_services.CsfdParams())
    stats_services.report_generate(job["id"])
    return str(job["id"])


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
    "accounts/verify/resend/": [post(lambda w: "/accounts/verify/resend/", expand(owner=302, member=302, stranger=302, anon=302),
                                     note="everyone here is verified: back to the profile with a message; anon to login")],
    "accounts/verify/<str:token>/": [get(lambda w: f"/accounts/verify/{verification_token(w.users['owner'])}/",
                                         expand(owner=409, member=400, stranger=400, anon=302),
                                         note="the owner's own link, used already; another account's link is refused")],
    "admin/": Prefix([
        get(lambda w: "/admin/", expand(owner=302, member=302, stranger=302, anon=302)),
        get(lambda w: f"/admin/rasters/raster/{w.raster.pk}/change/", expand(owner=302, member=302, stranger=302, anon=302)),
    ]),
    # Images
    "images/": [get(lambda w: "/images/", LOGGED_IN_PAGE)],
    "images/upload/": [get(lambda w: "/images/upload/", LOGGED_IN_PAGE)],
    "images/<int:pk>/": [get(lambda w: f"/images/{w.raster.pk}/", PAGE)],
    "images/<int:pk>/edit/": [get(lambda w: f"/images/{w.raster.pk}/edit/", PAGE)],
    "images/<int:pk>/delete/": [get(lambda w: f"/images/{w.raster.pk}/delete/", expand(PAGE, member=403))],
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

OWNER_ONLY = expand(owner=200, member=404, stranger=404, anon=302)
OWNER_ONLY_API = expand(owner=200, member=404, stranger=404, anon=ANON_API)
REGION = '{"type":"Polygon","coordinates":[[[0,-10],[40,-10],[40,20],[0,20],[0,-10]]]}'

MATRIX.update({
    # Analyses (segmentation)
    "analyses/start/<int:raster_pk>/": [post(lambda w: f"/analyses/start/{w.raster.pk}/", REDIRECT_PAGE)],
    "analyses/<int:pk>/": [get(lambda w: f"/analyses/{w.analysis.pk}/", PAGE)],
    "analyses/<int:pk>/cancel/": [post(lambda w: f"/analyses/{w.analysis.pk}/cancel/", REDIRECT_PAGE)],
    "analyses/<int:pk>/retry/": [post(lambda w: f"/analyses/{w.analysis.pk}/retry/", REDIRECT_PAGE)],
    "analyses/<int:pk>/delete/": [post(lambda w: f"/analyses/{w.spare_analysis.pk}/delete/", expand(REDIRECT_PAGE, owner=404),
                                       note="member (editor) deletes it first; owner then gets 404")],
    "analyses/<int:pk>/features.geojson": [get(lambda w: f"/analyses/{w.analysis.pk}/features.geojson", PAGE)],
    "analyses/<int:pk>/mask.tif": [get(lambda w: f"/analyses/{w.analysis.pk}/mask.tif", PAGE)],
    "analyses/<int:pk>/confidence.tif": [get(lambda w: f"/analyses/{w.analysis.pk}/confidence.tif", PAGE)],
    "api/v1/rasters/<int:pk>/analyses/": [get(lambda w: f"/api/v1/rasters/{w.raster.pk}/analyses/", API)],
    "api/v1/rasters/<int:pk>/manual-craters/": [
        post(lambda w: f"/api/v1/rasters/{w.raster.pk}/manual-craters/", expand(API, owner=201, member=201),
             data={"body": "mars", "method": "centre", "centre": [10.0, 5.0], "radius_km": 4.0})],
    "api/v1/analyses/<int:pk>/mask/<int:z>/<int:x>/<int:y>.png": [
        get(lambda w: f"/api/v1/analyses/{w.analysis.pk}/mask/1/1/0.png", API)],
    "api/v1/analyses/": [get(lambda w: "/api/v1/analyses/", LOGGED_IN_API)],
    "api/v1/analyses/(?P<pk>[^/.]+)/": [get(lambda w: f"/api/v1/analyses/{w.analysis.pk}/", API)],
    "api/v1/analyses/(?P<pk>[^/.]+)/cancel/": [
        post(lambda w: f"/api/v1/analyses/{w.analysis.pk}/cancel/", expand(API, owner=409, member=409))],
    "api/v1/analyses/(?P<pk>[^/.]+)/retry/": [
        post(lambda w: f"/api/v1/analyses/{w.analysis.pk}/retry/", expand(API, owner=409, member=409))],
    "api/v1/models/": [get(lambda w: "/api/v1/models/", LOGGED_IN_API)],
    "api/v1/models/(?P<pk>[^/.]+)/": [get(lambda w: f"/api/v1/models/{w.analysis.model_version_id}/", LOGGED_IN_API)],
    # Maps: explorer, compare, features API, exports, OGC API
    "map/": [get(lambda w: "/map/", expand(LOGGED_IN_PAGE, owner=(200, 302), member=(200, 302), stranger=(200, 302)))],
    "map/<slug:body>/": [get(lambda w: "/map/mars/", LOGGED_IN_PAGE)],
    "map/compare/": [get(lambda w: f"/map/compare/?left=analysis:{w.analysis.pk}&right=raster:{w.raster.pk}", PAGE)],
    "map/exports/<int:pk>/": [get(lambda w: f"/map/exports/{w.export_job.pk}/", OWNER_ONLY)],
    "api/v1/features/": [get(lambda w: f"/api/v1/features/?analysis={w.analysis.pk}", LOGGED_IN_API,
                             note="a stranger gets an empty collection, never the owner's features")],
    "api/v1/features/<int:pk>/": [get(lambda w: f"/api/v1/features/{w.feature.pk}/", API)],
    "api/v1/reference/catalogues/": [get(lambda w: "/api/v1/reference/catalogues/?body=mars", LOGGED_IN_API,
                                         note="a published table: every account sees it")],
    "api/v1/reference/tiles/<slug:body>/<int:z>/<int:x>/<int:y>.pbf": [
        get(lambda w: "/api/v1/reference/tiles/mars/0/0/0.pbf", LOGGED_IN_API)],
    "api/v1/reference/compare/": [
        get(lambda w: f"/api/v1/reference/compare/?target=analysis:{w.analysis.pk}&catalogue=matrix-ref", API)],
    "api/v1/features/summary/": [get(lambda w: f"/api/v1/features/summary/?body=mars&analysis={w.analysis.pk}", LOGGED_IN_API)],
    "api/v1/features/export/": [get(lambda w: f"/api/v1/features/export/?format=geojson&analysis={w.analysis.pk}", expand(LOGGED_IN_API, stranger=400),
                                    note="a stranger may not filter on an analysis they cannot see: 400, no data")],
    "api/v1/features/tiles/<slug:body>/<int:z>/<int:x>/<int:y>.pbf": [
        get(lambda w: "/api/v1/features/tiles/mars/0/1/0.pbf", expand(LOGGED_IN_API, owner=(200, 204), member=(200, 204), stranger=(200, 204)))],
    "api/v1/exports/<int:pk>/": [get(lambda w: f"/api/v1/exports/{w.export_job.pk}/", OWNER_ONLY_API)],
    "api/v1/exports/<int:pk>/download/": [
        get(lambda w: f"/api/v1/exports/{w.export_job.pk}/download/", expand(OWNER_ONLY_API, owner=404),
            note="the job is still queued, so there is no file yet, even for its owner")],
    "ogc/": [get(lambda w: "/ogc/", LOGGED_IN_API)],
    "ogc/conformance": [get(lambda w: "/ogc/conformance", LOGGED_IN_API)],
    "ogc/collections": [get(lambda w: "/ogc/collections", expand(LOGGED_IN_API, anon=(200, 401, 403)))],
    "ogc/collections/<str:collection_id>": [get(lambda w: f"/ogc/collections/analysis-{w.analysis.pk}", expand(API, anon=(401, 403, 404)))],
    "ogc/collections/<str:collection_id>/items": [
        get(lambda w: f"/ogc/collections/analysis-{w.analysis.pk}/items", expand(API, anon=(401, 403, 404)))],
    "ogc/collections/<str:collection_id>/items/<int:fid>": [
        get(lambda w: f"/ogc/collections/analysis-{w.analysis.pk}/items/{w.feature.pk}", expand(API, anon=(401, 403, 404)))],
    # Statistics pages and API
    "map/stats/analysis/<int:pk>/": [get(lambda w: f"/map/stats/analysis/{w.analysis.pk}/", PAGE)],
    "map/stats/image/<int:pk>/": [get(lambda w: f"/map/stats/image/{w.raster.pk}/", PAGE)],
    "map/stats/project/<int:pk>/": [get(lambda w: f"/map/stats/project/{w.project.pk}/", PAGE)],
    "map/stats/region/": [get(lambda w: f"/map/stats/region/?body=mars&geometry={REGION}", LOGGED_IN_PAGE)],
    "map/stats/compare/": [get(lambda w: f"/map/stats/compare/?a=analysis:{w.analysis.pk}&b=image:{w.raster.pk}", PAGE)],
    "map/stats/csfd\\.(?P<fmt>svg|png)": [get(lambda w: f"/map/stats/csfd.svg?target=analysis:{w.analysis.pk}", PAGE)],
    "map/stats/reports/": [post(lambda w: "/map/stats/reports/", REDIRECT_PAGE, {"target": "analysis:0"},
                                note="filled in below: the analysis token")],
    "map/stats/reports/<str:job_id>/": [get(lambda w: f"/map/stats/reports/{w.report_job}/", OWNER_ONLY)],
    "map/stats/reports/(?P<job_id>[0-9a-f]{32})/report\\.(?P<fmt>pdf|html)": [
        get(lambda w: f"/map/stats/reports/{w.report_job}/report.pdf", OWNER_ONLY)],
    "api/v1/stats/": [get(lambda w: f"/api/v1/stats/?target=analysis:{w.analysis.pk}", API)],
    "api/v1/stats/analyses/<int:pk>/": [get(lambda w: f"/api/v1/stats/analyses/{w.analysis.pk}/", API)],
    "api/v1/stats/images/<int:pk>/": [get(lambda w: f"/api/v1/stats/images/{w.raster.pk}/", API)],
    "api/v1/stats/projects/<int:pk>/": [get(lambda w: f"/api/v1/stats/projects/{w.project.pk}/", API)],
    "api/v1/stats/region/": [post(lambda w: "/api/v1/stats/region/", LOGGED_IN_API, {"body": "mars", "geometry": REGION})],
    "api/v1/stats/compare/": [get(lambda w: f"/api/v1/stats/compare/?a=analysis:{w.analysis.pk}&b=image:{w.raster.pk}", API)],
    "api/v1/stats/systems/": [get(lambda w: "/api/v1/stats/systems/?body=mars", LOGGED_IN_API)],
    "api/v1/stats/reports/": [post(lambda w: "/api/v1/stats/reports/", expand(API, owner=202, member=202),
                                   {"target": "analysis:0"}, note="filled in below: the analysis token")],
    "api/v1/stats/reports/<str:job_id>/": [get(lambda w: f"/api/v1/stats/reports/{w.report_job}/", OWNER_ONLY_API)],
})

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
    if data is not None and data.get("target") == "analysis:0":
        data["target"] = f"analysis:{world.analysis.pk}"
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
