from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from geoplanet.settings import env
from tests.conftest import REPO


def test_env_bool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "Yes")
    assert env.env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env.env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        env.env_bool("FLAG", False)


def test_env_int(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("N", "12")
    assert env.env_int("N", 1) == 12
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env.env_int("N", 1)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("N", 5, minimum=1)


def test_env_str_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MISSING_THING", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MISSING_THING"):
        env.env_str("MISSING_THING")


def test_database_url() -> None:
    db = env.database_from_url("postgres://u:p%40ss@db.example:6543/planets?sslmode=require")
    assert db["ENGINE"] == "django.contrib.gis.db.backends.postgis"
    got = (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"])
    assert got == ("u", "p@ss", "db.example", "6543", "planets")
    assert db["OPTIONS"] == {"sslmode": "require"}
    with pytest.raises(ImproperlyConfigured, match="postgres://"):
        env.database_from_url("mysql://u@h/db")
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        env.database_from_url("postgres://u@h/")


def _run_check(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    environment.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING",
         "--settings", "geoplanet.settings.production"],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=120,
    )


def test_production_settings_pass_check_deploy() -> None:
    result = _run_check({"SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "geoplanet.example.org"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret() -> None:
    result = _run_check({"ALLOWED_HOSTS": "geoplanet.example.org"})
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY" in result.stderr


def test_production_refuses_weak_secret() -> None:
    result = _run_check({"SECRET_KEY": "short", "ALLOWED_HOSTS": "x"})
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr
