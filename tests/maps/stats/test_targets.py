"""Statistics targets from request data: anything malformed is a 400 with a message, never a server error."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from maps.stats.errors import InvalidTarget
from maps.stats.targets import Target, target_from_dict

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
REGION = {"kind": "region", "body": "mars", "geometry": SQUARE}


def api(user: Any) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def region_token(**fields: Any) -> str:
    raw = json.dumps({"body": "mars", "geometry": SQUARE, **fields}).encode()
    return "region:" + base64.urlsafe_b64encode(raw).decode()


def test_target_from_dict_takes_ids_as_numbers_or_digits() -> None:
    assert target_from_dict({"kind": "analysis", "pk": 12}) == Target(kind="analysis", pk=12)
    assert target_from_dict({"kind": "image", "pk": "7"}) == Target(kind="image", pk=7)
    assert target_from_dict(Target(kind="project", pk=3).as_dict()) == Target(kind="project", pk=3)


@pytest.mark.parametrize("data", [
    [1], 5, "analysis:1", None,
    {"kind": "analysis", "pk": "abc"}, {"kind": "analysis", "pk": [1]}, {"kind": "analysis", "pk": True},
    {"kind": "analysis", "pk": 1.5}, {"kind": "analysis", "pk": {"id": 1}},
])  # fmt: skip
def test_target_from_dict_refuses_malformed_targets(data: Any) -> None:
    with pytest.raises(InvalidTarget):
        target_from_dict(data)


@pytest.mark.parametrize("body", [
    {"target": {"kind": "analysis", "pk": "abc"}},
    {"target": [1]},
    {"target": 5},
    {"target": {"kind": "analysis", "pk": [1]}},
    {"target": {**REGION, "analyses": 5}},
    {"target": {**REGION, "classes": 5}},
    {"target": {**REGION, "min_confidence": "nan"}},
    {"target": {**REGION, "area_km2": "inf"}},
    [1],
    "analysis:1",
])  # fmt: skip
@pytest.mark.django_db
def test_bad_report_requests_are_400(cast: Any, body: Any) -> None:
    r = api(cast.owner).post("/api/v1/stats/reports/", body, format="json")
    assert r.status_code == 400, r.content[:300]
    assert r.json()["detail"]


@pytest.mark.parametrize("body", [
    [1],
    {**REGION, "analyses": 5},
    {**REGION, "classes": 7},
    {**REGION, "min_confidence": "nan"},
    {**REGION, "area_km2": "nan"},
    {**REGION, "area_km2": "1e400"},
])  # fmt: skip
@pytest.mark.django_db
def test_bad_region_requests_are_400(cast: Any, body: Any) -> None:
    r = api(cast.owner).post("/api/v1/stats/region/", body, format="json")
    assert r.status_code == 400, r.content[:300]
    assert r.json()["detail"]


@pytest.mark.parametrize("fields", [{"analyses": 5}, {"classes": 5}, {"min_confidence": "nan"}, {"area_km2": "inf"}])
@pytest.mark.django_db
def test_bad_region_tokens_are_400(cast: Any, fields: dict[str, Any]) -> None:
    r = api(cast.owner).get("/api/v1/stats/", {"target": region_token(**fields)})
    assert r.status_code == 400, r.content[:300]
    assert r.json()["detail"]
