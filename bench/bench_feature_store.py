"""Feature storage: COPY beside plain INSERTs for 100k rows, and bbox queries over 1M features with the GiST index.

    .venv/bin/python bench/bench_feature_store.py        (or through bench/run_all.py)

Store: ``segmentation.services.features_replace`` (rows built from engine features, then COPY) and
``copy_rows`` alone, beside the same rows inserted with psycopg's ``executemany`` and beside a server-side
``INSERT ... SELECT`` from ``generate_series`` (the floor: no rows cross the wire). Query: 1M features made with
SQL (``ST_Buffer(ST_MakePoint(lon, lat))``, SRID 0 = lon/lat on the body), then p50/p95 of bbox queries through
``features_visible_to(user).filter(geom__bboverlaps=...)`` beside the same query as raw SQL
(``WHERE geom && ST_MakeEnvelope(..., 0)``), with EXPLAIN checked for the GiST index. All in ``geoplanet_bench``.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, Row, bench_database, bench_user, median, percentiles, row, shared_data_dir  # noqa: E402

STORE_ROWS = 100_000
QUERY_ROWS = 1_000_000
STORE_REPEATS = 2
QUERIES = 60
BBOX_SIZES_DEG = (2.0, 10.0)
SEED = 20240601


def setup_analysis(user: Any) -> Any:
    """A small Mars raster (not processed: only its row is needed) and a finished analysis of it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rasters import services
    from segmentation.models import Analysis, ModelVersion

    path = shared_data_dir() / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"
    raster = services.raster_create(owner=user, upload=SimpleUploadedFile(path.name, path.read_bytes()))
    version = ModelVersion.objects.create(
        name="bench-unet", version="v0", weights_file="none.pt", weights_sha256="b" * 64,
        classes=[{"index": i, "name": n, "color": [0, 0, 0]} for i, n in enumerate(["background", "crater"])],
    )
    return Analysis.objects.create(raster=raster, model_version=version, status="done", started_by=user)


def engine_features(count: int) -> list[Any]:
    """``count`` engine features (small crater polygons in lon/lat and in pixels), built vectorised."""
    import numpy as np
    import shapely

    from segmentation.engine.postprocess import Feature

    rng = np.random.default_rng(SEED)
    lon, lat = rng.uniform(-180, 180, count), rng.uniform(-80, 80, count)
    radius = rng.uniform(0.01, 0.2, count)
    geoms = shapely.buffer(shapely.points(lon, lat), radius, quad_segs=4)
    px, py = rng.uniform(0, 10_000, count), rng.uniform(0, 10_000, count)
    pixel = shapely.buffer(shapely.points(px, py), radius * 100, quad_segs=4)
    return [
        Feature(class_name="crater", geometry=geoms[i], pixel_geometry=pixel[i], confidence=0.9, area_px=100.0,
                area_km2=10.0, perimeter_km=12.0, centre=(float(lon[i]), float(lat[i])),
                centre_px=(float(px[i]), float(py[i])), diameter_px=20.0, diameter_km=2 * float(radius[i]) * 59)
        for i in range(count)
    ]


def _truncate() -> None:
    from django.db import connection

    from segmentation.models import Feature

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Feature._meta.db_table} CASCADE")  # noqa: S608 - bench DB only


def _timed_store(action: Callable[[], object]) -> float:
    """Seconds for ``action`` in its own committed transaction, on an empty table."""
    from django.db import transaction

    _truncate()
    start = time.perf_counter()
    with transaction.atomic():
        action()
    return time.perf_counter() - start


def _executemany(rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    from segmentation.models import Feature
    from segmentation.services import _COPY_COLUMNS

    columns = ", ".join(_COPY_COLUMNS)
    marks = ", ".join(["%s"] * len(_COPY_COLUMNS))
    with connection.cursor() as cursor:
        cursor.cursor.executemany(
            f"INSERT INTO {Feature._meta.db_table} ({columns}) VALUES ({marks})", rows  # noqa: S608 - constants
        )


def _generate_sql(analysis: Any, count: int) -> tuple[str, list[Any]]:
    """One ``INSERT ... SELECT`` making ``count`` random crater polygons server-side (SRID 0: body lon/lat)."""
    from segmentation.models import Feature

    sql = f"""
        INSERT INTO {Feature._meta.db_table} (analysis_id, raster_id, body_id, class_name, geom, pixel_geom,
            confidence, area_px, area_km2, center_lon, center_lat, diameter_km, review_status, reviewed_class)
        SELECT %s, %s, %s, (ARRAY['crater', 'valley', 'ridge'])[1 + i %% 3],
            ST_Buffer(ST_MakePoint(lon, lat), rad, 'quad_segs=2'),
            ST_MakePoint(i %% 10000, i / 10000), random(), 100, 10, lon, lat, rad * 118, 'unreviewed', ''
        FROM (SELECT i, -180 + 360 * random() AS lon, -80 + 160 * random() AS lat, 0.01 + 0.19 * random() AS rad
              FROM generate_series(1, %s) AS i) AS s
    """  # noqa: S608 - constant table name, values are parameters
    return sql, [analysis.pk, analysis.raster_id, analysis.raster.body_id, count]


def _generate(analysis: Any, count: int) -> None:
    from django.db import connection

    sql, params = _generate_sql(analysis, count)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def store_rows(analysis: Any) -> list[Row]:
    """Seconds to store STORE_ROWS features by COPY, by executemany and by a server-side INSERT ... SELECT."""
    from segmentation.services import copy_rows, feature_rows, features_replace

    features = engine_features(STORE_ROWS)
    rows = feature_rows(analysis, features)
    timings: dict[str, list[float]] = {"replace": [], "copy": [], "executemany": [], "generate": []}
    for _ in range(STORE_REPEATS):  # interleaved, so machine noise hits every method alike
        timings["replace"].append(_timed_store(lambda: features_replace(analysis, features)))
        timings["copy"].append(_timed_store(lambda: copy_rows(rows)))
        timings["executemany"].append(_timed_store(lambda: _executemany(rows)))
        timings["generate"].append(_timed_store(lambda: _generate(analysis, STORE_ROWS)))
    _truncate()
    m = {key: median(values) for key, values in timings.items()}
    n = f"{STORE_ROWS // 1000}k"
    return [
        row(f"store {n}: features_replace (build + COPY)", m["replace"], "s", "psycopg executemany INSERT",
            m["executemany"], f"median of {STORE_REPEATS}; GiST + btree indexes maintained"),
        row(f"store {n}: copy_rows (COPY only)", m["copy"], "s", "psycopg executemany INSERT", m["executemany"]),
        row(f"store {n}: copy_rows (COPY only)", m["copy"], "s", "INSERT ... SELECT generate_series", m["generate"],
            "server-side floor: no rows cross the wire"),
    ]


def _gist_index() -> str:
    from django.db import connection

    from segmentation.models import Feature

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef ILIKE %s",
            [Feature._meta.db_table, "%USING gist (geom)%"],
        )
        found = cursor.fetchone()
    return str(found[0]) if found else ""


