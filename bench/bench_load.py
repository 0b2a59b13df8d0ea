"""Load test: the map explorer's traffic mix against gunicorn for a bounded time, on loopback only.

    .venv/bin/python bench/bench_load.py        (or through bench/run_all.py)

What a browser on the Mars explorer asks for, from ``CLIENTS`` concurrent clients (threads, each with a logged-in
session cookie) for ``SECONDS``: raster tiles of a real Mars mosaic (zoom 0-5, repeats hit the tile cache as
panning back does), MVT vector tiles of ``FEATURES`` synthetic features (zoom 3-8), pages of the features API
(5 degree boxes) and region summaries (10-30 degree boxes), in the weights of ``MIX``. gunicorn (``WORKERS`` sync
workers) and a Celery worker run against the throwaway bench database and Redis database; the load stops by
itself at the deadline and every process is stopped at the end.

Figures: the error rate (any answer but 200, or a failed connection), each route's p95 under load beside its p95
with one client and no load (same run), throughput, and the resident memory (RSS, process tree) of gunicorn and
of the Celery worker before the load (after a warm-up pass) and after it.

Environment: ``BENCH_LOAD_SECONDS`` (120), ``BENCH_LOAD_CLIENTS`` (16), ``BENCH_LOAD_FEATURES`` (200000),
``BENCH_LOAD_WORKERS`` (2); the smoke test runs it for a few seconds with a few thousand features.
"""

from __future__ import annotations

import http.client
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, Row, bench_database, bench_env, percentiles, row, shared_data_dir  # noqa: E402

SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "120"))
CLIENTS = int(os.environ.get("BENCH_LOAD_CLIENTS", "16"))
FEATURES = int(os.environ.get("BENCH_LOAD_FEATURES", "200000"))
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", "2"))
ALONE_REQUESTS = 20  # per route, one client, before the load
SEED = 20261206
# Share of each route in the mix: a map view asks for many raster and vector tiles per features page or summary.
MIX = {"raster tile": 50, "vector tile": 30, "features API": 15, "region summary": 5}
MARS = ("mars", "mars_mola_shaded_global_IAU2015-49900.tif")


def request_path(route: str, raster_id: int, rng: random.Random) -> str:
    """A request of ``route`` as the explorer makes it, drawn from ``rng``."""
    if route == "raster tile":
        z = rng.choice((0, 1, 2, 3, 3, 4, 4, 4, 5, 5))
        return f"/api/v1/rasters/{raster_id}/tiles/{z}/{rng.randrange(2 ** (z + 1))}/{rng.randrange(2**z)}.png"
    if route == "vector tile":
        z = rng.randint(3, 8)
        return f"/api/v1/features/tiles/mars/{z}/{rng.randrange(2 ** (z + 1))}/{rng.randrange(2**z)}.pbf"
    size = 5.0 if route == "features API" else rng.uniform(10, 30)
    lon, lat = rng.uniform(-180, 180 - size), rng.uniform(-80, 80 - size)
    bbox = f"{lon:.4f},{lat:.4f},{lon + size:.4f},{lat + size:.4f}"
    if route == "features API":
        return f"/api/v1/features/?body=mars&bbox={bbox}&limit=100"
    return f"/api/v1/features/summary/?body=mars&bbox={bbox}"


def fetch(port: int, path: str, cookie: str) -> tuple[int, float]:
    """Status (0 for a failed connection) and milliseconds of one GET on loopback."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return status, (time.perf_counter() - start) * 1000


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB (from /proc)."""
    total_kb, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue  # exited meanwhile
        total_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        pending += [int(child) for child in children]
    return total_kb / 1024


