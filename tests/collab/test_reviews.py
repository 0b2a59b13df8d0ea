"""Reviews: confirm, reject, relabel and redraw with history; statistics and training labels follow them."""

from __future__ import annotations

import math

import pytest

from collab import services
from collab.errors import InvalidInput
from collab.models import Activity, FeatureReview
from segmentation.selectors import class_summary
from tests.collab.conftest import Team, api_for

pytestmark = pytest.mark.django_db


def _counts(team: Team) -> dict[str, int]:
    return {row["class_name"]: row["count"] for row in class_summary(team.analysis)}


def test_reject_and_relabel_flow_into_statistics(team: Team) -> None:
    assert _counts(team) == {"crater": 2, "valley": 1}
    api = api_for(team.cast.collaborator)
    url = f"/api/v1/features/{team.features[0].pk}/reviews/"
    assert api.post(url, {"action": "reject"}, format="json").status_code == 201
    response = api.post(f"/api/v1/features/{team.features[2].pk}/reviews/", {"action": "relabel", "new_class": "ridge"},
                        format="json")
    assert response.json()["effective_class"] == "ridge"
    assert _counts(team) == {"crater": 1, "ridge": 1}
    history = api.get(f"/api/v1/features/{team.features[2].pk}/reviews/").json()
    assert history[0]["old_class"] == "valley" and history[0]["new_class"] == "ridge" and history[0]["user"] == "carlos"
    assert Activity.objects.filter(project=team.project, verb="rejected feature").exists()


def test_redraw_remeasures_on_the_body(team: Team) -> None:
    feature = team.features[1]
    square = {"type": "Polygon", "coordinates": [[[10, 0], [11, 0], [11, 1], [10, 1], [10, 0]]]}
    services.feature_review(user=team.cast.owner, feature=feature, action="redraw", geometry=square)
    feature.refresh_from_db()
    r_km = feature.body.mean_radius_m / 1000
    expected = r_km**2 * math.radians(1) * math.sin(math.radians(1))
    assert feature.area_km2 == pytest.approx(expected, rel=1e-6)
    assert feature.perimeter_km == pytest.approx(4 * r_km * math.radians(1), rel=0.01)
    assert not feature.geom.srid and feature.review_status == "redrawn"  # SRID 0: the body's lon/lat
    review = FeatureReview.objects.get(feature=feature)
    assert review.old_geometry is not None and not review.old_geometry.srid
    with pytest.raises(InvalidInput):
        services.feature_review(user=team.cast.owner, feature=feature, action="redraw",
                                geometry={"type": "Point", "coordinates": [1, 2]})


def test_training_labels_export_reviewed_features_only(team: Team) -> None:
    services.feature_review(user=team.cast.owner, feature=team.features[0], action="confirm")
    services.feature_review(user=team.cast.owner, feature=team.features[1], action="reject")
    services.feature_review(user=team.cast.owner, feature=team.features[2], action="relabel", new_class="ridge")
    data = api_for(team.cast.collaborator).get(f"/api/v1/analyses/{team.analysis.pk}/training-labels/").json()
    assert [(f["id"], f["properties"]["label"]) for f in data["features"]] == [
        (team.features[0].pk, "crater"), (team.features[2].pk, "ridge")]
    assert data["properties"]["crs"].startswith("IAU_2015:") and "crs" not in {k for k in data if k != "properties"}
    assert api_for(team.cast.stranger).get(f"/api/v1/analyses/{team.analysis.pk}/training-labels/").status_code == 404


def test_viewers_and_strangers_cannot_review(team: Team) -> None:
    services.member_set_role(by=team.cast.owner, project=team.project, user=team.cast.collaborator, role="viewer")
    url = f"/api/v1/features/{team.features[0].pk}/reviews/"
    assert api_for(team.cast.collaborator).post(url, {"action": "reject"}, format="json").status_code == 403
    assert api_for(team.cast.stranger).post(url, {"action": "reject"}, format="json").status_code == 404
    team.features[0].refresh_from_db()
    assert team.features[0].review_status == "unreviewed"
