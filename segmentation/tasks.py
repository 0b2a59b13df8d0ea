"""Celery tasks of the inference queue. torch is imported inside the engine only when a task runs."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from segmentation import services


@shared_task(name="segmentation.run_analysis", acks_late=True, soft_time_limit=3 * 3600, time_limit=3 * 3600 + 300)
def run_analysis(analysis_id: int) -> bool:
    """Segment the analysis' image and store its features."""
    return services.analysis_run(analysis_id)


@worker_ready.connect
def _recover_on_start(**_: Any) -> None:
    # A worker that starts picks up analyses whose previous worker died mid-job.
    services.analyses_recover_stale()
