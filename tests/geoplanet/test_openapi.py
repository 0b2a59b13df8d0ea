"""The OpenAPI schema generates and validates with no warnings (drf-spectacular's deploy check relies on it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import REPO


def test_schema_validates_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "geoplanet.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(out)],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    paths = yaml.safe_load(out.read_text())["paths"]
    for path in ("/api/v1/rasters/", "/api/v1/rasters/{id}/analyses/", "/api/v1/features/", "/api/v1/analyses/{id}/"):
        assert path in paths, path
    id_param = next(p for p in paths["/api/v1/rasters/{id}/"]["get"]["parameters"] if p["name"] == "id")
    assert id_param["schema"]["type"] == "integer"
