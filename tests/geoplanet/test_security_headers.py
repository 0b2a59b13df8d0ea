"""The Content-Security-Policy: every response carries it, and pages that need scripts still work under it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_and_api_carry_the_policy(client: Client, cast: Any) -> None:
    client.force_login(cast.owner)
    for url in ("/", "/map/mars/", "/api/v1/rasters/", "/api/v1/docs/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_api_docs_render_and_inline_script_is_refused(
    browser_page: Any, live_server: Any, cast: Any, csp_violations: list[str],
) -> None:
    client = Client()
    client.force_login(cast.owner)
    page = browser_page
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    # Swagger UI's configuration is a separate script file (the split view), so the docs render under the policy
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert not csp_violations
    # an inline script that slipped into a page would not run: the browser refuses it and says so
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.pwned = 1';
                             document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.pwned") is None
    assert any("inline script" in text for text in csp_violations)
    csp_violations.clear()  # the one refusal this test provoked
