"""Reports: queued in a request, rendered by the service the Celery task calls; page 1 checked as an image."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import matplotlib.image as mpimg
import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from maps.stats import services
from maps.stats.summary import csfd_params
from maps.stats.targets import region_target
from tests.conftest import ARTIFACTS
from tests.factories import make_features
from tests.maps.stats.test_pickering import pickering_region

pytestmark = pytest.mark.slow


def _job(job_id: str) -> dict[str, Any]:
    job = services.job_get(job_id)
    assert job is not None, job_id
    return job


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_report_pdf_first_page_and_html(
    cast: Any, pickering_analysis: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    make_features(pickering_analysis, [
        {"class_name": "ridge", "orientation_deg": 20.0 + 7 * i, "length_km": 30.0 + i, "x": 40 + i, "y": 60}
        for i in range(8)
    ])  # fmt: skip
    client = login(cast.owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = client.post("/map/stats/reports/", {"target": f"analysis:{pickering_analysis.pk}", "d_min": "2",
                                                "d_max": "5"})  # fmt: skip
    assert r.status_code == 302 and len(callbacks) == 1  # the task is queued on commit, not run in the request
    job_id = r["Location"].rstrip("/").split("/")[-1]
    assert _job(job_id)["status"] == services.QUEUED
    assert services.report_generate(job_id) is True
    assert services.report_generate(job_id) is False  # a duplicated message does nothing
    job = _job(job_id)
    assert job["status"] == services.DONE, job

    pdf = client.get(f"/map/stats/reports/{job_id}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert isinstance(pdf, StreamingHttpResponse)
    data = pdf.getvalue()
    assert data.startswith(b"%PDF")
    html_response = client.get(f"/map/stats/reports/{job_id}/report.html")
    assert isinstance(html_response, StreamingHttpResponse)
    html = html_response.getvalue().decode()
    assert "Model age" in html and "craterstats" in html and "data:image/png;base64," in html
    # Nobody else gets it, even with the link.
    for user in (cast.collaborator, cast.stranger):
        assert login(user).get(f"/map/stats/reports/{job_id}/report.pdf").status_code == 404
        assert login(user).get(f"/api/v1/stats/reports/{job_id}/").status_code == 404

    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (poppler-utils) is needed"
    (tmp_path / "report.pdf").write_bytes(data)
    subprocess.run(  # noqa: S603 - fixed binary, our own file
        [pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(tmp_path / "report.pdf"),
         str(tmp_path / "page1")], check=True, timeout=60,
    )  # fmt: skip
    png = tmp_path / "page1.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(png, ARTIFACTS / "stats_report_page1.png")
    img = mpimg.imread(str(png))
    # A4 portrait at 50 dpi: 8.27 x 11.69 in -> 414 x 585 px (pdftoppm rounds up).
    assert abs(img.shape[1] - 414) <= 2 and abs(img.shape[0] - 585) <= 2
    grey = img[..., :3].mean(axis=2)
    assert (grey < 0.5).mean() > 0.01  # title, text and the map snapshot: not a blank page
    lower = grey[img.shape[0] // 2 :]
    assert lower.std() > 0.05  # the snapshot fills the lower half


def test_region_report_and_bad_requests(cast: Any, pickering_analysis: Any, pickering: Any) -> None:
    target = region_target(pickering_region(pickering))
    job = services.report_request(cast.owner, target, csfd_params({"d_min": "0.2", "d_max": "0.7"}))
    assert services.report_generate(job["id"])
    assert _job(job["id"])["status"] == services.DONE
    pdf = services.job_dir(job["id"]) / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    client = login(cast.stranger)
    assert client.post("/map/stats/reports/", {"target": f"analysis:{pickering_analysis.pk}"}).status_code == 404
    assert client.get("/map/stats/reports/not-a-job/").status_code == 404
