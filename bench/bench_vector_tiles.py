"""Vector tiles: p50/p95 of ``/api/v1/features/tiles/mars/{z}/{x}/{y}.pbf`` over 1M features, beside raw ST_AsMVT.

    .venv/bin/python bench/bench_vector_tiles.py        (or through bench/run_all.py)

Same 1M synthetic Mars features as bench_features_api (in ``geoplanet_bench``). The API tile (auth, visibility,
filters, feature cap, points for sub-pixel features) is timed beside the floor: a bare
``ST_AsMVT(ST_AsMVTGeom(geom, envelope))`` over the same envelope with no visibility check.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, Row, bench_database, percentiles, row  # noqa: E402
from bench_features_api import QUERIES, ROWS, populate, timed  # noqa: E402

ZOOMS = tuple(range(4, 11))  # z4-z10, the zooms of issue 17
SEED = 20240603


def tiles(z: int, n: int) -> list[tuple[int, int, int]]:
    rng = random.Random(SEED + z)  # noqa: S311 - benchmark sampling
    rows = 2**z
    # Features span latitudes -80..80: keep to tiles inside that band.
    margin = max(1, rows // 18) if z > 2 else 0
    return [(z, rng.randrange(0, 2 * rows), rng.randrange(margin, rows - margin)) for _ in range(n)]


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-maps-") as tmp, bench_database(media_root=Path(tmp)):
        from django.db import connection
        from rest_framework.test import APIClient

        from maps.vector_tiles import tile_envelope

        user, _ = populate()
        client = APIClient()
        client.force_authenticate(user)

        def api(t: tuple[int, int, int]) -> None:
            r = client.get(f"/api/v1/features/tiles/mars/{t[0]}/{t[1]}/{t[2]}.pbf")
            assert r.status_code == 200

        def raw(t: tuple[int, int, int]) -> None:
            env = tile_envelope(*t)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT ST_AsMVT(q, 'features', 4096, 'g') FROM (SELECT id, class_name, "
                    "ST_AsMVTGeom(geom, ST_MakeEnvelope(%s,%s,%s,%s,0)::box2d, 4096, 64, true) AS g "
                    "FROM segmentation_feature WHERE geom && ST_MakeEnvelope(%s,%s,%s,%s,0)) q", [*env, *env])
                cursor.fetchone()

        result: list[Row] = []
        for z in ZOOMS:
            sample = tiles(z, QUERIES)
            a, b = percentiles(timed(api, sample)), percentiles(timed(raw, sample))
            label = f"z{z}, {ROWS // 1000}k features"
            result.append(row(f"vector tile p50 ({label})", a["p50"], "ms", "raw ST_AsMVT p50", b["p50"]))
            result.append(row(f"vector tile p95 ({label})", a["p95"], "ms", "raw ST_AsMVT p95", b["p95"]))
        return result


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "bench"))
    from run_all import format_text, machine

    print(format_text(run(), machine()))