def query_rows(analysis: Any, user: Any) -> list[Row]:
    """p50/p95 of bbox queries over QUERY_ROWS features: the ORM through the visibility selector vs raw SQL."""
    from django.contrib.gis.geos import Polygon
    from django.db import connection

    from segmentation.models import Feature
    from segmentation.selectors import features_visible_to

    _truncate()
    start = time.perf_counter()
    _generate(analysis, QUERY_ROWS)
    generated = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Feature._meta.db_table}")  # noqa: S608 - model table name
    index = _gist_index()
    raw_sql = (
        f"SELECT id, class_name, confidence FROM {Feature._meta.db_table} "  # noqa: S608 - constant table name
        "WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 0)"
    )

    def orm(bbox: tuple[float, float, float, float]) -> Any:
        polygon = Polygon.from_bbox(bbox)
        polygon.srid = 0
        return features_visible_to(user).filter(geom__bboverlaps=polygon).values_list("pk", "class_name", "confidence")

    def orm_plain(bbox: tuple[float, float, float, float]) -> int:
        # The same ORM query without the visibility filter: splits ORM overhead from the access check's cost.
        polygon = Polygon.from_bbox(bbox)
        polygon.srid = 0
        return len(Feature.objects.filter(geom__bboverlaps=polygon).values_list("pk", "class_name", "confidence"))

    def raw(bbox: tuple[float, float, float, float]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(raw_sql, list(bbox))
            return len(cursor.fetchall())

    rng = random.Random(SEED)
    result: list[Row] = []
    for size in BBOX_SIZES_DEG:
        boxes = []
        for _ in range(QUERIES):
            lon, lat = rng.uniform(-180, 180 - size), rng.uniform(-80, 80 - size)
            boxes.append((lon, lat, lon + size, lat + size))
        orm_plan = orm(boxes[0]).explain()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + raw_sql, list(boxes[0]))
            raw_plan = "\n".join(r[0] for r in cursor.fetchall())
        uses = [name for name, plan in (("ORM", orm_plan), ("raw", raw_plan)) if index and index in plan]
        orm_ms, plain_ms, raw_ms, counts = [], [], [], []
        for bbox in boxes[:3]:  # warm-up
            list(orm(bbox))
            raw(bbox)
        for bbox in boxes:
            t0 = time.perf_counter()
            counts.append(len(list(orm(bbox))))
            t1 = time.perf_counter()
            raw(bbox)
            t2 = time.perf_counter()
            orm_plain(bbox)
            plain_ms.append((time.perf_counter() - t2) * 1000)
            orm_ms.append((t1 - t0) * 1000)
            raw_ms.append((t2 - t1) * 1000)
        o, r, p = percentiles(orm_ms), percentiles(raw_ms), percentiles(plain_ms)
        explain = f"GiST {index} used by: {', '.join(uses) or 'NONE'}"
        label = f"bbox {size:g}x{size:g} deg over {QUERY_ROWS // 1_000_000}M"
        result += [
            row(f"{label}: features_visible_to p50", o["p50"], "ms", "raw SQL geom && envelope p50", r["p50"],
                f"{QUERIES} boxes, ~{median(counts):.0f} rows each; {explain}"),
            row(f"{label}: features_visible_to p95", o["p95"], "ms", "raw SQL geom && envelope p95", r["p95"]),
            row(f"{label}: Feature.objects (no access check) p50", p["p50"], "ms", "raw SQL geom && envelope p50",
                r["p50"], "ORM + GEOS overhead alone"),
        ]
    result.append(row(f"generate {QUERY_ROWS // 1_000_000}M features (SQL)", generated, "s", "", None,
                      "INSERT ... SELECT generate_series with indexes, setup only"))
    return result


def run() -> list[Row]:
    """Store and query figures, each beside its same-run baseline."""
    with tempfile.TemporaryDirectory(prefix="bench-features-") as tmp, bench_database(media_root=Path(tmp)):
        user = bench_user()
        analysis = setup_analysis(user)
        return store_rows(analysis) + query_rows(analysis, user)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "bench"))
    from run_all import format_text, machine

    print(format_text(run(), machine()))