def start_worker(log_path: Path) -> subprocess.Popen[bytes]:
    """A Celery worker (default and inference queues) on the bench database and Redis; waits until ready."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "celery", "-A", "geoplanet", "worker", "-Q", "default,inference", "-c", "1",
             "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
            cwd=REPO, env=bench_env(), stdout=log, stderr=subprocess.STDOUT,
        )
    from geoplanet.celery import app

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited ({proc.returncode}): {log_path.read_text()[-500:]}")
        if app.control.ping(timeout=0.5):
            return proc
    proc.terminate()
    raise RuntimeError("celery worker did not answer within 90 s")


def drive(port: int, cookie: str, raster_id: int, seconds: float, clients: int) -> list[tuple[str, int, float]]:
    """``clients`` threads sending the mix until ``seconds`` have passed; (route, status, ms) of every request."""
    deadline = time.monotonic() + seconds
    routes, weights = list(MIX), list(MIX.values())
    results: list[tuple[str, int, float]] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        rng = random.Random(SEED + index)  # noqa: S311 - load sampling
        mine = []
        while time.monotonic() < deadline:
            route = rng.choices(routes, weights)[0]
            status, ms = fetch(port, request_path(route, raster_id, rng), cookie)
            mine.append((route, status, ms))
        with lock:
            results.extend(mine)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    return results


def _say(message: str) -> None:
    print(f"[bench_load] {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def run_load(seconds: float = SECONDS, clients: int = CLIENTS, features: int = FEATURES,
             workers: int = WORKERS) -> list[Row]:
    """Set up the data, gunicorn and a worker, drive the mix for ``seconds``, and report."""
    from bench_features_api import populate
    from bench_tiles import create_raster, free_port, start_gunicorn, stop

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp_name:
        tmp = Path(tmp_name)
        media = tmp / "media"
        with bench_database(media_root=media):
            from django.conf import settings
            from django.test import Client

            user, _ = populate(features)
            raster = create_raster(user, shared_data_dir() / MARS[0] / MARS[1])
            _say(f"{features} features and the Mars mosaic ready")
            browser = Client()
            browser.force_login(user)
            cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
            port = free_port()
            web = start_gunicorn(port, media, tmp / "gunicorn.log", app="geoplanet.wsgi:application",
                                 workers=workers)
            worker = None
            try:
                worker = start_worker(tmp / "worker.log")
                _say("gunicorn and the worker answer")
                rng = random.Random(SEED)  # noqa: S311 - load sampling
                alone: dict[str, list[float]] = {}
                alone_errors: Counter[int] = Counter()
                for route in MIX:  # warm-up: each worker imports what the route needs (rio-tiler on a first tile)
                    drive_once = [request_path(route, raster.pk, rng) for _ in range(2 * workers)]
                    with ThreadPoolExecutor(max_workers=workers) as pool:
                        list(pool.map(lambda path: fetch(port, path, cookie), drive_once))
                for route in MIX:  # the no-load baseline: one client, one request at a time
                    for _ in range(ALONE_REQUESTS):
                        status, ms = fetch(port, request_path(route, raster.pk, rng), cookie)
                        alone.setdefault(route, []).append(ms)
                        alone_errors[status] += status != 200
                rss_before = rss_mb(web.pid), rss_mb(worker.pid)
                _say(f"no-load pass done; {clients} clients for {seconds:g} s")
                started = time.perf_counter()
                results = drive(port, cookie, raster.pk, seconds, clients)
                elapsed = time.perf_counter() - started
                rss_after = rss_mb(web.pid), rss_mb(worker.pid)
            finally:
                stop(web)
                if worker is not None:
                    stop(worker)
    return report(results, alone, alone_errors, elapsed, clients, workers, rss_before, rss_after)


def report(results: list[tuple[str, int, float]], alone: dict[str, list[float]], alone_errors: Counter[int],
           elapsed: float, clients: int, workers: int, rss_before: tuple[float, float],
           rss_after: tuple[float, float]) -> list[Row]:
    """The rows: error rate, p95 per route beside its no-load p95, throughput, RSS before and after."""
    statuses = Counter(status for _, status, _ in results)
    errors = sum(count for status, count in statuses.items() if status != 200)
    setup = f"{len(results)} requests in {elapsed:.0f} s, {clients} clients, {workers} gunicorn workers"
    status_note = ", ".join(f"HTTP {s or 'failed'}: {n}" for s, n in sorted(statuses.items()))
    rows = [row("load: error rate, explorer mix", 100 * errors / max(1, len(results)), "%", "target", 0.0,
                f"{setup}; {status_note}" + (f"; {sum(alone_errors.values())} errors alone" if any(
                    alone_errors.values()) else ""))]
    for route in MIX:
        under = [ms for name, status, ms in results if name == route]
        if not under:
            continue
        loaded, quiet = percentiles(under), percentiles(alone[route])
        rows.append(row(f"load: {route} p95 under load", loaded["p95"], "ms", f"{route} p95, 1 client, no load",
                        quiet["p95"], f"{len(under)} req, p50 {loaded['p50']:.1f} ms (alone {quiet['p50']:.1f})"))
    rows.append(row("load: throughput, explorer mix", len(results) / elapsed, "req/s", "-", None, setup))
    rows.append(row("load: gunicorn RSS after", rss_after[0], "MB", "gunicorn RSS before", rss_before[0],
                    f"master + {workers} workers; before = after the warm-up and no-load passes"))
    rows.append(row("load: Celery worker RSS after", rss_after[1], "MB", "Celery worker RSS before", rss_before[1],
                    "main + 1 prefork child; the explorer mix queues no task, so this is the idle worker"))
    return rows


def run() -> list[Row]:
    """The load test with the module's settings (environment variables)."""
    return run_load()


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "bench"))
    from run_all import format_text, machine

    print(format_text(run(), machine()))
