"""GET /api/v1/features/: GeoJSON, every filter, pagination, auth and visibility."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from tests.maps.helpers import analysis_with, api_for, robbins_analysis, robbins_lonlat

pytestmark = pytest.mark.django_db


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {f["id"] for f in response.json()["features"]}


@pytest.fixture
def small(cast: Any) -> dict[str, Any]:
    """Owner's image with five features; a stranger's image with one."""
    a = analysis_with(cast.owner, [
        {"class_name": "crater", "lon": 10, "lat": 5, "diameter_km": 5, "confidence": 0.95, "area_km2": 20},
        {"class_name": "crater", "lon": 20, "lat": 10, "diameter_km": 50, "confidence": 0.6, "area_km2": 2000},
        {"class_name": "valley", "lon": 30, "lat": 20, "confidence": 0.8, "area_km2": 300},
        {"class_name": "ridge", "lon": 12, "lat": 6, "confidence": 0.7, "area_km2": 50, "reviewed_class": "valley",
         "review_status": "relabelled"},
        {"class_name": "crater", "lon": 11, "lat": 5, "diameter_km": 8, "review_status": "rejected"},
    ])
    other = analysis_with(cast.stranger, [{"class_name": "crater", "lon": 10, "lat": 5}])
    feats = list(a.features.order_by("id"))
    return {"analysis": a, "f": feats, "other": other}


def test_feature_collection_properties(cast: Any, small: dict[str, Any]) -> None:
    r = api_for(cast.owner).get("/api/v1/features/")
    doc = r.json()
    assert r["Content-Type"].startswith("application/geo+json")
    assert doc["type"] == "FeatureCollection" and doc["numberMatched"] == 4  # rejected one out
    f = next(x for x in doc["features"] if x["id"] == small["f"][3].pk)
    assert f["geometry"]["type"] == "Polygon"
    assert f["properties"]["body"] == "Mars"
    assert f["properties"]["effective_class"] == "valley" and f["properties"]["class_name"] == "ridge"
    assert f["properties"]["review_status"] == "relabelled"
    assert f["properties"]["raster"] == small["analysis"].raster_id
    assert f["properties"]["analysis"] == small["analysis"].pk


@pytest.mark.parametrize(("params", "expected"), [
    ({"class": "crater"}, [0, 1]),
    ({"class": "valley"}, [2, 3]),
    ({"class": "crater,ridge"}, [0, 1]),
    ({"confidence_min": "0.75"}, [0, 2]),
    ({"confidence_max": "0.75"}, [1, 3]),
    ({"diameter_min": "10"}, [1]),
    ({"diameter_max": "10"}, [0]),
    ({"area_min": "100", "area_max": "1000"}, [2]),
    ({"body": "mars", "bbox": "9,4,13,7"}, [0, 3]),
    ({"body": "mars", "intersects": "POLYGON((15 5, 25 5, 25 15, 15 15, 15 5))"}, [1]),
    ({"body": "mars", "intersects": json.dumps(
        {"type": "Polygon", "coordinates": [[[15, 5], [25, 5], [25, 15], [15, 15], [15, 5]]]})}, [1]),
    ({"include_rejected": "true", "class": "crater"}, [0, 1, 4]),
    ({"review_status": "rejected"}, [4]),
    ({"body": "moon"}, []),
])
def test_filters(cast: Any, small: dict[str, Any], params: dict[str, str], expected: list[int]) -> None:
    got = ids(api_for(cast.owner).get("/api/v1/features/", params))
    assert got == {small["f"][i].pk for i in expected}


def test_raster_analysis_and_project_filters(cast: Any, small: dict[str, Any]) -> None:
    second = analysis_with(cast.owner, [{"lon": 50, "lat": 0}])
    client = api_for(cast.owner)
    assert ids(client.get("/api/v1/features/", {"analysis": second.pk})) == {second.features.get().pk}
    by_raster = ids(client.get("/api/v1/features/", {"raster": small["analysis"].raster_id}))
    assert by_raster == {f.pk for f in small["f"][:4]}
    # Someone else's analysis id filters to nothing rather than leaking it.
    assert ids(client.get("/api/v1/features/", {"analysis": small["other"].pk})) == set()
    from collab.models import Project

    project = Project.objects.create(name="Arabia", created_by=cast.owner)
    type(second.raster).objects.filter(pk=second.raster_id).update(project=project)
    assert ids(client.get("/api/v1/features/", {"project": project.pk})) == {second.features.get().pk}


@pytest.mark.parametrize("params", [
    {"bbox": "1,2,3"}, {"bbox": "0,0,10,10"}, {"body": "mars", "bbox": "0,10,10,0"}, {"confidence_min": "high"},
    {"body": "mars", "bbox": "-200,0,200,10"}, {"body": "mars", "bbox": "0,0,400,10"},
    {"diameter_min": "5", "diameter_max": "1"}, {"body": "mars", "intersects": "POLYGON((0 0"}, {"analysis": "x"},
    {"limit": "many"}, {"offset": "1.5"}, {"offset": "99999999999999999999"},
    {"body": "mars", "intersects": '{"type": "FeatureCollection", "features": 5}'},
    {"body": "mars", "intersects": '{"type": "FeatureCollection", "features": {"a": 1}}'},
    {"body": "mars", "intersects": '{"type": "Polygon", "coordinates": "x"}'},
    {"body": "mars", "intersects": "POINT(nan 0)"}, {"body": "mars", "intersects": "POLYGON((0 0, nan 1, 1 1, 0 0))"},
])
def test_bad_filters_are_400(cast: Any, params: dict[str, str]) -> None:
    r = api_for(cast.owner).get("/api/v1/features/", params)
    assert r.status_code == 400 and r.json()["detail"]


def test_pagination_next_links(cast: Any) -> None:
    analysis_with(cast.owner, [{"lon": i, "lat": 0} for i in range(5)])
    client = api_for(cast.owner)
    first = client.get("/api/v1/features/", {"limit": 2}).json()
    assert first["numberMatched"] == 5 and first["numberReturned"] == 2 and first["previous"] is None
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert third["next"] is None and third["numberReturned"] == 1
    seen = [f["id"] for page in (first, second, third) for f in page["features"]]
    assert len(set(seen)) == 5


def test_visibility_token_and_session(cast: Any, small: dict[str, Any], client: Any) -> None:
    assert api_for(None).get("/api/v1/features/").status_code in {401, 403}
    assert ids(api_for(cast.stranger, token=True).get("/api/v1/features/")) == {small["other"].features.get().pk}
    assert ids(api_for(cast.collaborator).get("/api/v1/features/")) == set()
    client.force_login(cast.owner)
    assert len(ids(client.get("/api/v1/features/"))) == 4
    pk = small["f"][0].pk
    assert api_for(cast.owner).get(f"/api/v1/features/{pk}/").json()["properties"]["body"] == "Mars"
    assert api_for(cast.stranger).get(f"/api/v1/features/{pk}/").status_code == 404


def test_summary_of_a_region(cast: Any, small: dict[str, Any]) -> None:
    r = api_for(cast.owner).get("/api/v1/features/summary/", {"body": "mars", "bbox": "0,0,40,30"})
    doc = r.json()
    assert doc["count"] == 4 and doc["body"] == "Mars"
    by_class = {c["class_name"]: c["count"] for c in doc["classes"]}
    assert by_class == {"crater": 2, "valley": 2}
    # R² Δλ (sin φ2 - sin φ1) on Mars' sphere (R = 3396.19 km), not Earth's.
    assert doc["region_area_km2"] == pytest.approx(3396.19**2 * math.radians(40) * math.sin(math.radians(30)), rel=2e-3)
    assert doc["share_url"].startswith("/map/mars/?") and "bbox=" in doc["share_url"]
    assert api_for(cast.stranger).get("/api/v1/features/summary/", {"body": "mars"}).json()["count"] == 1


@pytest.mark.slow
def test_real_craters_bbox_and_diameter(cast: Any) -> None:
    robbins_analysis(cast.owner)
    craters = robbins_lonlat()
    client = api_for(cast.owner)
    bbox = (20.0, 0.0, 40.0, 20.0)
    params: dict[str, str | int] = {"body": "mars", "bbox": ",".join(map(str, bbox)), "diameter_min": 20,
                                    "limit": 10000, "include_rejected": "true"}
    doc = client.get("/api/v1/features/", params).json()
    inside = [(d, lon, lat) for _, d, lon, lat in craters if bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]]
    expected = sum(1 for d, _, _ in inside if d >= 20)
    # Polygons touching the box count too, so the polygon count is at least the centre count.
    assert expected <= doc["numberMatched"] <= expected * 1.2 and expected > 10
    assert all(f["properties"]["diameter_km"] >= 20 for f in doc["features"])


@pytest.mark.parametrize("bbox", ["175,-5,-175,5", "175,-5,185,5", "-185,-5,-175,5"])
def test_bbox_across_the_antimeridian(cast: Any, bbox: str) -> None:
    # stored longitudes run -180..180: a box across 180 (OGC's minlon > maxlon, or longitudes past 180) is cut
    analysis_with(cast.owner, [{"lon": 178, "lat": 0, "diameter_km": 10}, {"lon": -178, "lat": 0, "diameter_km": 10},
                               {"lon": 170, "lat": 0, "diameter_km": 10}], bbox=(-180, -10, 180, 10))
    client = api_for(cast.owner)
    doc = client.get("/api/v1/features/summary/", {"body": "mars", "bbox": bbox}).json()
    assert doc["count"] == 2
    ten_degrees = (3396.19**2) * math.radians(10) * 2 * math.sin(math.radians(5))
    assert doc["region_area_km2"] == pytest.approx(ten_degrees, rel=1e-3)
    lons = sorted(round(f["properties"]["center_lon"]) for f in
                  client.get("/api/v1/features/", {"body": "mars", "bbox": bbox}).json()["features"])
    assert lons == [-178, 178]


def test_bbox_in_0_to_360_east(cast: Any) -> None:
    analysis_with(cast.owner, [{"lon": -15, "lat": 5, "diameter_km": 10}], bbox=(-40, -10, 0, 10))
    assert api_for(cast.owner).get("/api/v1/features/summary/", {"body": "mars", "bbox": "340,0,350,10"}).json()[
        "count"] == 1
