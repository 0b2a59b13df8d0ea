"""Statistics honour reviews end to end (DB rows -> API), and every route goes through visibility."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from maps.stats.targets import Target, region_target
from tests.factories import make_analysis, make_features


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def reviewed(mars_raster: Any, cast: Any) -> Any:
    analysis = make_analysis(mars_raster, cast.owner)
    make_features(
        analysis,
        [
            {"class_name": "crater", "diameter_km": 10.0, "area_km2": 80.0, "confidence": 0.9},
            {"class_name": "crater", "diameter_km": 12.0, "area_km2": 110.0, "confidence": 0.8},
            # rejected: out of every number
            {"class_name": "crater", "diameter_km": 50.0, "area_km2": 2000.0, "review_status": "rejected"},
            # relabelled crater -> ridge: counts as a ridge, not in the CSFD
            {"class_name": "crater", "diameter_km": 30.0, "area_km2": 700.0, "review_status": "relabelled",
             "reviewed_class": "ridge"},
            # relabelled ridge -> crater: a crater now
            {"class_name": "ridge", "area_km2": 5.0, "review_status": "relabelled", "reviewed_class": "crater"},
            {"class_name": "valley", "length_km": 40.0, "orientation_deg": 30.0, "area_km2": 20.0},
            {"class_name": "ridge", "length_km": 60.0, "orientation_deg": 100.0, "area_km2": 15.0},
        ],
    )
    return analysis


def test_reviews_are_honoured_end_to_end(cast: Any, reviewed: Any) -> None:
    r = api(cast.owner).get(f"/api/v1/stats/analyses/{reviewed.pk}/")
    assert r.status_code == 200, r.content
    body = r.json()
    st = body["stats"]
    assert st["n_features"] == 6 and st["n_rejected"] == 1
    by = {c["class_name"]: c for c in st["classes"]}
    assert by["crater"]["count"] == 3  # two craters + the ridge relabelled as crater
    assert by["ridge"]["count"] == 2  # one ridge + the crater relabelled as ridge
    assert by["crater"]["area_km2"] == pytest.approx(80 + 110 + 5)
    area = reviewed.raster.footprint_area_km2
    assert body["area_km2"] == pytest.approx(area)
    assert by["ridge"]["area_fraction"] == pytest.approx((700 + 15) / area)
    assert by["crater"]["density_per_km2"] == pytest.approx(3 / area)
    # CSFD: the relabelled-to-crater feature has no diameter, so two craters (10 and 12 km), never the 50 km one
    assert body["csfd"]["n_craters"] == 2
    assert max(body["csfd"]["series"]["cumulative"]["d"]) < 50
    assert sum(st["diameter_histogram"]["counts"]) == 2
    assert sum(st["orientation_rose"]["counts"]) == 2
    assert {x["class_name"] for x in st["lengths"]} == {"ridge", "valley"}


def test_visibility_and_404s(cast: Any, reviewed: Any) -> None:
    for user in (cast.collaborator, cast.stranger):
        assert api(user).get(f"/api/v1/stats/analyses/{reviewed.pk}/").status_code == 404
        assert api(user).get(f"/api/v1/stats/images/{reviewed.raster_id}/").status_code == 404
        assert api(user).get(f"/api/v1/stats/?target=analysis:{reviewed.pk}").status_code == 404
    assert APIClient().get(f"/api/v1/stats/analyses/{reviewed.pk}/").status_code in (401, 403)
    # A region over the features counts nothing for someone who cannot see the image.
    geometry = {"type": "Polygon", "coordinates": [[[0, 0], [20, 0], [20, 10], [0, 10], [0, 0]]]}
    seen = api(cast.owner).post("/api/v1/stats/region/", {"body": "mars", "geometry": geometry}, format="json")
    hidden = api(cast.stranger).post("/api/v1/stats/region/", {"body": "mars", "geometry": geometry}, format="json")
    assert seen.status_code == hidden.status_code == 200
    assert seen.json()["stats"]["n_features"] == 6 and hidden.json()["stats"]["n_features"] == 0


def test_image_and_token_and_systems(cast: Any, reviewed: Any) -> None:
    client = api(cast.owner)
    img = client.get(f"/api/v1/stats/images/{reviewed.raster_id}/").json()
    assert img["analyses"] == [reviewed.pk] and img["stats"]["n_features"] == 6
    systems = client.get("/api/v1/stats/systems/?body=mars").json()
    assert [s["name"] for s in systems][0] == "Mars, Neukum-Ivanov (2001)"
    assert "Moon, Neukum (1983)" in [s["name"] for s in client.get("/api/v1/stats/systems/?body=Moon").json()]
    region = region_target({"body": "mars", "geometry": {"type": "Polygon", "coordinates": [
        [[9, 4], [11, 4], [11, 6], [9, 6], [9, 4]]]}, "classes": "crater"})  # fmt: skip
    r = client.get("/api/v1/stats/", {"target": region.token()})
    assert r.status_code == 200 and [c["class_name"] for c in r.json()["stats"]["classes"]] == ["crater"]
    cmp = client.get("/api/v1/stats/compare/", {"a": f"analysis:{reviewed.pk}", "b": region.token()}).json()
    assert cmp["a"]["stats"]["n_features"] == 6 and cmp["b"]["area_km2"] < cmp["a"]["area_km2"]
    assert Target(kind="image", pk=reviewed.raster_id).token() == f"image:{reviewed.raster_id}"


@pytest.mark.parametrize(
    "query",
    [
        {"target": "nonsense"},
        {"target": "region:!!!"},
        {"target": "analysis:1", "d_min": "-1", "d_max": "2"},
        {"target": "analysis:1", "d_min": "3", "d_max": "2"},
        {"target": "analysis:1", "method": "magic"},
    ],
)
def test_bad_input_is_400(cast: Any, reviewed: Any, query: dict[str, str]) -> None:
    if query["target"] == "analysis:1":
        query = {**query, "target": f"analysis:{reviewed.pk}"}
    r = api(cast.owner).get("/api/v1/stats/", query)
    assert r.status_code == 400 and r.json()["detail"]


def test_bad_region_is_400(cast: Any) -> None:
    client = api(cast.owner)
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    assert client.post("/api/v1/stats/region/", {"body": "mars", "geometry": bowtie}, format="json").status_code == 400
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    vulcan = client.post("/api/v1/stats/region/", {"body": "vulcan", "geometry": square}, format="json")
    assert vulcan.status_code == 400
    assert client.post("/api/v1/stats/region/", {"body": "mars", "geometry": "x"}, format="json").status_code == 400


def test_age_fit_through_api(cast: Any, reviewed: Any) -> None:
    r = api(cast.owner).get(f"/api/v1/stats/analyses/{reviewed.pk}/", {"d_min": 5, "d_max": 20})
    fit = r.json()["csfd"]["fit"]
    assert fit["system"] == "Mars, Neukum-Ivanov (2001)" and fit["age_ga"] > 0
    assert fit["age_lower_ga"] < fit["age_ga"] < fit["age_upper_ga"]
    assert r.json()["csfd"]["isochrons"]["cumulative"]["d"]
    bad = api(cast.owner).get(f"/api/v1/stats/analyses/{reviewed.pk}/", {"system": "Moon, Neukum (1983)"})
    assert bad.status_code == 400
