"""The Celery application: tasks run on Redis, with a separate ``inference`` queue for GPU-capable workers."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoplanet.settings.dev")

app = Celery("geoplanet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("default"), Queue("inference"))
app.autodiscover_tasks()
app.autodiscover_tasks(["maps.stats"])  # sub-package tasks: maps.stats.tasks


@app.task(name="geoplanet.ping")
def ping(value: str) -> str:
    """Echo ``value``: lets tests and health checks prove a real worker consumes the queue."""
    return f"pong:{value}"
