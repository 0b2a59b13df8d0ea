"""GeoJSON export rate (features/s) of the streamed API export, beside ``ogr2ogr`` reading the same table.

    .venv/bin/python bench/bench_export.py        (or through bench/run_all.py)

Features are synthetic Mars craters made with SQL in ``geoplanet_bench``. The API export
(``/api/v1/features/export/?analysis=...&format=geojson``, server-side cursor, StreamingHttpResponse) is
consumed to the end; GDAL's ``ogr2ogr -f GeoJSON`` reads the same rows straight from PostGIS.
"""

from __future__ import annotations

import os
import subprocess  # noqa: S404
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, Row, bench_database, median, row  # noqa: E402
from bench_features_api import populate  # noqa: E402

EXPORT_ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", 200_000))
REPEATS = 2


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp, bench_database(media_root=Path(tmp)) as url:
        from django.conf import settings
        from django.http import StreamingHttpResponse
        from rest_framework.test import APIClient

        settings.MAPS_EXPORT_SYNC_LIMIT = EXPORT_ROWS + 1
        user, analysis = populate(EXPORT_ROWS)
        client = APIClient()
        client.force_authenticate(user)

        def api() -> float:
            start = time.perf_counter()
            r = client.get("/api/v1/features/export/", {"analysis": analysis.pk, "format": "geojson"})
            size = sum(len(chunk) for chunk in cast(StreamingHttpResponse, r))  # the test client's are sync
            assert r.status_code == 200 and size > 0
            return time.perf_counter() - start

        db = settings.DATABASES["default"]
        pg = (f"PG:host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} dbname={db['NAME']} "
              f"user={db['USER']} password={db['PASSWORD']}")
        out = Path(tmp) / "ogr.geojson"

        def ogr() -> float:
            out.unlink(missing_ok=True)
            start = time.perf_counter()
            sql = ("SELECT id, class_name, confidence, diameter_km, area_km2, geom FROM segmentation_feature "  # noqa: S608
                   f"WHERE analysis_id = {int(analysis.pk)}")
            subprocess.run(["/usr/bin/ogr2ogr", "-f", "GeoJSON", str(out), pg, "-sql", sql],  # noqa: S603
                           check=True, capture_output=True)
            return time.perf_counter() - start

        api_s = median([api() for _ in range(REPEATS)])
        ogr_s = median([ogr() for _ in range(REPEATS)])
        del url
        return [row(f"GeoJSON export rate ({EXPORT_ROWS // 1000}k features, streamed API)", EXPORT_ROWS / api_s,
                    "features/s", "ogr2ogr PG -> GeoJSON", EXPORT_ROWS / ogr_s)]


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "bench"))
    from run_all import format_text, machine

    print(format_text(run(), machine()))
