"""Celery tasks for rasters: they take ids, call one service, and let the service record status."""

from __future__ import annotations

from celery import shared_task

from rasters import services


@shared_task(name="rasters.process_raster", acks_late=True, queue="default")
def process_raster(raster_id: int) -> bool:
    """Convert an uploaded raster to a COG with thumbnail and statistics."""
    return services.raster_process(raster_id)
