"""Where the real mission data lives, for every test (no Django import: the plain-core tests use it too)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    """``$GEOPLANET_SHARED_DATA``, else ``../shared/data`` beside the checkout."""
    env = os.environ.get("GEOPLANET_SHARED_DATA")
    return Path(env) if env else (REPO.parent / "shared" / "data").resolve()


def require_shared_data() -> Path:
    """The data folder; a missing one fails the test (a skip would hide a broken checkout or CI setup)."""
    path = shared_data_dir()
    if not path.is_dir():
        pytest.fail(f"shared data not found at {path} (set GEOPLANET_SHARED_DATA)")
    return path
