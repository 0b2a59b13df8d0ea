"""Report generation: a job is requested in the web request and rendered by one Celery task.

Decision: every PDF/HTML report runs in Celery. A report renders ~10 matplotlib pages plus the map snapshot
(about 2-4 s for an analysis with a few thousand features on this hardware), which is already too long for a
request; statistics pages and JSON answers, by contrast, are computed synchronously (one query + numpy).

Jobs live in the cache (Redis) with a one-week expiry and their files under MEDIA_ROOT/reports/<id>/: a report
is a disposable rendering of data that stays in the database, so it needs no table or migration. The job
records who asked; downloading re-checks that user's access to the target, so a revoked share also revokes
the report.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from maps.core.report import CsfdSection, ReferenceSection, ReportData, render_html, render_pdf
from maps.stats.errors import StatsError
from maps.stats.selectors import Scope, scope_for_target
from maps.stats.snapshot import snapshot
from maps.stats.summary import CsfdParams, csfd_params, summarize
from maps.stats.targets import Target, target_from_dict

log = logging.getLogger(__name__)

JOB_TTL_S = 7 * 24 * 3600
CLAIM_TTL_S = 3600
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
DATA_CREDITS = {
    "Mars": "MOLA (NASA/JPL/GSFC); chronology: craterstats (G. Michael) with Neukum, Ivanov and Hartmann functions",
    "Moon": "LRO (NASA/GSFC/Arizona State University); chronology: craterstats (G. Michael), Neukum et al.",
}


def _key(job_id: str) -> str:
    return f"maps.stats.report:{job_id}"


def reports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "reports"


def job_dir(job_id: str) -> Path:
    """Folder of a job's files; the id is a uuid hex, never a user-supplied path."""
    return reports_root() / uuid.UUID(hex=job_id).hex


def job_get(job_id: str) -> dict[str, Any] | None:
    """The job record, or None when unknown or expired."""
    try:
        uuid.UUID(hex=job_id)
    except (ValueError, TypeError):
        return None
    job = cache.get(_key(job_id))
    return dict(job) if job else None


def _job_update(job_id: str, **changes: Any) -> dict[str, Any]:
    job = job_get(job_id) or {}
    job.update(changes)
    cache.set(_key(job_id), job, JOB_TTL_S)
    return job


def report_request(user: Any, target: Target, params: CsfdParams) -> dict[str, Any]:
    """Check access now, record a queued job and queue its task after the transaction commits."""
    scope = scope_for_target(user, target)  # 404 / InvalidTarget before anything is queued
    job_id = uuid.uuid4().hex
    job = {
        "id": job_id,
        "user_id": user.pk,
        "target": target.as_dict(),
        "params": params.__dict__.copy(),
        "title": scope.title,
        "status": QUEUED,
        "error": "",
        "created_at": timezone.now().isoformat(),
        "seconds": None,
    }
    cache.set(_key(job_id), job, JOB_TTL_S)
    from maps.stats.tasks import generate_report

    transaction.on_commit(lambda: generate_report.delay(job_id))
    return job


def _parameters(scope: Scope, params: CsfdParams) -> dict[str, str]:
    out = {"Counting area": f"{scope.area_km2:,.1f} km² ({scope.area_source})" if scope.area_km2 else "unknown"}
    for a in scope.analyses[:5]:
        for k, v in sorted((a.parameters or {}).items()):
            out[f"Analysis {a.pk} {k}"] = str(v)
    out["CSFD binning"] = params.binning
    if params.has_range:
        out["Age fit"] = f"{params.method}, D {params.d_min:g}–{params.d_max:g} km"
    if scope.target.classes:
        out["Classes"] = ", ".join(scope.target.classes)
    if scope.target.min_confidence:
        out["Minimum confidence"] = f"{scope.target.min_confidence:g}"
    return out


