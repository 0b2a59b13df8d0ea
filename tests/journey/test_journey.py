"""The whole journey in a real browser against a live server and a real Celery worker.

A new user registers, drops a real Mars GeoTIFF, runs two analyses, explores, filters and queries the Mars map,
compares the analyses, works with a collaborator in a project (invitation, pinned comment, sharing), rejects a
detection and sees the statistics change, exports GeoJSON and GeoPackage, downloads a PDF report; then a
stranger logs in and sees none of it. Each step leaves tests/artifacts/journey-NN-<step>.png.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from rasters.models import Raster
from segmentation.models import Analysis, Feature
from tests.conftest import ARTIFACTS, WorkerProcess
from tests.factories import PASSWORD
from tests.journey.helpers import Shots, leading_int, login, query_count, summary_count, watch_analysis
from tests.rasters.test_browser import upload_by_drop, wait_until_map_ready
from tests.segmentation.test_worker import make_large_mars

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Arabia-Terra-2026"
MAX_PAGE_REQUESTS = 10  # requests of the Mars map besides tiles and static files, whatever the number of features


def is_data_request(url: str) -> bool:
    """Not a static file, an image tile or a vector tile: the requests whose number must stay bounded."""
    return "/static/" not in url and "/tiles/" not in url and not url.endswith("favicon.ico")


def load_map(page: Any, base: str) -> tuple[list[str], list[int]]:
    """Open the Mars map: its data requests' URLs (all but tiles and static files) and its vector tiles' sizes."""
    urls: list[str] = []
    responses: list[Any] = []

    def record(request: Any) -> None:
        urls.append(request.url)

    def keep(response: Any) -> None:
        responses.append(response)

    page.on("request", record)
    page.on("response", keep)
    page.goto(f"{base}/map/mars/")
    page.wait_for_function("window.geoplanetMap !== undefined")
    page.wait_for_load_state("networkidle")
    page.remove_listener("request", record)
    page.remove_listener("response", keep)
    # (Playwright cannot read back bodies that the page itself read as array buffers: trust the declared length.)
    vector_tiles = [int(r.headers.get("content-length", "0")) for r in responses if ".pbf" in r.url and r.ok]
    assert vector_tiles, "the map requested no vector tiles"
    return [u for u in urls if is_data_request(u)], vector_tiles


def start_analysis(page: Any, base: str, raster_id: int, tile: int | None, shots: Shots, step: str) -> Analysis:
    page.goto(f"{base}/images/{raster_id}/")
    if tile:
        page.fill("#start-analysis #id_tile", str(tile))
    page.click("#start-analysis button[type=submit]")
    page.wait_for_url("**/analyses/*/")
    seen = watch_analysis(page, shots if tile else None)
    shots(step)
    analysis = Analysis.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
    assert analysis.status == Analysis.Status.DONE, analysis.error
    assert leading_int(page.inner_text("#feature-count")) == analysis.features.count() > 0
    if tile:  # the small-tile run has enough tiles for the bar to be seen moving
        assert [v for v in seen if 0 < v < 100], f"the progress bar never showed an intermediate value: {seen[:20]}"
    return analysis


def test_whole_journey(
    browser_page: Any, live_server: Any, cast: Any, shared_data: Path, celery_worker_process: WorkerProcess,
    tmp_path: Path,
) -> None:
    page, base = browser_page, live_server.url
    shots = Shots(page)
    carlos, sam = cast.collaborator, cast.stranger

    # 1. Register through the form, log out, log back in: an empty image list.
    page.goto(f"{base}/accounts/register/")
    page.fill("#id_username", "vera")
    page.fill("#id_email", "vera@example.org")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Welcome to GeoPlanet, vera.")
    shots("registered")
    page.click("button:has-text('Log out')")
    login(page, base, "vera", NEW_PASSWORD)
    page.goto(f"{base}/images/")
    assert "No images yet" in page.inner_text("main")
    shots("logged-in")

    # 2. Drop a real Mars GeoTIFF (the MOLA crop tiled 6 x 6 at 2 km/px) and see it processed on its map.
    tif = make_large_mars(shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif",
                          tmp_path / "arabia_terra_6x.tif", 6)
    raster_id = upload_by_drop(page, base, tif)
    shots("uploaded")
    page.click("#uploads li.upload-ok a")
    wait_until_map_ready(page)
    shots("image-on-map")
    raster = Raster.objects.get(pk=raster_id)
    assert raster.body is not None
    assert raster.owner.username == "vera" and raster.body.slug == "mars"

    # 3. Two analyses with different parameters: 256 px tiles (the bar is watched moving), then the defaults.
    first = start_analysis(page, base, raster_id, 256, shots, "analysis-done")
    second = start_analysis(page, base, raster_id, None, shots, "second-analysis")
    assert first.parameters["tile"] == 256 and second.parameters["tile"] is None
    total = first.features.count() + second.features.count()

    # 4. The Mars map: bounded requests, then filters change the count.
    requests, vector_tiles = load_map(page, base)
    assert len(requests) <= MAX_PAGE_REQUESTS, requests
    assert max(vector_tiles) > 0  # features drawn from vector tiles
    (ARTIFACTS / "journey-map-requests.json").write_text(json.dumps({"features": total, "requests": requests}))
    page.wait_for_selector("#map .leaflet-tile-loaded")
    shots("explorer")
    assert query_count(page) == total
    for box in page.query_selector_all("#class-boxes input[name=class]"):
        if box.get_attribute("value") != "crater":
            box.uncheck()
    diameters = sorted(d for d in Feature.objects.filter(analysis__raster=raster, diameter_km__isnull=False)
                       .values_list("diameter_km", flat=True) if d is not None)
    d_min = round(diameters[len(diameters) // 2], 1)
    page.fill("input[name=diameter_min]", str(d_min))
    filtered = query_count(page)
    expected = Feature.objects.filter(analysis__raster=raster, class_name="crater", diameter_km__gte=d_min).count()
    assert filtered == expected and 0 < filtered < total
    assert "class=crater" in page.url and "diameter_min=" in page.url
    shots("explorer-filtered", full_page=True)

    # 5. A typed region (the western half of the image) is drawn and queried.
    assert raster.footprint is not None
    west, south, east, north = raster.footprint.extent
    middle = (west + east) / 2
    page.fill("input[name=diameter_min]", "")
    page.fill("#f-bbox", f"{west:.4f},{south:.4f},{middle:.4f},{north:.4f}")
    in_region = query_count(page)
    assert 0 < in_region < total
    assert "km² of Mars" in page.inner_text("#result-count")
    page.wait_for_selector("#map path.leaflet-interactive", state="attached")  # the region's outline
    region_url = page.url
    shots("region-query", full_page=True)

    # 6. The two analyses side by side.
    page.goto(f"{base}/analyses/{second.pk}/")
    page.click("a:has-text('Compare')")
    page.wait_for_selector("#map-0 .leaflet-tile-loaded")
    page.wait_for_selector("#map-1 .leaflet-tile-loaded")
    page.wait_for_selector("#map-1 path.leaflet-interactive", state="attached")
    counts = [int(c) for c in page.locator(".compare-side table.stats tbody tr td:nth-child(2)").all_inner_texts()]
    assert sorted(counts) == sorted([first.features.count(), second.features.count()])
    shots("compare")

    # 7. A project; carlos is invited and accepts, but sees the analysis only once vera shares the image.
    page.goto(f"{base}/projects/")
    page.fill("#id_name", "Arabia Terra craters")
    page.click("#project-form button[type=submit]")
    project_url = page.url
    page.fill("#id_who", carlos.username)
    page.select_option("#id_role", "editor")
    page.click("#invite-form button[type=submit]")
    page.wait_for_selector("#members")
    shots("project-invite")
    login(page, base, carlos.username, PASSWORD)
    page.goto(f"{base}/projects/invitations/")
    with page.expect_navigation():
        page.click("#invitations button:has-text('Accept')")
    assert page.goto(f"{base}/projects/analyses/{first.pk}/review/").status == 404
    page.goto(project_url)
    shots("invitation-accepted")
    login(page, base, "vera", NEW_PASSWORD)
    page.goto(f"{base}/projects/images/{raster_id}/sharing/")
    page.select_option("#id_project", label="Arabia Terra craters")
    page.select_option("#id_visibility", "project")
    page.click("#sharing-form button[type=submit]")
    page.goto(project_url)
    assert raster.title in page.inner_text("#project-images")
    shots("image-shared")

    # 8. carlos comments on the largest crater, pinned on the map.
    craters = list(first.features.filter(class_name="crater").order_by("-diameter_km"))
    largest, doubtful = craters[0], craters[1]
    login(page, base, carlos.username, PASSWORD)
    page.goto(f"{base}/projects/analyses/{first.pk}/review/")
    page.locator(f"path.feature-{largest.pk}").click()
    assert page.inner_text("#review-feature") == str(largest.pk)
    assert "Pinned at" in page.inner_text("#comment-pin")
    page.fill("#comment-text", "@vera is this the **rim** of an old basin?")
    with page.expect_navigation():
        page.click("#comment-form button[type=submit]")
    comment = page.locator("#comments .comment").first
    assert "rim" in comment.inner_text() and "pinned at" in comment.inner_text()
    assert f"feature {largest.pk}" in comment.inner_text()
    shots("comment-pinned", full_page=True)

    # 9. vera is told of the mention, rejects a detection, and the review and statistics pages change.
    login(page, base, "vera", NEW_PASSWORD)
    page.goto(f"{base}/projects/notifications/")
    assert "mentioned you" in page.inner_text("#notifications")
    page.goto(f"{base}/projects/analyses/{first.pk}/review/")
    before = summary_count(page)
    page.locator(f"path.feature-{doubtful.pk}").click()
    with page.expect_navigation():
        page.click("#review-panel button[data-action=reject]")
    assert summary_count(page) == before - 1
    doubtful.refresh_from_db()
    assert doubtful.review_status == Feature.Review.REJECTED
    shots("review-rejected", full_page=True)
    page.goto(f"{base}/map/stats/analysis/{first.pk}/")
    assert "1 rejected in review" in page.inner_text("main")
    assert int(page.locator("table.stats-table tbody tr").first.locator("td").nth(1).inner_text()) == before - 1
    page.wait_for_selector("#csfd-image")
    shots("statistics", full_page=True)

    # 10. Exports of the shared region query: GeoJSON and a GeoPackage that carries the Mars CRS.
    page.goto(region_url)
    page.wait_for_selector("#results:not([hidden]) .export-gpkg")
    shown = leading_int(page.inner_text("#result-count"))
    assert doubtful.geom is not None
    assert shown == in_region - (1 if doubtful.geom.intersects(_bbox(west, south, middle, north)) else 0)
    with page.expect_download() as info:
        page.click(".export-geojson")
    geojson = tmp_path / "region.geojson"
    info.value.save_as(geojson)
    doc = json.loads(geojson.read_text())
    assert doc["body"] == "Mars" and len(doc["features"]) == shown
    assert doubtful.pk not in {f["id"] for f in doc["features"]}
    with page.expect_download() as info:
        page.click(".export-gpkg")
    gpkg = tmp_path / info.value.suggested_filename
    info.value.save_as(gpkg)
    ogr = subprocess.run(["/usr/bin/ogrinfo", "-so", "-al", str(gpkg)], capture_output=True, text=True, timeout=60)
    assert ogr.returncode == 0, ogr.stderr
    assert "Mars" in ogr.stdout and f"Feature Count: {shown}" in ogr.stdout, ogr.stdout
    shots("exports", full_page=True)

    # 11. The statistics page makes a PDF report.
    page.goto(f"{base}/map/stats/analysis/{first.pk}/")
    with page.expect_navigation():
        page.click("button:has-text('Make PDF and HTML report')")
    page.wait_for_selector("#report-links:not([hidden])", timeout=120_000)
    with page.expect_download() as info:
        page.click("#report-pdf")
    pdf = tmp_path / "report.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
    shots("report")

    # 12. A stranger sees none of it.
    login(page, base, sam.username, PASSWORD)
    page.goto(f"{base}/images/")
    assert "No images yet" in page.inner_text("main") and raster.title not in page.content()
    shots("stranger-images")
    page.goto(f"{base}/projects/")
    assert "Arabia Terra craters" not in page.inner_text("main")
    for url in (f"/images/{raster_id}/", f"/analyses/{first.pk}/", f"/analyses/{second.pk}/",
                f"/projects/analyses/{first.pk}/review/", f"/map/stats/analysis/{first.pk}/",
                f"/analyses/{first.pk}/features.geojson?download=1", f"/images/{raster_id}/original/"):
        assert page.goto(base + url).status == 404, url
    stranger_requests, stranger_tiles = load_map(page, base)
    assert len(stranger_requests) == len(requests)  # as many requests with no features as with hundreds
    assert max(stranger_tiles) == 0  # every vector tile is empty
    assert query_count(page) == 0
    shots("stranger-map", full_page=True)
    api = page.request
    assert api.get(f"{base}/api/v1/rasters/").json()["count"] == 0
    assert api.get(f"{base}/api/v1/analyses/").json()["count"] == 0
    assert api.get(f"{base}/api/v1/features/?body=mars").json()["numberMatched"] == 0
    assert api.get(f"{base}/api/v1/rasters/{raster_id}/").status == 404
    assert api.get(f"{base}/api/v1/analyses/{first.pk}/").status == 404
    assert json.loads(api.get(f"{base}/api/v1/features/export/?body=mars&format=geojson").text())["features"] == []
    assert not api.get(f"{base}/api/v1/features/tiles/mars/0/0/0.pbf").body()
    assert len(shots.taken) >= 20


def _bbox(west: float, south: float, east: float, north: float) -> Any:
    from django.contrib.gis.geos import Polygon

    return Polygon.from_bbox((west, south, east, north))
