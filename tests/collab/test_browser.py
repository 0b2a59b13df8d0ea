"""A real browser: a project is shared, a collaborator comments on a crater and rejects a false detection,
the owner sees the notification and the changed statistics, and a stranger sees nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from segmentation.models import Feature
from tests.collab.conftest import make_raster  # noqa: F401 - fixture
from tests.factories import PASSWORD, make_analysis, make_features

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def crater_count(page: Any) -> int:
    return int(page.locator("table.summary tr[data-class=crater] td.count").first.inner_text())


def test_share_comment_reject_notify(browser_page: Any, live_server: Any, cast: Any, make_raster: Any,  # noqa: F811
                                     shared_data: Path) -> None:
    page, base = browser_page, live_server.url
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif", title="Mars global")
    analysis = make_analysis(raster)
    real, false, _ = make_features(analysis, [
        {"class_name": "crater", "lon": -40, "lat": 10, "diameter_km": 600},
        {"class_name": "crater", "lon": 40, "lat": -10, "diameter_km": 600, "confidence": 0.3},
        {"class_name": "crater", "lon": 100, "lat": 30, "diameter_km": 400},
    ])

    # The owner creates a project, invites carlos as editor and shares the image with it.
    login(page, base, "olivia")
    page.goto(f"{base}/projects/")
    page.fill("#id_name", "Mars mapping")
    page.click("#project-form button[type=submit]")
    project_url = page.url
    page.fill("#id_who", "carlos")
    page.select_option("#id_role", "editor")
    page.click("#invite-form button[type=submit]")
    page.goto(f"{base}/projects/images/{raster.pk}/sharing/")
    page.select_option("#id_project", label="Mars mapping")
    page.select_option("#id_visibility", "project")
    page.click("#sharing-form button[type=submit]")

    # carlos accepts, comments on a crater pinned on the map and rejects a false detection.
    login(page, base, "carlos")
    page.goto(f"{base}/projects/invitations/")
    page.click("#invitations button:has-text('Accept')")
    page.goto(f"{base}/projects/analyses/{analysis.pk}/review/")
    assert crater_count(page) == 3
    page.locator(f"path.feature-{real.pk}").click()
    assert page.locator("#review-feature").inner_text() == str(real.pk)
    assert "Pinned at" in page.locator("#comment-pin").inner_text()
    page.fill("#comment-text", "@olivia a **fresh** crater <script>window.pwned=1</script>")
    with page.expect_navigation():
        page.click("#comment-form button[type=submit]")
    comment = page.locator("#comments .comment").first
    assert "fresh" in comment.inner_text() and "pinned at" in comment.inner_text()
    assert page.evaluate("window.pwned === undefined")
    page.locator(f"path.feature-{false.pk}").click()
    with page.expect_navigation():
        page.click("#review-panel button[data-action=reject]")
    assert crater_count(page) == 2
    false.refresh_from_db()
    assert false.review_status == Feature.Review.REJECTED

    # The owner sees the notifications and the changed statistics.
    login(page, base, "olivia")
    page.goto(project_url)
    assert int(page.locator("#unread-count").inner_text()) >= 2  # the mention and the review
    assert crater_count(page) == 2
    page.goto(f"{base}/projects/notifications/")
    assert "mentioned you" in page.locator("#notifications").inner_text()
    page.screenshot(path=str(Path(__file__).resolve().parents[1] / "artifacts" / "collab_notifications.png"))

    # A third user sees nothing.
    login(page, base, "sam")
    assert page.goto(f"{base}/projects/analyses/{analysis.pk}/review/").status == 404
    assert page.goto(f"{base}/images/{raster.pk}/").status == 404
    page.goto(f"{base}/projects/")
    assert "Mars mapping" not in page.content()
