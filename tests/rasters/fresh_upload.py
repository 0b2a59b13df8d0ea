"""Run in a subprocess against a database that only ``manage.py migrate`` has touched: upload every real GeoTIFF.

``python -m tests.rasters.fresh_upload DATA_DIR`` prints one JSON line per request (file, status, body, and the
processing outcome). No pytest fixture runs in this process, so what the table holds is what a deployment has.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(data_dir: Path) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    from geoplanet.celery import app
    from rasters import services
    from rasters.models import Body, Raster

    setup_test_environment()  # the test client's request stack, with ALLOWED_HOSTS for testserver
    print(json.dumps({"bodies": sorted(Body.objects.values_list("slug", flat=True))}), flush=True)
    user = get_user_model().objects.create_user("fresh", "fresh@example.org", "fresh-password-1")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    uploads: list[tuple[Path, dict[str, str]]] = [(path, {}) for path in sorted(data_dir.glob("*/*.tif"))]
    mars = data_dir / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"
    uploads += [(mars, {"body": "krypton"}), (mars, {"body": "titan"})]
    for path, extra in uploads:
        with path.open("rb") as handle:
            response = client.post("/api/v1/rasters/", {"file": handle, **extra})
        row: dict[str, object] = {"file": path.name, "extra": extra, "status": response.status_code}
        if response.headers.get("Content-Type", "").startswith("application/json"):
            row["json"] = response.json()
        if response.status_code == 201:
            pk = response.json()["id"]
            services.raster_process(pk)
            raster = Raster.objects.get(pk=pk)
            row["processed"] = raster.status
            row["error"] = raster.error
        print(json.dumps(row), flush=True)
    app.control.purge()  # the queued processing messages: this process already ran them


if __name__ == "__main__":
    main(Path(sys.argv[1]))
