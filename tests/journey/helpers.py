"""Browser steps the journey repeats: logging in, numbered screenshots, waiting on an analysis, reading counts."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Error as PlaywrightError

from tests.conftest import ARTIFACTS


@dataclass
class Shots:
    """Numbered screenshots ``journey-NN-<step>.png`` in tests/artifacts, one per step."""

    page: Any
    taken: list[str] = field(default_factory=list)

    def __call__(self, step: str, full_page: bool = False) -> None:
        name = f"journey-{len(self.taken) + 1:02d}-{step}.png"
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)
        self.taken.append(name)


def login(page: Any, base: str, username: str, password: str) -> None:
    """Log in through the form, as a fresh visitor (cookies of the previous user dropped)."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def watch_analysis(page: Any, shots: Shots | None = None, timeout_s: float = 120) -> list[float]:
    """On an analysis page: read the progress bar until the page reloads with its results; return the values seen.

    With ``shots``, the first intermediate value (0 < v < 100) is photographed as the ``analysis-progress`` step."""
    seen: list[float] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:  # the page reloads itself when the analysis finishes
            value = page.evaluate("() => { const el = document.querySelector('#progress');"
                                  " return el && !el.closest('[hidden]') ? el.value : null; }")
            if value is not None:
                seen.append(float(value))
                if shots is not None and 0 < value < 100:
                    shots("analysis-progress")
                    shots = None
            if page.query_selector("text=features shown"):
                break
        except PlaywrightError:
            pass
        page.wait_for_timeout(100)
    page.wait_for_selector("text=features shown", timeout=10_000)
    return seen


def leading_int(text: str) -> int:
    match = re.match(r"\s*(\d+)", text)
    assert match, f"no count in {text!r}"
    return int(match.group(1))


def query_count(page: Any) -> int:
    """Submit the explorer's filters and return the count of the region summary it shows."""
    with page.expect_response(lambda r: "/api/v1/features/summary/" in r.url) as info:
        page.click("#apply")
    count = int(info.value.json()["count"])
    page.wait_for_function("(n) => (document.querySelector('#result-count').textContent || '')"
                           ".startsWith(n + ' features')", arg=count)
    return leading_int(page.inner_text("#result-count"))


def summary_count(page: Any, cls: str = "crater") -> int:
    """The count of a class in the review page's statistics table."""
    return int(page.locator(f"table.summary tr[data-class={cls}] td.count").first.inner_text())
