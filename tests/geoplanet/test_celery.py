from __future__ import annotations

import pytest

from geoplanet.celery import app, ping
from tests.conftest import WorkerProcess


@pytest.mark.slow
def test_real_worker_runs_a_task(celery_worker_process: WorkerProcess) -> None:
    result = ping.apply_async(args=("mars",))
    assert result.get(timeout=120) == "pong:mars"


def test_queues_are_declared() -> None:
    names = {queue.name for queue in app.conf.task_queues}
    assert names == {"default", "inference"}
    assert app.conf.task_routes["segmentation.*"] == {"queue": "inference"}
