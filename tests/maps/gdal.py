"""Read files and services back with Debian's GDAL command-line tools (fiona/pyogrio are not installed)."""

from __future__ import annotations

import subprocess  # noqa: S404
from pathlib import Path


def ogrinfo(*args: str | Path, config: dict[str, str] | None = None) -> str:
    cmd = ["/usr/bin/ogrinfo", "-ro"]
    for key, value in (config or {}).items():
        cmd += ["--config", key, value]
    result = subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


def feature_count(summary: str) -> int:
    for line in summary.splitlines():
        if line.startswith("Feature Count:"):
            return int(line.split(":")[1])
    raise AssertionError(f"no feature count in:\n{summary}")
