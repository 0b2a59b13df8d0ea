"""Analyses end to end in the database: start, run, store features, replace, cancel, retry, pages, API."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from PIL import Image

from segmentation import services
from segmentation.models import Analysis, Feature, ModelVersion
from tests.rasters.conftest import api_for
from tests.segmentation.conftest import run_now

pytestmark = pytest.mark.django_db


def _start(user: Any, raster: Any, model_version: ModelVersion, **parameters: Any) -> Analysis:
    return services.analysis_start(user=user, raster=raster, model_version=model_version, parameters=parameters)


def test_start_via_api_answers_202_and_queues(
    cast: Any, make_raster: Any, mars_crop: Path, small_model: ModelVersion
) -> None:
    raster = make_raster(mars_crop)
    response = api_for(cast.owner).post(
        f"/api/v1/rasters/{raster.pk}/analyses/",
        {"model_version": small_model.pk, "tile": 128, "overlap": 16},
        format="json",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    analysis = Analysis.objects.get(pk=body["id"])
    assert (analysis.status, analysis.started_by, analysis.model_version) == ("queued", cast.owner, small_model)
    assert analysis.parameters["tile"] == 128 and analysis.code_version
    detail = api_for(cast.owner).get(f"/api/v1/analyses/{analysis.pk}/").json()
    assert detail["status"] == "queued" and detail["progress"] == 0


def test_start_refusals(cast: Any, make_raster: Any, mars_crop: Path, small_model: ModelVersion) -> None:
    raster = make_raster(mars_crop, process=False)
    client = api_for(cast.owner)
    response = client.post(f"/api/v1/rasters/{raster.pk}/analyses/", {}, format="json")
    assert response.status_code == 409 and "not ready" in response.json()["detail"]
    from rasters import services as raster_services

    raster_services.raster_process(raster.pk)
    assert client.post(f"/api/v1/rasters/{raster.pk}/analyses/", {"tile": 5}, format="json").status_code == 400
    response = client.post(f"/api/v1/rasters/{raster.pk}/analyses/", {"tile": 128, "overlap": 100}, format="json")
    assert response.status_code == 400 and "overlap" in response.json()["detail"]
    assert client.post(f"/api/v1/rasters/{raster.pk}/analyses/", {"tta": 3}, format="json").status_code == 400
    raster.refresh_from_db()
    with pytest.raises(services.AnalysisError, match="1, 2 or 4"):
        _start(cast.owner, raster, small_model, tta=3)
    assert api_for(cast.stranger).post(f"/api/v1/rasters/{raster.pk}/analyses/", {}, format="json").status_code == 404
    assert api_for(None).post(f"/api/v1/rasters/{raster.pk}/analyses/", {}, format="json").status_code in {401, 403}
    assert Analysis.objects.count() == 0


def test_run_stores_features_on_the_body(
    cast: Any, make_raster: Any, mars_crop: Path, small_model: ModelVersion
) -> None:
    raster = make_raster(mars_crop)
    analysis = _start(cast.owner, raster, small_model, tile=128)
    analysis = run_now(analysis)
    assert analysis.status == "done", analysis.error
    assert analysis.progress_done == analysis.progress_total > 0
    assert set(analysis.timings) >= {"load_model", "inference", "postprocess", "store"}
    assert analysis.mask_path.exists() and analysis.confidence_path.exists()
    count = Feature.objects.filter(analysis=analysis).count()
    assert analysis.summary["feature_count"] == count
    if count:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT ST_SRID(geom) FROM segmentation_feature WHERE analysis_id = %s", [analysis.pk]
            )
            assert cursor.fetchall() == [(0,)]
        inside = Feature.objects.filter(analysis=analysis, geom__intersects=raster.footprint).count()
        assert inside == count
        assert Feature.objects.filter(analysis=analysis).first().body.slug == "mars"  # type: ignore[union-attr]


def test_rerun_replaces_features_atomically(
    cast: Any, make_raster: Any, mars_crop: Path, small_model: ModelVersion
) -> None:
    raster = make_raster(mars_crop)
    analysis = run_now(_start(cast.owner, raster, small_model, tile=128))
    first = Feature.objects.filter(analysis=analysis).count()
    Analysis.objects.filter(pk=analysis.pk).update(status="failed")
    assert services.analysis_retry(analysis)
    analysis = run_now(analysis)
    assert analysis.status == "done" and analysis.attempts == 2
    assert Feature.objects.filter(analysis=analysis).count() == first  # replaced, not duplicated


def test_second_model_or_parameters_keep_both(
    cast: Any, make_raster: Any, mars_crop: Path, small_model: ModelVersion
) -> None:
    raster = make_raster(mars_crop)
    a = run_now(_start(cast.owner, raster, small_model, tile=128))
    b = run_now(_start(cast.owner, raster, small_model, tile=256, overlap=32))
    assert a.status == b.status == "done"
    assert Analysis.objects.filter(raster=raster).count() == 2
    assert a.parameters != b.parameters


def test_cancel_queued_and_running(cast: Any, make_raster: Any, mars_crop: Path, small_model: ModelVersion) -> None:
    raster = make_raster(mars_crop)
    queued = services.analysis_start(user=cast.owner, raster=raster, model_version=small_model)
    response = api_for(cast.owner).post(f"/api/v1/analyses/{queued.pk}/cancel/")
    assert response.status_code == 202 and response.json()["status"] == "cancelled"
    assert run_now(queued).status == "cancelled"  # a cancelled job is never claimed
    running = _start(cast.owner, raster, small_model, tile=128)
    Analysis.objects.filter(pk=running.pk).update(status="running", heartbeat_at=None)
    assert services.analysis_cancel(running)
    Analysis.objects.filter(pk=running.pk).update(status="queued")  # the worker picks it up and sees the request
    assert run_now(running).status in {"cancelled", "queued"}
    assert not Feature.objects.filter(analysis=running).exists()
    assert api_for(cast.owner).post(f"/api/v1/analyses/{queued.pk}/retry/").status_code == 202


def test_failure_is_recorded_and_retryable(
    cast: Any, make_raster: Any, mars_crop: Path, small_model: ModelVersion
) -> None:
    raster = make_raster(mars_crop)
    analysis = services.analysis_start(user=cast.owner, raster=raster, model_version=small_model)
    raster.cog_path.rename(raster.cog_path.with_suffix(".moved"))
    analysis = run_now(analysis)
    assert analysis.status == "failed" and analysis.error
    raster.cog_path.with_suffix(".moved").rename(raster.cog_path)
    client = Client()
    client.force_login(cast.owner)
    page = client.get(f"/analyses/{analysis.pk}/").content.decode()
    assert "The analysis failed" in page and "Retry" in page
    client.post(f"/analyses/{analysis.pk}/retry/")
    analysis.refresh_from_db()
    assert analysis.status == "queued"
    assert run_now(analysis).status == "done"


def test_pages_downloads_and_tiles(cast: Any, make_raster: Any, mars_crop: Path, small_model: ModelVersion) -> None:
    raster = make_raster(mars_crop)
    analysis = run_now(_start(cast.owner, raster, small_model, tile=128))
    client = Client()
    client.force_login(cast.owner)
    image_page = client.get(f"/images/{raster.pk}/").content.decode()
    assert f"/analyses/{analysis.pk}/" in image_page and "Start analysis" in image_page
    page = client.get(f"/analyses/{analysis.pk}/").content.decode()
    assert "segmentation/js/analysis.js" in page and 'id="toggle-mask"' in page and "Provenance" in page
    geojson = client.get(f"/analyses/{analysis.pk}/features.geojson").json()
    assert geojson["body"] == "Mars" and geojson["model_version"] == small_model.label
    assert len(geojson["features"]) == analysis.summary["feature_count"]
    mask = client.get(f"/analyses/{analysis.pk}/mask.tif")
    assert mask.status_code == 200 and isinstance(mask, StreamingHttpResponse)
    assert mask.getvalue()[:2] in {b"II", b"MM"}
    tile = api_for(cast.owner).get(f"/api/v1/analyses/{analysis.pk}/mask/2/4/1.png")
    assert tile.status_code == 200
    assert Image.open(io.BytesIO(tile.content)).mode in {"RGBA", "P", "LA"}
    for who in (cast.collaborator, cast.stranger):
        other = Client()
        other.force_login(who)
        assert other.get(f"/analyses/{analysis.pk}/").status_code == 404
        assert other.get(f"/analyses/{analysis.pk}/features.geojson").status_code == 404
        assert other.get(f"/analyses/{analysis.pk}/mask.tif").status_code == 404
        assert api_for(who).get(f"/api/v1/analyses/{analysis.pk}/").status_code == 404
        assert api_for(who).get(f"/api/v1/analyses/{analysis.pk}/mask/2/4/1.png").status_code == 404
        assert api_for(who).get("/api/v1/analyses/").json()["count"] == 0


def test_plain_image_analysis_in_pixels(
    cast: Any, make_raster: Any, shared_data: Path, small_model: ModelVersion
) -> None:
    nac = sorted((shared_data / "moon-nac-craters").glob("*.png"))[0]
    raster = make_raster(nac, body_slug="moon")
    analysis = run_now(_start(cast.owner, raster, small_model, tile=256))
    assert analysis.status == "done", analysis.error
    assert not Feature.objects.filter(analysis=analysis, geom__isnull=False).exists()
    client = Client()
    client.force_login(cast.owner)
    pixel = client.get(f"/analyses/{analysis.pk}/features.geojson?space=pixel").json()
    assert pixel["coordinates"] == "pixel"
    tile = api_for(cast.owner).get(f"/api/v1/analyses/{analysis.pk}/mask/0/0/0.png")  # pixel-space mask tile
    assert tile.status_code == 200
    assert Image.open(io.BytesIO(tile.content)).size == (256, 256)
    assert api_for(cast.owner).get(f"/api/v1/analyses/{analysis.pk}/mask/0/9/9.png").status_code == 404


def test_model_registry_registers_shipped_weights(
    tmp_path: Path, small_checkpoint: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    for path in (small_checkpoint, small_checkpoint.with_suffix(".json")):
        shutil.copy(path, tmp_path / path.name)
    registered = services.model_versions_sync(tmp_path)
    assert len(registered) == 1 and registered[0].name == "test-unet"
    assert registered[0].weights_sha256 == services._sha256(small_checkpoint)

    def no_rehash(path: Path) -> str:
        raise AssertionError(f"{path.name} was hashed again")

    monkeypatch.setattr(services, "_sha256", no_rehash)
    services.model_versions_sync(tmp_path)  # idempotent, and a registered file is not read again
    assert ModelVersion.objects.filter(name="test-unet").count() == 1
    assert services.default_model_version() == registered[0]


def test_test_time_augmentation_is_a_parameter(
    cast: Any, make_raster: Any, mars_crop: Path, small_model: ModelVersion
) -> None:
    import rasterio

    raster = make_raster(mars_crop)
    plain = run_now(_start(cast.owner, raster, small_model, tile=128, tta=1))
    mirrored = run_now(_start(cast.owner, raster, small_model, tile=128, tta=4))
    assert plain.status == mirrored.status == "done" and mirrored.parameters["tta"] == 4
    with rasterio.open(plain.confidence_path) as a, rasterio.open(mirrored.confidence_path) as b:
        assert not (a.read(1) == b.read(1)).all()  # the small model is not mirror-symmetric: passes were averaged


def test_the_crater_second_view_is_a_parameter(
    cast: Any, make_raster: Any, mars_crop: Path, small_model: ModelVersion
) -> None:
    raster = make_raster(mars_crop)
    on = run_now(_start(cast.owner, raster, small_model, tile=128))
    off = run_now(_start(cast.owner, raster, small_model, tile=128, contrast_view=False))
    assert on.status == off.status == "done"
    assert on.parameters["contrast_view"] is True and off.parameters["contrast_view"] is False
    assert on.crater_view_path.exists() and not off.crater_view_path.exists()
    craters_off = Feature.objects.filter(analysis=off, class_name="crater").count()
    # a retry without the view must not pick up the file of an earlier run
    Analysis.objects.filter(pk=on.pk).update(status="failed", parameters={**on.parameters, "contrast_view": False})
    on.refresh_from_db()
    assert services.analysis_retry(on)
    on = run_now(on)
    assert not on.crater_view_path.exists()
    assert Feature.objects.filter(analysis=on, class_name="crater").count() == craters_off
    client = api_for(cast.owner)
    response = client.post(f"/api/v1/rasters/{raster.pk}/analyses/", {"contrast_view": "maybe"}, format="json")
    assert response.status_code == 400 and "contrast_view" in response.json()
    for bad in (2, 0.5, -1, "maybe", [1]):
        with pytest.raises(services.AnalysisError, match="contrast_view"):
            _start(cast.owner, raster, small_model, contrast_view=bad)
    for text, flag in (("true", True), ("False", False), ("1", True), (0, False)):
        assert _start(cast.owner, raster, small_model, contrast_view=text).parameters["contrast_view"] is flag
    # an analysis stored before the parameter existed keeps running without the view when retried
    legacy = _start(cast.owner, raster, small_model, tile=128)
    params = {k: v for k, v in legacy.parameters.items() if k != "contrast_view"}
    Analysis.objects.filter(pk=legacy.pk).update(parameters=params)
    assert not run_now(legacy).crater_view_path.exists()
    response = client.post(f"/api/v1/rasters/{raster.pk}/analyses/", {"contrast_view": False}, format="json")
    assert response.status_code == 202 and response.json()["parameters"]["contrast_view"] is False
