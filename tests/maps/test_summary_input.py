"""GET /api/v1/features/summary/ answers every query the outside fuzzer sent with a 200 or a clear 4xx."""

from __future__ import annotations

import pytest

from tests.collab.conftest import Team, api_for
from tests.collab.conftest import team as team  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
URL = "/api/v1/features/summary/"


def test_no_parameters_summarises_every_visible_feature(team: Team) -> None:
    response = api_for(team.cast.owner).get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == len(team.features)
    assert api_for(team.cast.stranger).get(URL).json()["count"] == 0


def test_an_empty_analysis_filter_is_no_filter(team: Team) -> None:
    response = api_for(team.cast.owner).get(URL, {"analysis": ""})
    assert response.status_code == 200 and response.json()["count"] == len(team.features)


@pytest.mark.parametrize("value", ["false", "NaN", "inf", "0.5.1"])
def test_a_confidence_that_is_not_a_finite_number_is_a_400(team: Team, value: str) -> None:
    response = api_for(team.cast.owner).get(URL, {"confidence_min": value})
    assert response.status_code == 400
    assert "confidence_min" in response.json()["detail"]


@pytest.mark.parametrize("body", ["Unknown body", "krypton"])
def test_an_unknown_body_is_the_same_404_as_the_features_list(team: Team, body: str) -> None:
    client = api_for(team.cast.owner)
    summary = client.get(URL, {"body": body})
    assert summary.status_code == 404 and summary.json()["detail"] == "No such body."
    assert client.get("/api/v1/features/", {"body": body}).status_code == 404
