"""Shared helpers for the benchmarks: the row shape, timing, percentiles and a throwaway PostGIS database.

Every benchmark module exposes ``run() -> list[Row]``: each figure is printed beside a baseline measured in the
same run, so the ratio means something on any machine. Benchmarks never assert timings.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NotRequired, TypedDict
from urllib.parse import quote, urlparse

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# One database per process: benchmarks run by several people (or runners) at once never drop each other's.
BENCH_DB = f"geoplanet_bench_{os.getpid()}"
# Redis database used by benchmarks for the cache and the Celery broker: never the dev (0) or test (9) one,
# so clearing the tile cache or queueing a task can reach no developer's worker.
BENCH_REDIS_DB = 12
DEFAULT_DATABASE_URL = "postgres://geoplanet:geoplanet@127.0.0.1:5432/geoplanet"


class Row(TypedDict):
    """One figure of a benchmark beside its baseline from the same run."""

    name: str
    value: float | None
    unit: str
    baseline_name: str
    baseline_value: float | None
    ratio: float | None
    note: NotRequired[str]
    bench: NotRequired[str]  # the module that produced it, filled in by run_all


def row(name: str, value: float | None, unit: str, baseline_name: str, baseline_value: float | None,
        note: str = "") -> Row:
    """A row whose ratio is ``value / baseline_value`` (None when either is missing or the baseline is 0)."""
    ratio = None
    if value is not None and baseline_value and math.isfinite(baseline_value):
        ratio = value / baseline_value
    result: Row = {"name": name, "value": value, "unit": unit, "baseline_name": baseline_name,
                   "baseline_value": baseline_value, "ratio": ratio}
    if note:
        result["note"] = note
    return result


def error_row(bench: str, error: str) -> Row:
    """The row a failing benchmark leaves in the table."""
    return {"name": "ERROR", "value": None, "unit": "", "baseline_name": "", "baseline_value": None,
            "ratio": None, "note": error, "bench": bench}


def percentiles(samples: Sequence[float], points: Sequence[float] = (50, 95)) -> dict[str, float]:
    """Nearest-rank style percentiles (linear interpolation) as ``{"p50": ..., "p95": ...}``."""
    if not samples:
        raise ValueError("percentiles of no samples")
    ordered = sorted(samples)
    result = {}
    for point in points:
        position = (len(ordered) - 1) * point / 100
        low = math.floor(position)
        high = min(low + 1, len(ordered) - 1)
        result[f"p{point:g}"] = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return result


def timeit(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> list[float]:
    """Seconds taken by each of ``repeat`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        durations.append(time.perf_counter() - start)
    return durations


def median(samples: Sequence[float]) -> float:
    """Median of ``samples``."""
    return float(statistics.median(samples))


def _server_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)


def bench_database_url(base_url: str | None = None) -> str:
    """The server's URL with the bench database's name in place of the dev database's."""
    parsed = urlparse(base_url or _server_url())
    return parsed._replace(path="/" + quote(BENCH_DB)).geturl()


def bench_redis_url() -> str:
    """Redis URL of the benchmarks' own database on the dev Redis server."""
    parsed = urlparse(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return parsed._replace(path=f"/{BENCH_REDIS_DB}").geturl()


def _admin_execute(base_url: str, *statements: str, database: str = "postgres") -> None:
    import psycopg

    parsed = urlparse(base_url)
    conninfo = parsed._replace(path="/" + quote(database)).geturl().replace("postgis://", "postgres://", 1)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


def bench_env() -> dict[str, str]:
    """Environment for a process (gunicorn, a worker) that must see the bench database and Redis."""
    env = dict(os.environ)
    redis = bench_redis_url()
    env.update(DATABASE_URL=bench_database_url(), REDIS_URL=redis, CACHE_URL=redis, CELERY_BROKER_URL=redis,
               CELERY_RESULT_BACKEND=redis, DJANGO_SETTINGS_MODULE=os.environ.get(
                   "DJANGO_SETTINGS_MODULE", "geoplanet.settings.dev"))
    # Measured as deployed: the dev settings' DEBUG keeps every SQL statement in memory and renders debug pages.
    env.setdefault("DEBUG", "False")
    return env


@contextmanager
def bench_database(media_root: Path | None = None) -> Iterator[str]:
    """Create ``geoplanet_bench_<pid>`` with PostGIS, point Django at it, migrate, yield its URL; drop it at the end.

    Django is set up here (dev settings unless DJANGO_SETTINGS_MODULE says otherwise) with DATABASE_URL, the
    cache and the Celery broker pointing at the bench database and the bench Redis database, so a benchmark
    never touches the dev or test data. Called again in the same process, it recreates the database.
    """
    import django

    server = _server_url()
    url = bench_database_url(server)
    drop = f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'
    _admin_execute(server, drop, f'CREATE DATABASE "{BENCH_DB}"')
    _admin_execute(server, "CREATE EXTENSION IF NOT EXISTS postgis", database=BENCH_DB)
    os.environ.update({k: v for k, v in bench_env().items() if k != "PATH"})
    if media_root is not None:
        os.environ["MEDIA_ROOT"] = str(media_root)
    from django.apps import apps
    from django.conf import settings

    if not apps.ready:
        django.setup()
    elif settings.DATABASES["default"]["NAME"] != BENCH_DB:
        raise RuntimeError("Django was set up on another database before bench_database(); run it first.")
    if media_root is not None:
        settings.MEDIA_ROOT = media_root
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield url
    finally:
        from django.core.cache import cache

        try:
            cache.clear()  # the bench Redis database only
        except Exception:  # noqa: BLE001,S110 - a dead Redis must not keep the database alive
            pass
        connections.close_all()
        _admin_execute(server, drop)


def bench_user(username: str = "bench") -> Any:
    """A user for authenticated requests in the bench database."""
    from django.contrib.auth import get_user_model

    from accounts.models import Profile

    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username, defaults={"email": f"{username}@bench.invalid"})
    Profile.objects.get_or_create(user=user)
    return user


def shared_data_dir() -> Path:
    """``../shared/data`` beside the checkout (or GEOPLANET_SHARED_DATA)."""
    return Path(os.environ.get("GEOPLANET_SHARED_DATA", REPO.parent / "shared" / "data"))
