"""Helpers for multi-file product tests: the committed sample script, multipart posts, zips."""

from __future__ import annotations

import importlib.util
import zipfile
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_planetary_samples.py"


def sample_script() -> ModuleType:
    """scripts/make_planetary_samples.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_planetary_samples", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def post_files(client: APIClient, files: Iterable[tuple[str, bytes]], **extra: str) -> Any:
    """One multipart POST with every file in the repeated ``file`` field."""
    uploads = [SimpleUploadedFile(name, content) for name, content in files]
    return client.post("/api/v1/rasters/", {"file": uploads, **extra}, format="multipart")


def post_paths(client: APIClient, paths: Iterable[Path], **extra: str) -> Any:
    return post_files(client, [(path.name, path.read_bytes()) for path in paths], **extra)


def zip_bytes(members: Iterable[tuple[str, bytes]], directory: Path, name: str = "product.zip") -> Path:
    path = directory / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, content in members:
            archive.writestr(member, content)
    return path


def media_snapshot(media: Path) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*")} if media.exists() else set()
