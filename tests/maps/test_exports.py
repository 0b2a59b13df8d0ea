"""Exports on the real Robbins craters: streamed GeoJSON, GeoPackage and Shapefile read back by GDAL with Mars'
IAU CRS, CSV, craterstats .scc round trip, large exports as jobs, and visibility."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.http import StreamingHttpResponse

from maps import services
from maps.core.scc import parse_scc
from maps.models import ExportJob
from tests.maps.gdal import feature_count, ogrinfo
from tests.maps.helpers import analysis_with, api_for, media, robbins_analysis  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
REGION: dict[str, str | int] = {"body": "mars", "bbox": "20,0,40,20"}


@pytest.fixture
def robbins(cast: Any, media: Path) -> Any:  # noqa: F811
    return robbins_analysis(cast.owner)


def body(response: Any) -> bytes:
    assert response.status_code == 200, getattr(response, "content", b"")[:500]
    return b"".join(response.streaming_content) if response.streaming else response.content


def expected_count(analysis: Any, **filters: Any) -> int:
    return analysis.features.exclude(review_status="rejected").filter(**filters).count()


def test_geojson_is_streamed_with_body_and_crs(cast: Any, robbins: Any) -> None:
    r = api_for(cast.owner).get("/api/v1/features/export/", {"analysis": robbins.pk, "format": "geojson"})
    assert r.status_code == 200, r.content
    assert r.streaming and r["Content-Type"] == "application/geo+json"
    doc = json.loads(body(r))
    assert doc["body"] == "Mars" and doc["crs_code"] == "IAU_2015:49900"
    assert doc["crs_wkt"].startswith("GEOGCRS[\"Mars (2015)")
    assert len(doc["features"]) == expected_count(robbins) == 3706 - 38
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert 0 <= lon <= 75 and -35 <= lat <= 35


def test_region_export_matches_region_query(cast: Any, robbins: Any) -> None:
    client = api_for(cast.owner)
    doc = json.loads(body(client.get("/api/v1/features/export/", {**REGION, "format": "geojson"})))
    summary = client.get("/api/v1/features/summary/", REGION).json()
    assert len(doc["features"]) == summary["count"] > 50
    assert doc["query"]["bbox"] == "20.0,0.0,40.0,20.0"


@pytest.mark.parametrize("fmt", ["gpkg", "shp"])
def test_gdal_formats_carry_mars_crs(cast: Any, robbins: Any, tmp_path: Path, fmt: str) -> None:
    r = api_for(cast.owner).get("/api/v1/features/export/", {**REGION, "diameter_min": 15, "format": fmt})
    data = body(r)
    if fmt == "gpkg":
        path = tmp_path / "out.gpkg"
        path.write_bytes(data)
    else:
        zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path)
        path = tmp_path / "features.shp"
        prj = (tmp_path / "features.prj").read_text()
        assert "Mars_2015" in prj and "3396190" in prj
    info = ogrinfo("-so", path, "features")
    assert ("Mars (2015)" in info or "Mars_2015" in info) and "3396190" in info
    expected = api_for(cast.owner).get("/api/v1/features/summary/", {**REGION, "diameter_min": 15}).json()["count"]
    assert feature_count(info) == expected > 20
    assert ("eff_class" if fmt == "shp" else "effective_class") in info


def test_csv_catalogue_and_scc_round_trip(cast: Any, robbins: Any, tmp_path: Path) -> None:
    client = api_for(cast.owner)
    csv_text = body(client.get("/api/v1/features/export/", {**REGION, "format": "csv"})).decode()
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("id,body,raster,analysis,effective_class")
    scc_text = body(client.get("/api/v1/features/export/", {**REGION, "format": "scc"})).decode()
    count = parse_scc(scc_text)
    assert len(count.diameters_km) == len(lines) - 1
    assert count.body_radius_km == pytest.approx(3396.19)
    summary = client.get("/api/v1/features/summary/", REGION).json()
    assert count.area_km2 == pytest.approx(summary["region_area_km2"], rel=1e-6)
    assert len(count.rings) == 1 and count.rings[0].tag == "ext"
    # craterstats 3.2.1 itself reads the file.
    from craterstats import Cratercount

    path = tmp_path / "region.scc"
    path.write_text(scc_text)
    cc = Cratercount(str(path))
    assert len(cc.diam) == len(count.diameters_km) and cc.area == pytest.approx(count.area_km2, rel=1e-5)


def test_analysis_scc_uses_image_footprint_area(cast: Any, robbins: Any) -> None:
    text = body(api_for(cast.owner).get("/api/v1/features/export/", {"analysis": robbins.pk, "format": "scc"})).decode()
    assert parse_scc(text).area_km2 == pytest.approx(1.0e6)


def test_large_export_becomes_a_job(cast: Any, robbins: Any, settings: Any, tmp_path: Path,
                                    django_capture_on_commit_callbacks: Any) -> None:
    settings.MAPS_EXPORT_SYNC_LIMIT = 100
    client = api_for(cast.owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = client.get("/api/v1/features/export/", {"analysis": robbins.pk, "format": "gpkg"})
    assert r.status_code == 202 and len(callbacks) == 1
    job_id = r.json()["id"]
    assert client.get(f"/api/v1/exports/{job_id}/").json()["download"] is None
    assert services.export_job_run(job_id) == "done"
    assert services.export_job_run(job_id) == "skipped"  # a duplicate delivery is harmless
    job = ExportJob.objects.get(pk=job_id)
    assert job.feature_count == expected_count(robbins)
    status = client.get(f"/api/v1/exports/{job_id}/").json()
    download = client.get(status["download"])
    path = tmp_path / "job.gpkg"
    assert isinstance(download, StreamingHttpResponse)
    path.write_bytes(download.getvalue())
    assert feature_count(ogrinfo("-so", path, "features")) == job.feature_count
    # Only its owner sees the job.
    assert api_for(cast.stranger).get(f"/api/v1/exports/{job_id}/").status_code == 404
    assert api_for(cast.stranger).get(status["download"]).status_code == 404
    client.force_login(cast.owner)
    page = client.get(f"/map/exports/{job_id}/")
    assert page.status_code == 200 and b"Download" in page.content


def test_exports_respect_visibility(cast: Any, media: Path) -> None:  # noqa: F811
    mine = analysis_with(cast.owner, [{"lon": 10, "lat": 5}])
    analysis_with(cast.stranger, [{"lon": 10, "lat": 5}, {"lon": 11, "lat": 5}])
    doc = json.loads(body(api_for(cast.owner).get("/api/v1/features/export/", {"body": "mars"})))
    assert [f["properties"]["analysis"] for f in doc["features"]] == [mine.pk]
    # The stranger's analysis id filters the owner's export down to nothing: no body, so nothing to export.
    r = api_for(cast.owner).get("/api/v1/features/export/", {"analysis": mine.pk + 1})
    assert r.status_code == 400
    assert api_for(None).get("/api/v1/features/export/", {"body": "mars"}).status_code in {401, 403}
    assert api_for(cast.owner).get("/api/v1/features/export/", {"body": "mars", "format": "kml"}).status_code == 400
