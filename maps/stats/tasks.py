"""Celery task for reports: takes a job id, calls one service, and the service records the status."""

from __future__ import annotations

from celery import shared_task

from maps.stats import services


@shared_task(name="maps.stats.generate_report", acks_late=True, queue="default", soft_time_limit=600, time_limit=660)
def generate_report(job_id: str) -> bool:
    """Render a queued report's PDF and HTML (a duplicate message finds the job claimed and does nothing)."""
    return services.report_generate(job_id)
