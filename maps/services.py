"""Writes of the maps app: export files and export jobs."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from maps import selectors
from maps.exports import FORMATS
from maps.exports.catalog import csv_chunks, scc_chunks
from maps.exports.craterstats import diam_chunks, write_crater_shapefiles
from maps.exports.geojson import geojson_chunks
from maps.exports.ogr import ExportError, write_ogr
from maps.filters import BadQuery, FeatureQuery, query_from_dict
from maps.models import ExportJob
from rasters.models import Body

TEXT_FORMATS = ("geojson", "csv", "scc", "diam")

log = logging.getLogger(__name__)


def export_chunks(user: Any, query: FeatureQuery, fmt: str, body: Body) -> Iterator[str]:
    """The text of a GeoJSON, CSV, ``.scc`` or ``.diam`` export, in chunks to stream or to write.

    GeoJSON holds every outline the region touches, the CSV catalogue and the ``.scc`` the features whose
    centre lies inside it; all take one analysis per image unless analyses are named
    (:func:`maps.selectors.features_counted`). A ``.scc`` without a counting area raises :class:`BadQuery`
    here, before the first chunk.
    """
    features = selectors.export_features(user, query, fmt)
    if fmt == "geojson":
        return geojson_chunks(features, body, selectors.export_metadata(query))
    if fmt == "csv":
        return csv_chunks(features)
    if fmt == "scc":
        area, ring = selectors.counting_area(user, query, body)
        return scc_chunks(features, body, area, ring)
    if fmt == "diam":
        return diam_chunks(features, body, selectors.counting_area(user, query, body)[0])
    raise BadQuery(f"{fmt!r} is not a text export format.")


def write_export(user: Any, query: FeatureQuery, fmt: str, path: Path) -> int:
    """Write the features ``user`` may see matching ``query`` to ``path`` in ``fmt``; returns the feature count."""
    if fmt not in FORMATS:
        raise BadQuery(f"Unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    body = selectors.export_body(user, query)
    features = selectors.export_features(user, query, fmt)
    count = features.count()
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt in TEXT_FORMATS:
        chunks = export_chunks(user, query, fmt, body)
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.writelines(chunks)
    elif fmt == "cratershp":
        write_crater_shapefiles(features, body, selectors.counting_geometry(user, query), path,
                                name=f"geoplanet_{body.slug}")
    else:
        write_ogr(features, body, path, fmt)
    return count


def export_job_create(user: Any, query: FeatureQuery, fmt: str) -> ExportJob:
    """Record a large export and queue it once the row is committed."""
    from maps.tasks import export_run

    if fmt not in FORMATS:
        raise BadQuery(f"Unknown export format {fmt!r}.")
    job = ExportJob.objects.create(owner=user, format=fmt, params=query.to_params())
    transaction.on_commit(lambda: export_run.delay(job.pk))
    return job


def export_job_run(job_id: int) -> str:
    """Claim a queued job (a duplicate delivery finds nothing to claim), write its file, record the outcome."""
    queued = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED)
    claimed = queued.update(status=ExportJob.Status.RUNNING)
    if not claimed:
        return "skipped"
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    started = time.monotonic()
    try:
        # Visibility is evaluated now, as the owner: an image unshared since the request is not exported.
        count = write_export(job.owner, query_from_dict(job.params), job.format, job.path)
    except (BadQuery, ExportError, OSError) as error:
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        log.warning("export %s failed: %s", job_id, error)
        return "failed"
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.DONE, feature_count=count, size_bytes=job.path.stat().st_size,
        finished_at=timezone.now(),
    )
    log.info("export %s: %s features as %s in %.1f s", job_id, count, job.format, time.monotonic() - started)
    return "done"


def export_job_for_user(user: Any, pk: int | str) -> ExportJob:
    """The job if ``user`` created it; else 404."""
    from django.http import Http404

    job = ExportJob.objects.filter(pk=int(pk), owner_id=getattr(user, "pk", None)).first()
    if job is None:
        raise Http404("No such export.")
    return job
