"""Craters digitised by hand: measured on the image's body, stored in its manual count, access-checked, and then
reviewed, counted and exported like detected ones."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pyproj
import pytest
from rest_framework.test import APIClient

from collab import services as collab
from segmentation.models import MANUAL_MODEL_KEY, Analysis, Feature
from tests.factories import UserFactory, make_analysis, make_features

MARS_R = 3_396_190.0
MOON_R = 1_737_400.0


def api(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def rim(lon: float, lat: float, radius_km: float, sphere_r: float) -> list[list[float]]:
    geod = pyproj.Geod(a=sphere_r, b=sphere_r)
    return [list(geod.fwd(lon, lat, az, radius_km * 1000)[:2]) for az in (20.0, 140.0, 275.0)]


def text_of(response: Any) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def url(raster: Any) -> str:
    return f"/api/v1/rasters/{raster.pk}/manual-craters/"


@pytest.fixture
def mars(cast: Any, make_raster: Any, shared_data: Path) -> Any:
    """The MOLA global mosaic in a project: carlos edits, vera views, sam is a stranger."""
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif")
    project = collab.project_create(owner=cast.owner, name="Crater counting")
    collab.invitation_accept(user=cast.collaborator, invitation=collab.invitation_create(
        project=project, by=cast.owner, who=cast.collaborator.username, role="editor"))
    viewer = UserFactory(username="vera")
    collab.invitation_accept(user=viewer, invitation=collab.invitation_create(
        project=project, by=cast.owner, who="vera", role="viewer"))
    collab.raster_share_settings(by=cast.owner, raster=raster, project=project, visibility="project")
    raster.refresh_from_db()
    return raster


def test_owner_and_editor_add_to_one_manual_count(cast: Any, mars: Any) -> None:
    r = api(cast.owner).post(url(mars), {"body": "mars", "method": "rim", "rim": rim(30.0, 10.0, 25.0, MARS_R)},
                             format="json")
    assert r.status_code == 201, r.content
    first = r.json()
    assert first["diameter_km"] == pytest.approx(50.0, rel=1e-9)
    assert (first["center_lon"], first["center_lat"]) == (pytest.approx(30.0), pytest.approx(10.0))
    assert first["area_km2"] == pytest.approx(2 * math.pi * (MARS_R / 1000) ** 2 * (1 - math.cos(25_000 / MARS_R)))
    count = Analysis.objects.get(pk=first["analysis"])
    assert count.kind == Analysis.Kind.MANUAL and count.status == Analysis.Status.DONE
    assert count.model_version.weights_sha256 == MANUAL_MODEL_KEY and count.raster_id == mars.pk
    assert count.raster.project is not None  # the count belongs to the image's project

    r2 = api(cast.collaborator).post(url(mars), {"body": "mars", "method": "centre", "centre": [-100.0, -20.0],
                                                  "radius_km": 7.5}, format="json")
    assert r2.status_code == 201, r2.content
    assert r2.json()["analysis"] == count.pk and r2.json()["diameter_km"] == pytest.approx(15.0)
    assert count.features.count() == 2
    count.refresh_from_db()
    assert count.summary["feature_count"] == 2

    feature = Feature.objects.get(pk=first["id"])
    assert feature.body == mars.body and feature.class_name == "crater" and feature.confidence == 1.0
    # The stored outline is the small circle: its area on the sphere is the cap's, less the 0.16 % a 64-gon
    # inscribed in a circle misses (64 sin(2 pi / 64) / 2 pi).
    from shapely import wkb

    from rasters.core.geodesy import polygon_area_km2
    assert feature.geom is not None and feature.center_x_px is not None and feature.center_y_px is not None
    outline = wkb.loads(bytes(feature.geom.wkb))
    inscribed = 64 * math.sin(2 * math.pi / 64) / (2 * math.pi)
    assert polygon_area_km2(outline, MARS_R, edges="geodesic") == pytest.approx(first["area_km2"] * inscribed,
                                                                                rel=1e-5)
    # Pixels: the global mosaic's square pixels in degrees, as many across the crater as along a meridian.
    px_km = mars.resolution_m / 1000
    assert feature.diameter_px == pytest.approx(50.0 / px_km, rel=0.05)
    assert 0 <= feature.center_x_px <= mars.width and 0 <= feature.center_y_px <= mars.height


def test_moon_crater_from_three_rim_points(cast: Any, make_raster: Any, shared_data: Path) -> None:
    moon = make_raster(shared_data / "moon" / "moon_wac_global_IAU2015-30100.tif")
    r = api(cast.owner).post(url(moon), {"body": "moon", "method": "rim", "rim": rim(-45.0, 62.0, 40.0, MOON_R)},
                             format="json")
    assert r.status_code == 201, r.content
    assert r.json()["diameter_km"] == pytest.approx(80.0, rel=1e-9)
    assert r.json()["center_lat"] == pytest.approx(62.0)
    # Mars' radius would have been wrong by the ratio of the radii; check the crater is on the Moon's.
    assert r.json()["body"] == "moon"


def test_projected_image_places_the_crater_on_its_pixels(cast: Any, make_raster: Any, shared_data: Path) -> None:
    """The Arabia crop is equirectangular (IAU 49910), 20 km pixels: a 200 km crater is 10 pixels across."""
    arabia = make_raster(shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif")
    fp = arabia.footprint.centroid
    r = api(cast.owner).post(url(arabia), {"body": "mars", "method": "centre", "centre": [fp.x, fp.y],
                                           "radius_km": 100.0}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["diameter_px"] == pytest.approx(200.0 / 20.0, rel=0.05)
    f = Feature.objects.get(pk=r.json()["id"])
    assert f.center_x_px == pytest.approx(arabia.width / 2, abs=1) and f.center_y_px == pytest.approx(
        arabia.height / 2, abs=1)
    # A centre off the image is not counted on it.
    off = api(cast.owner).post(url(arabia), {"body": "mars", "method": "centre", "centre": [fp.x + 120, fp.y],
                                             "radius_km": 10.0}, format="json")
    assert off.status_code == 400 and "outside the image" in off.json()["detail"]


def test_who_may_add(cast: Any, mars: Any) -> None:
    payload = {"body": "mars", "method": "centre", "centre": [10.0, 5.0], "radius_km": 3.0}
    viewer = mars.project.memberships.get(role="viewer").user
    assert api(cast.stranger).post(url(mars), payload, format="json").status_code == 404
    assert api(viewer).post(url(mars), payload, format="json").status_code == 404
    assert api(None).post(url(mars), payload, format="json").status_code in (401, 403)
    # The stranger learns nothing from bad input either: the image is not theirs to see.
    assert api(cast.stranger).post(url(mars), {"body": "x"}, format="json").status_code == 404
    assert api(cast.stranger).post("/api/v1/rasters/999999/manual-craters/", payload, format="json").status_code == 404
    assert not Analysis.objects.filter(kind=Analysis.Kind.MANUAL).exists()
    # A private image of the owner is not the editor's to count on.
    collab.raster_share_settings(by=cast.owner, raster=mars, project=mars.project, visibility="private")
    assert api(cast.collaborator).post(url(mars), payload, format="json").status_code == 404
    assert api(cast.owner).post(url(mars), payload, format="json").status_code == 201


@pytest.mark.parametrize(("payload", "fragment"), [
    ({"method": "centre", "centre": [10, 5], "radius_km": 0}, "positive"),
    ({"method": "centre", "centre": [10, 5], "radius_km": -1}, "positive"),
    ({"method": "centre", "centre": [10, 5], "radius_km": "NaN"}, "valid number"),
    ({"method": "centre", "centre": [10, 5], "radius_km": "Infinity"}, "valid number"),
    ({"method": "centre", "centre": [10, 5], "radius_km": 5000}, "not a crater"),
    ({"method": "centre", "centre": [10, 5]}, "positive"),
    ({"method": "centre", "centre": ["NaN", 5], "radius_km": 1}, "valid number"),
    ({"method": "centre", "centre": [1e308, 5], "radius_km": 1}, "longitude"),
    ({"method": "centre", "centre": [10, 95], "radius_km": 1}, "latitude"),
    ({"method": "centre", "centre": [10], "radius_km": 1}, "centre"),
    ({"method": "rim", "rim": [[0, 0], [1, 0], [2, 0]]}, "one line"),
    ({"method": "rim", "rim": [[0, 0], [0, 0], [1, 1]]}, "same point"),
    ({"method": "rim", "rim": [[0, 0], [1, 1]]}, "rim"),
    ({"method": "rim"}, "three rim points"),
    ({"method": "lasso", "centre": [10, 5], "radius_km": 1}, "method"),
    ({"method": "centre", "centre": [10, 5], "radius_km": 1, "body": "moon"}, "not on “moon”"),
    ({"method": "centre", "centre": [10, 5], "radius_km": 1, "body": "Unknown body"}, "body"),
])
def test_bad_input_is_a_clear_400(cast: Any, mars: Any, payload: dict[str, Any], fragment: str) -> None:
    r = api(cast.owner).post(url(mars), {"body": "mars", **payload}, format="json")
    assert r.status_code == 400, r.content
    assert fragment in str(r.json())
    assert not Feature.objects.filter(raster=mars).exists()


def test_manual_count_is_reviewed_counted_and_exported(cast: Any, mars: Any) -> None:
    detection = make_analysis(mars, cast.owner)
    make_features(detection, [{"class_name": "crater", "lon": 10, "lat": 5, "diameter_km": 30.0}])
    owner = api(cast.owner)
    # Craters of 2-16 km around 30 E, 10 N: a production-function-like spread for an age fit.
    ids = []
    for i, d in enumerate([2.0, 2.5, 3.0, 3.0, 4.0, 5.0, 6.0, 8.0, 11.0, 16.0]):
        r = owner.post(url(mars), {"body": "mars", "method": "rim", "rim": rim(20.0 + 2 * i, 10.0, d / 2, MARS_R)},
                       format="json")
        assert r.status_code == 201, r.content
        ids.append(r.json()["id"])
    count_id = Feature.objects.get(pk=ids[0]).analysis_id

    # Reviewed like a detection: a rejected crater leaves the count.
    review = owner.post(f"/api/v1/features/{ids[-1]}/reviews/", {"action": "reject"}, format="json")
    assert review.status_code in (200, 201), review.content

    stats = owner.get(f"/api/v1/stats/analyses/{count_id}/", {"d_min": 2, "d_max": 12})
    assert stats.status_code == 200, stats.content
    assert stats.json()["csfd"]["n_craters"] == 9
    fit = stats.json()["csfd"]["fit"]
    assert fit["system"].startswith("Mars") and fit["age_ga"] > 0

    # The image's default count stays its newest detection; the manual count is counted when named.
    default = owner.get(f"/api/v1/stats/images/{mars.pk}/").json()
    assert default["csfd"]["n_craters"] == 1
    scc = owner.get("/api/v1/features/export/", {"analysis": str(count_id), "format": "scc"})
    assert scc.status_code == 200
    text = text_of(scc)
    rows = text.split("crater = {diam,fraction,lon,lat")[1].split("}")[0].split()
    diameters = sorted(float(v) for v in rows[0::4])
    assert diameters == pytest.approx([2.0, 2.5, 3.0, 3.0, 4.0, 5.0, 6.0, 8.0, 11.0])  # the rejected 16 km is out
    csv = owner.get("/api/v1/features/export/", {"analysis": str(count_id), "format": "csv"})
    body = text_of(csv)
    assert len([line for line in body.splitlines()[1:] if line.strip()]) == 9

    # The image's manual count is listed among its analyses as such, and the stranger sees none of it.
    listed = {a["id"]: a["kind"] for a in owner.get(f"/api/v1/rasters/{mars.pk}/analyses/").json()}
    assert listed[count_id] == "manual" and listed[detection.pk] == "detection"
    assert api(cast.stranger).get(f"/api/v1/stats/analyses/{count_id}/").status_code == 404


def test_manual_version_is_not_offered_for_inference(cast: Any, mars: Any) -> None:
    api(cast.owner).post(url(mars), {"body": "mars", "method": "centre", "centre": [10, 5], "radius_km": 3},
                         format="json")
    models = api(cast.owner).get("/api/v1/models/").json()
    rows = models["results"] if isinstance(models, dict) else models
    assert MANUAL_MODEL_KEY not in {m["weights_sha256"] for m in rows}
    from segmentation.models import ModelVersion
    manual = ModelVersion.objects.get(weights_sha256=MANUAL_MODEL_KEY)
    r = api(cast.owner).post(f"/api/v1/rasters/{mars.pk}/analyses/", {"model_version": manual.pk}, format="json")
    assert r.status_code == 400
