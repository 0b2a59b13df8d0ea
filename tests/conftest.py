"""Fixtures shared by every test: the three-user cast, a real Celery worker, and a real browser."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.factories import PASSWORD, UserFactory
from tests.shared import require_shared_data

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture
def shared_data() -> Path:
    return require_shared_data()


@pytest.fixture(autouse=True)
def _reference_bodies(request: pytest.FixtureRequest) -> None:
    """Transactional tests flush every table, data migrations' rows included: put the bodies back."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        from rasters.services import bodies_sync

        bodies_sync()


@dataclass
class Cast:
    """Owner, collaborator and stranger: every permission test uses all three."""

    owner: Any
    collaborator: Any
    stranger: Any
    password: str = PASSWORD


@pytest.fixture
def cast(db: None) -> Cast:
    return Cast(
        owner=UserFactory(username="olivia"),
        collaborator=UserFactory(username="carlos"),
        stranger=UserFactory(username="sam"),
    )


@pytest.fixture
def worker_env(transactional_db: None) -> dict[str, str]:
    """Environment for a subprocess that must see the test database and the test Redis."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="geoplanet.settings.test",
        DATABASE_URL=(
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        TEST_REDIS_URL=settings.REDIS_URL,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        GEOPLANET_TEST_RUN=settings.TEST_RUN,
        PYTHONUNBUFFERED="1",
    )
    return env


class WorkerProcess:
    """A real ``celery worker`` subprocess consuming the default and inference queues."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        from geoplanet.celery import app

        app.control.purge()
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "geoplanet", "worker", "-Q", "default,inference",
             "--pool=solo", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "ready." in self.log_path.read_text(errors="replace"):
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited early:\n{self.log_path.read_text()}")
            time.sleep(0.3)
        raise RuntimeError(f"celery worker not ready in 60 s:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        """SIGKILL the whole worker process group: the abrupt death a crashed machine would cause."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_worker_process(worker_env: dict[str, str], tmp_path: Path) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(worker_env, tmp_path / "worker.log")
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def csp_violations() -> list[str]:
    """What the browser's Content-Security-Policy refused during a browser test (must stay empty)."""
    return []


@pytest.fixture
def browser_page(live_server: Any, monkeypatch: pytest.MonkeyPatch, csp_violations: list[str]) -> Iterator[Any]:
    """A Playwright page in Debian's headless Chromium (Playwright's own browser download is not used)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made here stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        # every browser test also checks that the Content-Security-Policy blocked nothing the site needs
        page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text
                else None)
        try:
            yield page
        finally:
            context.close()
            browser.close()
        assert not csp_violations, f"the Content-Security-Policy blocked: {csp_violations[:3]}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop this run's test database when pytest-django could not: a straggling connection (a live-server
    thread or a worker killed mid-job) makes its plain DROP fail, and each run would leave one behind."""
    from django.conf import settings

    if not settings.configured or session.config.getoption("reuse_db", default=False):
        return
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    name = db.get("TEST", {}).get("NAME")
    if not name:
        return
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"],
                             dbname="postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        print(f"\ncould not drop the test database {name}: {exc}", file=sys.stderr)
