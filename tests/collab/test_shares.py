"""Share links grant exactly one object, read-only, and stop working when revoked or expired."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from collab import access, services
from collab.errors import NotAllowed
from collab.models import ShareLink
from collab.selectors import shared_features
from rasters.models import Body, Raster
from tests.collab.conftest import Team, api_for
from tests.factories import make_analysis, make_features

pytestmark = pytest.mark.django_db


def _urls(token: str) -> list[str]:
    return [f"/projects/share/{token}/", f"/projects/share/{token}/thumbnail.png",
            f"/projects/share/{token}/tiles/0/0/0.png", f"/projects/share/{token}/features.geojson"]


def test_image_link_grants_that_image_until_revoked(cast: Any, make_raster: Any, shared_data: Path) -> None:
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif")
    other = make_raster(shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif", title="Other")
    link = services.share_link_create(user=cast.owner, target=raster)
    anonymous = Client()
    for url in _urls(link.token):
        assert anonymous.get(url).status_code == 200, url
    page = anonymous.get(_urls(link.token)[0])
    assert page["Referrer-Policy"] == "no-referrer" and raster.title in page.content.decode()
    # Exactly what it says: not the other image, not the image's normal routes, not a write.
    assert anonymous.get(f"/images/{other.pk}/thumbnail.png").status_code == 302
    assert anonymous.get(f"/images/{raster.pk}/").status_code == 302
    assert anonymous.post(_urls(link.token)[0]).status_code in {200, 405}
    raster.refresh_from_db()
    services.share_link_revoke(user=cast.owner, link=link)
    for url in _urls(link.token):
        assert anonymous.get(url).status_code == 404, url


def test_expired_link_stops_working(team: Team) -> None:
    link = services.share_link_create(user=team.cast.owner, target=team.analysis,
                                      expires_at=timezone.now() + timedelta(hours=1))
    client = Client()
    data = client.get(f"/projects/share/{link.token}/features.geojson").json()
    assert len(data["features"]) == 3 and data["properties"]["body"] == "Mars"
    type(link).objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/projects/share/{link.token}/features.geojson").status_code == 404
    assert client.get(f"/projects/share/{link.token}/").status_code == 404


def test_region_link_shares_filtered_features_the_author_sees(team: Team) -> None:
    cast = team.cast
    hidden = make_analysis(__import__("tests.collab.conftest", fromlist=["raster_row"]).raster_row(cast.stranger))
    make_features(hidden, [{"class_name": "crater", "lon": 10, "lat": 5}])
    response = api_for(cast.collaborator).post("/api/v1/share-links/", {"region": {
        "body": "mars", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [20, 0], [20, 10], [0, 10], [0, 0]]]},
        "filters": {"classes": ["crater"]}}}, format="json")
    assert response.status_code == 201, response.content
    data = Client().get(f"/projects/share/{response.json()['token']}/features.geojson").json()
    assert {f["id"] for f in data["features"]} == {team.features[0].pk, team.features[1].pk}
    assert Body.objects.get(slug="mars").shared_regions.count() == 1
    # The rule holds when the link is used: the author demoted to viewer, the region shows nothing of the image.
    services.member_set_role(by=cast.owner, project=team.project, user=cast.collaborator, role="viewer")
    data = Client().get(f"/projects/share/{response.json()['token']}/features.geojson").json()
    assert data["features"] == []


def test_only_editors_share_and_strangers_cannot_revoke(team: Team) -> None:
    services.member_set_role(by=team.cast.owner, project=team.project, user=team.cast.collaborator, role="viewer")
    with pytest.raises(NotAllowed):
        services.share_link_create(user=team.cast.collaborator, target=team.raster)
    # A viewer's region link publishes none of the images they only read; the owner's the same region shows them.
    square = {"type": "Polygon", "coordinates": [[[0, 0], [20, 0], [20, 10], [0, 10], [0, 0]]]}
    mars = Body.objects.get(slug="mars")
    links = {
        user.username: services.share_link_create(user=user, target=services.shared_region_create(
            user=user, body=mars, geometry=square))
        for user in (team.cast.collaborator, team.cast.owner)
    }
    assert shared_features(links["carlos"])["features"] == []
    assert len(shared_features(links["olivia"])["features"]) == 3
    link = services.share_link_create(user=team.cast.owner, target=team.raster)
    with pytest.raises(NotAllowed):
        services.share_link_revoke(user=team.cast.stranger, link=link)
    assert api_for(team.cast.stranger).delete(f"/api/v1/share-links/{link.pk}/").status_code == 404
    assert len(link.token) >= 40


def _anonymous_status(token: str) -> int:
    return Client().get(f"/projects/share/{token}/features.geojson").status_code


def test_link_stops_working_when_its_creator_loses_edit_rights(team: Team) -> None:
    cast = team.cast
    made = api_for(cast.collaborator).post("/api/v1/share-links/", {"raster": team.raster.pk}, format="json")
    assert made.status_code == 201, made.content
    token, pk = made.json()["token"], made.json()["id"]
    analysis_link = services.share_link_create(user=cast.collaborator, target=team.analysis)
    assert _anonymous_status(token) == 200 and _anonymous_status(analysis_link.token) == 200
    # Demoted to viewer: the editor's links stop working, and work again once the right comes back.
    services.member_set_role(by=cast.owner, project=team.project, user=cast.collaborator, role="viewer")
    assert _anonymous_status(token) == 404 and _anonymous_status(analysis_link.token) == 404
    services.member_set_role(by=cast.owner, project=team.project, user=cast.collaborator, role="editor")
    assert _anonymous_status(token) == 200
    # Removed from the project and the image made private: every route of the link answers 404.
    services.member_remove(by=cast.owner, project=team.project, user=cast.collaborator)
    services.raster_share_settings(by=cast.owner, raster=team.raster, project=None, visibility="private")
    for url in _urls(token):
        assert Client().get(url).status_code == 404, url
    owner = api_for(cast.owner)
    assert owner.get(f"/api/v1/share-links/{pk}/").json()["active"] is False


def test_links_of_a_deactivated_account_answer_like_revoked_ones(team: Team) -> None:
    cast = team.cast
    image_link = services.share_link_create(user=cast.collaborator, target=team.raster)
    analysis_link = services.share_link_create(user=cast.collaborator, target=team.analysis)
    square = {"type": "Polygon", "coordinates": [[[0, 0], [20, 0], [20, 10], [0, 10], [0, 0]]]}
    region = api_for(cast.collaborator).post("/api/v1/share-links/", {"region": {"body": "mars", "geometry": square}},
                                             format="json").json()
    region_link = ShareLink.objects.get(pk=region["id"])
    revoked = services.share_link_create(user=cast.owner, target=team.raster)
    services.share_link_revoke(user=cast.owner, link=revoked)
    links = [image_link, analysis_link, region_link]
    assert all(_anonymous_status(link.token) == 200 for link in links)

    type(cast.collaborator).objects.filter(pk=cast.collaborator.pk).update(is_active=False)
    cast.collaborator.refresh_from_db()
    assert not access.can_edit_raster(cast.collaborator, team.raster)
    assert not Raster.objects.filter(access.editable_raster_q(cast.collaborator)).exists()
    anonymous = Client()
    refused = {path: anonymous.get(f"/projects/share/{revoked.token}/{path}") for path in ("", "features.geojson")}
    assert {r.status_code for r in refused.values()} == {404}
    for link in links:
        link.refresh_from_db()
        assert link.is_active and not access.share_link_works(link)  # not revoked: its creator's right is gone
        for path, revoked_response in refused.items():
            response = anonymous.get(f"/projects/share/{link.token}/{path}")
            assert response.status_code == 404, (link.kind, path)
            assert response.content == revoked_response.content, (link.kind, path)
    # The owner sees them inactive in the list of links to the image.
    for link in (image_link, analysis_link):
        assert api_for(cast.owner).get(f"/api/v1/share-links/{link.pk}/").json()["active"] is False
    # Reactivated, the account lends its rights again (nothing was deleted).
    type(cast.collaborator).objects.filter(pk=cast.collaborator.pk).update(is_active=True)
    assert all(_anonymous_status(link.token) == 200 for link in links)


def test_image_owner_lists_and_revokes_every_link_to_their_image(team: Team) -> None:
    cast = team.cast
    image_link = services.share_link_create(user=cast.collaborator, target=team.raster)
    analysis_link = services.share_link_create(user=cast.collaborator, target=team.analysis)
    owner = api_for(cast.owner)
    listed = {row["id"] for row in owner.get("/api/v1/share-links/").json()["results"]}
    assert {image_link.pk, analysis_link.pk} <= listed
    assert owner.get(f"/api/v1/share-links/{image_link.pk}/").status_code == 200
    page = Client()
    page.force_login(cast.owner)
    sharing = page.get(f"/projects/images/{team.raster.pk}/sharing/").content.decode()
    assert image_link.token in sharing and analysis_link.token in sharing
    assert analysis_link.token in page.get("/projects/share-links/").content.decode()
    # Strangers still see and revoke nothing.
    stranger = api_for(cast.stranger)
    assert stranger.get("/api/v1/share-links/").json()["count"] == 0
    assert stranger.delete(f"/api/v1/share-links/{image_link.pk}/").status_code == 404
    deleted = owner.delete(f"/api/v1/share-links/{image_link.pk}/")
    assert deleted.status_code == 200 and deleted.json()["active"] is False
    assert page.post(f"/projects/share-links/{analysis_link.pk}/revoke/").status_code == 302
    assert _anonymous_status(image_link.token) == 404 and _anonymous_status(analysis_link.token) == 404


def test_share_link_form_refuses_a_bad_or_past_expiry(team: Team) -> None:
    client = Client()
    client.force_login(team.cast.owner)
    url = f"/projects/images/{team.raster.pk}/share-link/"
    for expiry in ("31/01/2030", "2000-01-31 12:00"):
        response = client.post(url, {"expires_at": expiry}, follow=True)
        assert response.status_code == 200
        assert "Share link created." not in response.content.decode(), expiry
        assert [m.level_tag for m in response.context["messages"]] == ["error"], expiry
    assert not ShareLink.objects.exists()
    response = client.post(url, {"expires_at": "2030-01-31 12:00"}, follow=True)
    assert ShareLink.objects.get().expires_at is not None and "Share link created." in response.content.decode()