def report_data(scope: Scope, params: CsfdParams) -> ReportData:
    """Fill the core's ReportData from the database: stats, CSFD, fit, method and credits."""
    summary = summarize(scope, params)
    versions = sorted({a.model_version.label for a in scope.analyses})
    sections = []
    if summary.csfd.binned is not None:
        fits = [summary.csfd.fit] if summary.csfd.fit else []
        sections.append(CsfdSection(scope.title, summary.csfd.binned, fits))
    lines = [scope.title, f"Counting area: {scope.area_km2:,.1f} km² ({scope.area_source})" if scope.area_km2 else ""]
    lines += [f"Image: {r.title} ({r.original_name})" for r in scope.rasters[:10]]
    credits = [f"Images: uploaded by their owners ({', '.join(sorted({r.owner.username for r in scope.rasters}))})"]
    if scope.body and scope.body.name in DATA_CREDITS:
        credits.append(DATA_CREDITS[scope.body.name])
    credits.append("Crater statistics and model ages: craterstats (G. Michael, BSD-3); plots: matplotlib")
    return ReportData(
        reference=_reference_sections(scope),
        title=_short(f"GeoPlanet report – {scope.title}"),
        body=scope.body_name,
        description="\n".join(x for x in lines if x),
        map_png=snapshot(scope),
        stats=summary.stats,
        csfd=sections,
        model_version="; ".join(versions),
        parameters=_parameters(scope, params),
        credits=credits,
        generated_at=timezone.now().isoformat(timespec="seconds"),
    )


def _reference_sections(scope: Scope) -> list[ReferenceSection]:
    """The scope's craters against every reference catalogue of its body (none loaded, none shown)."""
    from maps.models import ReferenceCatalogue
    from maps.reference.selectors import scope_against_catalogue

    if scope.body is None:
        return []
    sections = []
    for catalogue in ReferenceCatalogue.objects.filter(body=scope.body, crater_count__gt=0):
        try:
            found = scope_against_catalogue(scope, catalogue)
        except StatsError:  # no footprint on the body: nothing to compare
            continue
        sections.append(ReferenceSection(catalogue.name, catalogue.citation, found, found["bins"]))
    return sections


def _short(title: str, limit: int = 46) -> str:
    # The PDF title is one line of 16 pt text on A4; the full name is repeated in the description.
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _claim(job_id: str) -> bool:
    # cache.add is atomic in Redis: a duplicated or retried message finds the claim taken and does nothing.
    job = job_get(job_id)
    if job is None or job.get("status") != QUEUED:
        return False
    return bool(cache.add(_key(job_id) + ":claim", 1, CLAIM_TTL_S))


def report_generate(job_id: str) -> bool:
    """Render the PDF and HTML of a queued job; records running/done/failed. Returns True if it ran."""
    if not _claim(job_id):
        return False
    job = _job_update(job_id, status=RUNNING)
    started = time.monotonic()
    try:
        user = get_user_model().objects.get(pk=job["user_id"])
        scope = scope_for_target(user, target_from_dict(job["target"]))
        data = report_data(scope, csfd_params(job["params"]))
        folder = job_dir(job_id)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.pdf").write_bytes(render_pdf(data))
        (folder / "report.html").write_text(render_html(data), encoding="utf-8")
    except Exception as exc:  # recorded for the user; the traceback goes to the log
        log.exception("report %s failed", job_id)
        _job_update(job_id, status=FAILED, error=str(getattr(exc, "message", "")) or "Report generation failed.")
        return True
    seconds = round(time.monotonic() - started, 2)
    _job_update(job_id, status=DONE, seconds=seconds)
    log.info("report %s rendered in %.2f s", job_id, seconds)
    return True


def report_delete(job_id: str) -> None:
    """Forget a job and remove its files."""
    cache.delete(_key(job_id))
    cache.delete(_key(job_id) + ":claim")
    shutil.rmtree(job_dir(job_id), ignore_errors=True)
