"""Property-based fuzzing of every operation of the published OpenAPI schema against the live server.

Schemathesis generates requests from the schema (positive data: values the schema allows) and each response
must pass its checks: no 5xx, a status code and a Content-Type the operation documents, and a body matching the
documented schema. The server is pytest-django's live server on the real PostGIS and Redis, and the requests
are authenticated as a user who owns data (an image, an analysis with features, a project), with the path ids
of operations fixed to that data half of the time so that the success paths run too, not only the 404s.
Bounded: a few examples per operation and a wall-time budget for the whole test.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.collab.conftest import Team
from tests.collab.conftest import team as team  # noqa: F401 - fixture
from tests.rasters.conftest import _media  # noqa: F401 - fixture
from tests.rasters.conftest import make_raster as make_raster  # noqa: F401 - fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

EXAMPLES_PER_OPERATION = 12
WALL_BUDGET_S = 150.0
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Destructive operations run last, so the data they delete served every other operation first.
DESTRUCTIVE = ("DELETE", "/leave/", "/decline/", "/accept/")


def _fixed_ids(team: Team, raster_id: int, feature_id: int) -> dict[str, dict[str, Any]]:
    """Path parameters naming the fuzz user's own objects, by the path prefix they belong to."""
    return {
        "/api/v1/rasters/{id}/tiles/": {"id": raster_id, "z": 0, "x": 0, "y": 0},
        "/api/v1/rasters/": {"id": raster_id},
        "/api/v1/analyses/": {"id": team.analysis.pk, "z": 0, "x": 0, "y": 0},
        "/api/v1/features/tiles/": {"body": "mars", "z": 3, "x": 8, "y": 3},
        "/api/v1/reference/tiles/": {"body": "mars", "z": 3, "x": 8, "y": 3},
        "/api/v1/features/": {"id": feature_id},
        "/api/v1/projects/": {"id": team.project.pk, "user_id": team.cast.collaborator.pk},
        "/api/v1/stats/analyses/": {"id": team.analysis.pk},
        "/api/v1/stats/images/": {"id": team.raster.pk},
        "/api/v1/stats/projects/": {"id": team.project.pk},
        "/api/v1/bodies/": {"slug": "mars"},
    }


def _order(label: str) -> tuple[int, str]:
    return (1 if any(mark in label for mark in DESTRUCTIVE) else 0, label)


@pytest.fixture
def fuzz_user(team: Team, live_server: Any, make_raster: Any, shared_data: Path) -> dict[str, Any]:
    from rest_framework.authtoken.models import Token

    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif")
    # The team's image is a row without files: give it the processed files, so a ready image has its COG.
    shutil.copytree(raster.directory, team.raster.directory)
    token = Token.objects.create(user=team.cast.owner)
    return {"headers": {"Authorization": f"Token {token.key}"}, "raster": raster, "team": team}


def _fuzz(operation: Any, pinned: dict[str, Any], base_url: str, session: requests.Session,
          headers: dict[str, str]) -> list[str]:
    """Run the operation's examples; one message per distinct (status, failure kind)."""
    strategies = [operation.as_strategy()]
    if pinned:
        strategies.append(operation.as_strategy(path_parameters=pinned))
    failures: dict[str, str] = {}

    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategies))
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=60)
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as error:  # collected, then all reported at the end
            key = f"{operation.label} {response.status_code} {type(error).__name__}"
            failures.setdefault(key, f"{key}: {_first_lines(str(error))}")

    run()
    return list(failures.values())


def test_every_operation_answers_within_its_schema(live_server: Any, fuzz_user: dict[str, Any]) -> None:
    raw = requests.get(f"{live_server.url}/api/v1/schema/?format=json", timeout=60)
    assert raw.status_code == 200
    schema = schemathesis.openapi.from_dict(raw.json())
    team: Team = fuzz_user["team"]
    fixed = _fixed_ids(team, fuzz_user["raster"].pk, team.features[0].pk)
    session = requests.Session()
    operations = sorted((result.ok() for result in schema.get_all_operations()),  # type: ignore[union-attr]
                        key=lambda op: _order(op.label))
    assert len(operations) >= 60
    failures: list[str] = []
    started = time.monotonic()
    for operation in operations:
        if time.monotonic() - started > WALL_BUDGET_S:
            pytest.fail(f"wall budget of {WALL_BUDGET_S:.0f} s spent before {operation.label}")
        names = {p.name for p in operation.path_parameters}
        ours = next((ids for prefix, ids in fixed.items() if operation.path.startswith(prefix)), {})
        pinned = {k: v for k, v in ours.items() if k in names}
        failures += _fuzz(operation, pinned, live_server.url, session, fuzz_user["headers"])
    elapsed = time.monotonic() - started
    assert not failures, f"{len(failures)} failures in {elapsed:.0f} s:\n" + "\n".join(failures)


def _first_lines(text: str, n: int = 8) -> str:
    lines = [line for line in text.splitlines() if line.strip() and not re.match(r"^\s*curl ", line)]
    return " | ".join(lines[:n])[:1200]
