"""The deployment files, checked without a Docker engine: compose services and queues, the Dockerfile's inputs,
the entrypoint's syntax, and that no secret is committed. ``docker compose config`` and ``hadolint`` run where
they are installed and are skipped (with the reason) where they are not."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "docker"
APP_SERVICES = ("web", "worker", "inference-worker")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def dockerfile() -> str:
    # Join continuation lines so each instruction is one line.
    return re.sub(r"\\\n\s*", " ", (DOCKER / "Dockerfile").read_text())


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (DOCKER / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def command_of(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_compose_has_the_five_services(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"postgis", "redis", "web", "worker", "inference-worker"}
    assert compose["services"]["postgis"]["image"] == "postgis/postgis:15-3.4"
    assert compose["services"]["redis"]["image"].startswith("redis:")


def test_app_services_share_image_env_file_and_media(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["build"] == {"context": "..", "dockerfile": "docker/Dockerfile"}, name
        assert service["env_file"] == ".env", name
        assert "media:/data/media" in service["volumes"], name
        env = service["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "geoplanet.settings.production", name
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgis:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["MEDIA_ROOT"] == "/data/media", name
    assert {"media", "pgdata", "redisdata"} <= set(compose["volumes"])


def test_only_web_migrates_and_workers_wait_for_it(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["web"]["environment"]["GEOPLANET_MIGRATE"] == "1"
    for name in ("worker", "inference-worker"):
        assert services[name]["environment"]["GEOPLANET_MIGRATE"] == "0"
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy"
    for dependency in ("postgis", "redis"):
        assert services["web"]["depends_on"][dependency]["condition"] == "service_healthy"
        assert "healthcheck" in services[dependency]


def test_web_runs_gunicorn(compose: dict[str, Any]) -> None:
    command = command_of(compose["services"]["web"])
    assert command[:2] == ["gunicorn", "geoplanet.wsgi"]
    assert "0.0.0.0:8000" in command


def test_workers_consume_the_queues_the_settings_route_to(compose: dict[str, Any], settings: Any) -> None:
    worker = command_of(compose["services"]["worker"])
    inference = command_of(compose["services"]["inference-worker"])
    assert worker[:4] == ["celery", "-A", "geoplanet", "worker"]
    assert worker[worker.index("-Q") + 1] == settings.CELERY_TASK_DEFAULT_QUEUE == "default"
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert inference[inference.index("-Q") + 1] == "inference" and routed == {"inference"}
    assert inference[inference.index("--concurrency") + 1] == "1"


def test_gpu_reservation_is_offered_commented_out(compose: dict[str, Any]) -> None:
    assert "deploy" not in compose["services"]["inference-worker"]
    text = (DOCKER / "compose.yaml").read_text()
    commented = [line.strip() for line in text.splitlines() if line.strip().startswith("#")]
    for fragment in ("deploy:", "reservations:", "devices:", "driver: nvidia", "capabilities: [gpu]"):
        assert any(fragment in line for line in commented), fragment


def test_dockerfile_base_packages_and_installers(dockerfile: str) -> None:
    assert "python:3.11-slim-bookworm" in dockerfile
    assert 'requires-python = ">=3.11,<3.12"' in (REPO / "pyproject.toml").read_text()
    apt = next(line for line in dockerfile.splitlines() if "apt-get install" in line)
    for package in ("gdal-bin", "libgdal32", "libgeos-c1v5", "postgresql-client"):
        assert package in apt.split(), package
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "npm ci" in dockerfile
    assert "collectstatic --noinput" in dockerfile


def test_dockerfile_runs_as_a_non_root_user(dockerfile: str) -> None:
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}


def test_dockerfile_copies_files_that_exist(dockerfile: str) -> None:
    for name in ("uv.lock", "package-lock.json", "pyproject.toml", "package.json", "manage.py"):
        assert (REPO / name).is_file(), name
    for line in dockerfile.splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            *sources, _destination = line.split()[1:]
            for source in sources:
                assert source == "." or (REPO / source).exists(), source
    entrypoint = re.search(r'ENTRYPOINT \["/app/([^"]+)"', dockerfile)
    assert entrypoint and (REPO / entrypoint.group(1)).is_file()
    assert os.access(REPO / entrypoint.group(1), os.X_OK)


def test_build_context_leaves_out_secrets_and_local_builds() -> None:
    ignored = set((DOCKER / "Dockerfile.dockerignore").read_text().split())
    assert {".env", "docker/.env", ".git", ".venv", "node_modules", "var"} <= ignored


def test_entrypoint_is_valid_bash_that_waits_migrates_and_execs() -> None:
    script = DOCKER / "entrypoint.sh"
    subprocess.run(["bash", "-n", str(script)], check=True)
    text = script.read_text()
    assert "pg_isready" in text and "manage.py migrate --noinput" in text
    assert text.rstrip().endswith('exec "$@"')


def test_no_secret_is_committed() -> None:
    example = env_example()
    for key, value in example.items():
        if re.search(r"SECRET|PASSWORD|TOKEN", key):
            assert value == "", f"{key} must be empty in .env.example"
    tracked = subprocess.run(["git", "ls-files", "docker"], cwd=REPO, capture_output=True, text=True, check=True)
    assert "docker/.env" not in tracked.stdout.split()
    long_random = re.compile(r"[A-Za-z0-9_\-+/]{40,}")
    for path in DOCKER.iterdir():
        if path.is_file() and path.name != ".env":
            text = path.read_text()
            assert "PRIVATE KEY" not in text, path.name
            tokens = [t for t in long_random.findall(text) if re.search(r"\d", t) and re.search(r"[A-Za-z]", t)]
            assert not tokens, path.name


def test_every_interpolated_variable_is_documented(compose: dict[str, Any]) -> None:
    text = (DOCKER / "compose.yaml").read_text()
    variables = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", text))
    assert variables and variables <= set(env_example())


def test_production_refuses_the_examples_empty_secret_key() -> None:
    env = {**os.environ, **env_example(), "DJANGO_SETTINGS_MODULE": "geoplanet.settings.production"}
    proc = subprocess.run([sys.executable, "-c", "import geoplanet.settings.production"], cwd=REPO, env=env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode != 0 and "SECRET_KEY must be a random string" in proc.stderr


def _docker_compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not _docker_compose_available(), reason="the docker compose plugin is not installed here")
def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    env_file = DOCKER / ".env"
    created = not env_file.exists()
    if created:
        env_file.write_text("POSTGRES_PASSWORD=placeholder\nSECRET_KEY=placeholder\n")
    try:
        subprocess.run(["docker", "compose", "-f", str(DOCKER / "compose.yaml"), "config", "--quiet"],
                       check=True, cwd=REPO)
    finally:
        if created:
            env_file.unlink()


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint is not installed here")
def test_hadolint_accepts_the_dockerfile() -> None:
    subprocess.run(["hadolint", "--failure-threshold", "error", str(DOCKER / "Dockerfile")], check=True)
