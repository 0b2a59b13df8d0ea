"""Features API: p50/p95 of ``GET /api/v1/features/?body=mars&bbox=...`` over 1M features, beside raw SQL.

    .venv/bin/python bench/bench_features_api.py        (or through bench/run_all.py)

1M crater polygons are made server-side with ``INSERT ... SELECT generate_series`` in the throwaway
``geoplanet_bench`` database (never the dev one). The API request (auth, visibility subquery, filters, count,
GeoJSON of 100 features) is timed through Django's test client, beside the raw floor: the same bbox as
``WHERE geom && ST_MakeEnvelope(..., 0)`` returning ``ST_AsGeoJSON`` of 100 rows plus a count.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, Row, bench_database, bench_user, percentiles, row  # noqa: E402

ROWS = int(os.environ.get("BENCH_MAPS_ROWS", 1_000_000))
QUERIES = int(os.environ.get("BENCH_MAPS_QUERIES", 40))
BBOX_DEG = 5.0
SEED = 20240602


def populate(count: int = ROWS) -> tuple[Any, Any]:
    """A bench user and an analysis holding ``count`` synthetic Mars features (SQL, server-side)."""
    from bench_feature_store import _generate, setup_analysis
    from django.db import connection

    user = bench_user()
    analysis = setup_analysis(user)
    from rasters.models import Raster

    Raster.objects.filter(pk=analysis.raster_id).update(status="ready", georeferenced=True)
    _generate(analysis, count)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE segmentation_feature")
    return user, analysis


def bboxes(n: int, size: float = BBOX_DEG) -> list[tuple[float, float, float, float]]:
    rng = random.Random(SEED)  # noqa: S311 - benchmark sampling
    out = []
    for _ in range(n):
        lon, lat = rng.uniform(-180, 180 - size), rng.uniform(-80, 80 - size)
        out.append((lon, lat, lon + size, lat + size))
    return out


def timed(fn: Callable[[Any], object], args: list[Any]) -> list[float]:
    fn(args[0])  # warm-up
    samples = []
    for a in args:
        start = time.perf_counter()
        fn(a)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-maps-") as tmp, bench_database(media_root=Path(tmp)):
        from django.db import connection
        from rest_framework.test import APIClient

        user, _ = populate()
        client = APIClient()
        client.force_authenticate(user)
        boxes = bboxes(QUERIES)

        def api(b: tuple[float, ...]) -> None:
            params: dict[str, str | int] = {"body": "mars", "bbox": ",".join(map(str, b)), "limit": 100}
            r = client.get("/api/v1/features/", params)
            assert r.status_code == 200, r.content[:300]
            r.content  # noqa: B018 - render the body

        def raw(b: tuple[float, ...]) -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM segmentation_feature WHERE geom && ST_MakeEnvelope(%s,%s,%s,%s,0)", b)
                cursor.fetchone()
                cursor.execute("SELECT id, ST_AsGeoJSON(geom, 7) FROM segmentation_feature "
                               "WHERE geom && ST_MakeEnvelope(%s,%s,%s,%s,0) ORDER BY id LIMIT 100", b)
                cursor.fetchall()

        api_ms, raw_ms = percentiles(timed(api, boxes)), percentiles(timed(raw, boxes))
        label = f"{ROWS // 1000}k features, {BBOX_DEG:g} deg bbox, 100 per page"
        return [
            row(f"GET /api/v1/features/ bbox p{p} ({label})", api_ms[f"p{p}"], "ms", f"raw SQL && + count p{p}",
                raw_ms[f"p{p}"])
            for p in (50, 95)
        ]


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "bench"))
    from run_all import format_text, machine

    print(format_text(run(), machine()))
