"""Statistics pages: rendered for the owner, 404 for others, CSFD image, compare, and charts in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import ARTIFACTS
from tests.factories import make_analysis, make_features


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def small_analysis(mars_raster: Any, cast: Any) -> Any:
    analysis = make_analysis(mars_raster, cast.owner)
    make_features(
        analysis,
        [{"class_name": "crater", "diameter_km": d, "lon": 10 + d / 10, "lat": 5, "x": 20 + 5 * i, "y": 30}
         for i, d in enumerate((8, 9, 10, 12, 15, 18, 22, 30, 45))]
        + [{"class_name": "ridge", "orientation_deg": a, "length_km": 40 + a / 10} for a in (10, 20, 35, 100, 170)]
        + [{"class_name": "valley", "orientation_deg": 60, "confidence": 0.55}],
    )  # fmt: skip
    return analysis


def test_pages_for_owner_and_404_for_others(cast: Any, small_analysis: Any) -> None:
    pk = small_analysis.pk
    owner = login(cast.owner)
    page = owner.get(f"/map/stats/analysis/{pk}/?d_min=7&d_max=50")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Model age" in html and 'id="chart-csfd"' in html and "vendor/chart.js/chart.umd.js" in html
    assert "<script>" not in html.replace('<script src=', "")  # no inline scripts: data via json_script only
    assert owner.get(f"/map/stats/image/{small_analysis.raster_id}/").status_code == 200
    svg = owner.get(f"/map/stats/csfd.svg?target=analysis:{pk}&d_min=7&d_max=50&kind=R-plot")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content[:500]
    png = owner.get(f"/map/stats/csfd.png?target=analysis:{pk}")
    assert png.content.startswith(b"\x89PNG")
    cmp = owner.get(f"/map/stats/compare/?a=analysis:{pk}&b=image:{small_analysis.raster_id}")
    assert cmp.status_code == 200 and "Compare surfaces" in cmp.content.decode()
    for user in (cast.collaborator, cast.stranger):
        c = login(user)
        assert c.get(f"/map/stats/analysis/{pk}/").status_code == 404
        assert c.get(f"/map/stats/csfd.svg?target=analysis:{pk}").status_code == 404
        assert c.get(f"/map/stats/compare/?a=analysis:{pk}&b=analysis:{pk}").status_code == 404
    assert Client().get(f"/map/stats/analysis/{pk}/").status_code == 302  # to the login page


def test_region_page_and_errors(cast: Any, small_analysis: Any) -> None:
    owner = login(cast.owner)
    geometry = '{"type":"Polygon","coordinates":[[[9,4],[16,4],[16,6],[9,6],[9,4]]]}'
    r = owner.get("/map/stats/region/", {"body": "mars", "geometry": geometry, "classes": "crater"})
    assert r.status_code == 200 and "region polygon on the Mars sphere" in r.content.decode()
    assert owner.get("/map/stats/region/", {"body": "mars", "geometry": "{"}).status_code == 400
    assert owner.get(f"/map/stats/analysis/{small_analysis.pk}/?d_min=5&d_max=1").status_code == 400


@pytest.mark.slow
@pytest.mark.browser
def test_charts_render_in_browser(cast: Any, small_analysis: Any, browser_page: Any, live_server: Any) -> None:
    page = browser_page
    client = login(cast.owner)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    page.goto(f"{live_server.url}/map/stats/analysis/{small_analysis.pk}/?d_min=7&d_max=50")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-csfd') && Chart.getChart('chart-rose')")
    inked = page.evaluate(
        """() => ['chart-classes', 'chart-diameters', 'chart-rose', 'chart-confidence', 'chart-csfd'].map((id) => {
            const c = document.getElementById(id);
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
            return [id, c.width, n];
        })"""
    )
    for chart_id, width, painted in inked:
        assert width > 100 and painted > 500, (chart_id, painted)
    page.click("button[data-kind='R-plot']")
    page.wait_for_function("() => Chart.getChart('chart-csfd').options.scales.y.title.text === 'R'")
    assert page.locator("#age-result").inner_text().startswith("Model age")
    page.screenshot(path=str(ARTIFACTS / "stats_page.png"), full_page=True)
