"""A user starts an analysis in the browser, watches the progress bar advance and sees the features appear."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from segmentation.models import Analysis
from tests.conftest import ARTIFACTS, WorkerProcess
from tests.factories import PASSWORD
from tests.journey.helpers import login, watch_analysis
from tests.segmentation.test_worker import make_large_mars

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_start_analysis_and_watch_progress(
    browser_page: Any, live_server: Any, cast: Any, make_raster: Any, shared_data: Path,
    celery_worker_process: WorkerProcess, tmp_path: Path,
) -> None:
    arabia = shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"
    large = make_large_mars(arabia, tmp_path / "big.tif", 10)
    raster = make_raster(large)
    page = browser_page
    login(page, live_server.url, cast.owner.username, PASSWORD)
    page.goto(f"{live_server.url}/images/{raster.pk}/")
    page.fill("#start-analysis #id_tile", "256")
    page.fill("#start-analysis #id_overlap", "32")
    page.click("#start-analysis button[type=submit]")
    page.wait_for_url("**/analyses/*/")
    seen = watch_analysis(page, timeout_s=120)
    page.screenshot(path=str(ARTIFACTS / "analysis-01-results.png"))
    advancing = [v for v in seen if 0 < v < 100]
    assert advancing, f"the progress bar never showed an intermediate value: {seen[:20]}"
    analysis = Analysis.objects.get(raster=raster)
    assert analysis.status == "done"
    count = int(page.inner_text("#feature-count").split()[0])
    assert count == analysis.features.count() > 0
    assert page.query_selector("#summary td.count")
