"""Celery tasks of the maps app: ids in, one service call."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="maps.export_run", acks_late=True)
def export_run(job_id: int) -> str:
    """Write a large export; the job row records status, size and errors."""
    from maps import services

    return services.export_job_run(job_id)
