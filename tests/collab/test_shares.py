"""Share links grant exactly one object, read-only, and stop working when revoked or expired."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from collab import services
from collab.errors import NotAllowed
from rasters.models import Body
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


def test_only_editors_share_and_strangers_cannot_revoke(team: Team) -> None:
    services.member_set_role(by=team.cast.owner, project=team.project, user=team.cast.collaborator, role="viewer")
    with pytest.raises(NotAllowed):
        services.share_link_create(user=team.cast.collaborator, target=team.raster)
    link = services.share_link_create(user=team.cast.owner, target=team.raster)
    with pytest.raises(NotAllowed):
        services.share_link_revoke(user=team.cast.stranger, link=link)
    assert api_for(team.cast.stranger).delete(f"/api/v1/share-links/{link.pk}/").status_code == 404
    assert len(link.token) >= 40
