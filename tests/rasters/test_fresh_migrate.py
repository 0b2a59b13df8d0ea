"""A database created by ``manage.py migrate`` alone (no fixture, no sync) accepts every real GeoTIFF.

The suite's own test database goes through pytest-django, whose transactional tests flush the tables and a
fixture puts the bodies back; a deployment has only what the migrations wrote. This test builds exactly that:
an empty database, ``migrate`` in a subprocess, then the uploads in another subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from rasters.core.bodies import all_bodies
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def _admin_connection() -> psycopg.Connection:
    from django.conf import settings

    db: dict[str, Any] = dict(settings.DATABASES["default"])
    return psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"],
                           dbname="postgres", autocommit=True, connect_timeout=10)


@pytest.fixture
def fresh_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for subprocesses bound to a new, empty database (dropped afterwards)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = f"test_geoplanet_fresh_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with _admin_connection() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="geoplanet.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{name}",
        MEDIA_ROOT=str(tmp_path / "media"),
        GEOPLANET_TEST_RUN=f"fresh-{uuid.uuid4().hex[:8]}",  # its own broker prefix: no worker of ours runs its jobs
        PYTHONPATH=str(REPO),
    )
    try:
        yield env
    finally:
        with _admin_connection() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_fresh_migrate_uploads_every_real_geotiff(fresh_env: dict[str, str], shared_data: Path) -> None:
    manage = [sys.executable, "manage.py"]
    migrated = subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=REPO, env=fresh_env,
                              capture_output=True, text=True, timeout=600)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    run = subprocess.run([sys.executable, "-m", "tests.rasters.fresh_upload", str(shared_data)], cwd=REPO,
                         env=fresh_env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines[0]["bodies"] == sorted(body.slug for body in all_bodies()), "migrate must write every known body"
    rows = lines[1:]
    tifs = sorted(shared_data.glob("*/*.tif"))
    assert len(tifs) >= 5 and len(rows) == len(tifs) + 2
    for row in rows:
        assert row["status"] < 500, row
    plain = {row["file"]: row for row in rows if not row["extra"]}
    for path in tifs:
        row = plain[path.name]
        assert row["status"] == 201, row
        assert row["json"]["body"] == path.parent.name, row  # files live in mars/ and moon/
        assert row["processed"] == "ready", row
    krypton, titan = rows[-2], rows[-1]
    assert krypton["status"] == 400 and "krypton" in str(krypton["json"]["body"])
    assert titan["status"] == 201 and titan["json"]["body"] == "titan" and titan["json"]["crs_warning"]
