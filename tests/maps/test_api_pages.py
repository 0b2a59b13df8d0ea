"""GET /api/v1/features/ pages built in PostGIS: the same Features as feature_dict, strict JSON, cursors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from maps import selectors
from maps.filters import FeatureQuery
from maps.serializers import feature_dict, feature_rows
from segmentation.models import Feature
from tests.maps.helpers import analysis_with, api_for

pytestmark = pytest.mark.django_db


def strict(content: bytes) -> Any:
    """Parse ``content`` as JSON, refusing NaN and Infinity (which JSON does not have)."""
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in the JSON")

    return json.loads(content, parse_constant=refuse)


@pytest.fixture
def craters(cast: Any) -> Any:
    return analysis_with(cast.owner, [
        {"class_name": "crater", "lon": i, "lat": i / 2, "diameter_km": 1 + i / 3, "confidence": 0.5 + i / 20,
         "area_km2": 10 * i + 0.1}
        for i in range(7)
    ])


def test_page_holds_what_feature_dict_gives(cast: Any, craters: Any) -> None:
    doc = strict(api_for(cast.owner).get("/api/v1/features/", {"limit": 3, "offset": 2}).content)
    rows = feature_rows(selectors.features_matching(cast.owner, FeatureQuery()))[2:5]
    assert doc["features"] == [feature_dict(r) for r in rows]
    assert doc["numberReturned"] == 3 and doc["numberMatched"] == 7
    assert [f["id"] for f in doc["features"]] == sorted(f["id"] for f in doc["features"])


def test_nan_and_infinite_properties_are_null(cast: Any, craters: Any) -> None:
    first, second = craters.features.order_by("id")[:2]
    Feature.objects.filter(pk=first.pk).update(confidence=float("nan"), diameter_km=float("inf"))
    Feature.objects.filter(pk=second.pk).update(area_km2=float("-inf"), diameter_km=None)
    r = api_for(cast.owner).get("/api/v1/features/", {"limit": 2})
    assert r.status_code == 200
    props = [f["properties"] for f in strict(r.content)["features"]]
    assert props[0]["confidence"] is None and props[0]["diameter_km"] is None
    assert props[1]["area_km2"] is None and props[1]["diameter_km"] is None
    assert props[1]["confidence"] == pytest.approx(0.55)


@pytest.mark.parametrize(("extra", "headers", "content_type"), [
    ({}, {}, "application/geo+json"),
    ({"format": "json"}, {}, "application/json"),
    ({}, {"HTTP_ACCEPT": "application/json"}, "application/json"),
    ({}, {"HTTP_ACCEPT": "application/geo+json"}, "application/geo+json"),
])
def test_content_type_follows_the_renderer(cast: Any, craters: Any, extra: dict[str, str],
                                           headers: dict[str, str], content_type: str) -> None:
    r = api_for(cast.owner).get("/api/v1/features/", {"body": "mars", **extra}, **headers)  # type: ignore[arg-type]
    assert r.status_code == 200 and r["Content-Type"] == content_type
    doc = strict(r.content)
    assert doc["body"] == "Mars" and doc["crs_code"] and len(doc["features"]) == 7


def test_empty_page_is_an_empty_list(cast: Any, craters: Any) -> None:
    doc = strict(api_for(cast.stranger).get("/api/v1/features/").content)
    assert doc["features"] == [] and doc["numberMatched"] == 0 and doc["next"] is None


def feature_ids(doc: dict[str, Any]) -> list[int]:
    return [f["id"] for f in doc["features"]]


def test_next_links_walk_by_cursor_and_previous_links_back(cast: Any, craters: Any) -> None:
    client = api_for(cast.owner)
    every = sorted(craters.features.values_list("id", flat=True))
    first: dict[str, str | int] = {"limit": 2, "class": "crater"}
    pages = [strict(client.get("/api/v1/features/", first).content)]
    while pages[-1]["next"]:
        assert "after=" in pages[-1]["next"] and "offset=" not in pages[-1]["next"]
        assert "class=crater" in pages[-1]["next"]
        pages.append(strict(client.get(pages[-1]["next"]).content))
    assert [feature_ids(p) for p in pages] == [every[0:2], every[2:4], every[4:6], every[6:]]
    assert all(p["numberMatched"] == 7 for p in pages)
    assert pages[0]["previous"] is None
    back = [pages[-1]]
    while back[-1]["previous"]:
        assert "before=" in back[-1]["previous"]
        back.append(strict(client.get(back[-1]["previous"]).content))
    assert [feature_ids(p) for p in back] == [every[6:], every[4:6], every[2:4], every[0:2]]
    # A before= page's next goes forward again by cursor.
    assert feature_ids(strict(client.get(back[2]["next"]).content)) == every[4:6]


def test_offset_is_still_accepted(cast: Any, craters: Any) -> None:
    every = sorted(craters.features.values_list("id", flat=True))
    doc = strict(api_for(cast.owner).get("/api/v1/features/", {"limit": 2, "offset": 2}).content)
    assert feature_ids(doc) == every[2:4]
    assert f"after={every[3]}" in doc["next"] and "offset=0" in doc["previous"]
    deep = strict(api_for(cast.owner).get("/api/v1/features/", {"limit": 3, "after": every[3]}).content)
    assert feature_ids(deep) == every[4:7] and deep["next"] is None
    assert feature_ids(strict(api_for(cast.owner).get("/api/v1/features/", {"offset": 4}).content)) == every[4:]


def test_cursor_never_shows_what_the_user_may_not_see(cast: Any, craters: Any) -> None:
    theirs = analysis_with(cast.stranger, [{"lon": 1, "lat": 1}, {"lon": 2, "lat": 2}])
    doc = strict(api_for(cast.stranger).get("/api/v1/features/", {"after": 0, "limit": 50}).content)
    assert feature_ids(doc) == sorted(theirs.features.values_list("id", flat=True))
    doc = strict(api_for(cast.stranger).get("/api/v1/features/", {"before": 2**62}).content)
    assert feature_ids(doc) == sorted(theirs.features.values_list("id", flat=True))


@pytest.mark.parametrize("params", [
    {"after": "x"}, {"after": "-1"}, {"before": "1.5"}, {"after": str(2**63)}, {"after": "1", "before": "9"},
    {"after": "1", "offset": "3"}, {"before": "\x00"},
])
def test_bad_cursors_are_400(cast: Any, craters: Any, params: dict[str, str]) -> None:
    r = api_for(cast.owner).get("/api/v1/features/", params)
    assert r.status_code == 400 and r.json()["detail"]
