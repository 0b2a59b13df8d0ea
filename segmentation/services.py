"""Writes for analyses: register models, start, run, cancel, retry, recover, and store features in bulk."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import shutil
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from rasters.models import Raster
from segmentation.engine.weights import TTA_FLIPS
from segmentation.models import MANUAL_MODEL_KEY, Analysis, Feature, ModelVersion

log = logging.getLogger(__name__)

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
# tile None = the model card's tile size; tta None = the card's test-time augmentation (1, 2 or 4 passes);
# contrast_view: craters also from the local-contrast second view (segmentation.engine.contrast_view);
# multiscale: craters also at other pyramid levels (segmentation.engine.multiscale);
# light_check: craters lit like domes, filled by a cast shadow, bright from edge to edge, or (georeferenced, 100 km
# and more) standing above their surroundings or with no bowl's shading under them are dropped
# (segmentation.engine.light)
DEFAULT_PARAMETERS: dict[str, Any] = {
    "tile": None, "overlap": 64, "batch_size": 4, "min_area_px": 16, "tta": None, "contrast_view": True,
    "multiscale": True, "light_check": True,
}
_BOOLEAN_PARAMETERS = ("contrast_view", "multiscale", "light_check")


class AnalysisError(Exception):
    """A request about an analysis that cannot be honoured (wrong state, bad parameters)."""

    code = "analysis_error"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class AnalysisConflict(AnalysisError):
    code = "analysis_conflict"


def code_version() -> str:
    """The git commit of the running code when known, else the package version."""
    head = Path(settings.BASE_DIR) / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            ref = (head.parent / ref[5:]).read_text().strip()
        return ref[:40]
    except OSError:
        return "geoplanet-0.1.0"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def model_versions_sync(directory: Path = WEIGHTS_DIR) -> list[ModelVersion]:
    """Register every shipped weights file (``*.pt`` with its ``.json`` card) that is not registered yet."""
    registered = []
    for weights in sorted(directory.glob("*.pt")):
        card_path = weights.with_suffix(".json")
        if not card_path.exists():
            continue
        relative = _project_relative(weights)
        # Pages and the API call this on every view: a file registered already is not read and hashed again
        # (its name carries the hash prefix, which load_model verifies before use).
        known = ModelVersion.objects.filter(weights_file=relative).first()
        if known is not None:
            registered.append(known)
            continue
        digest = _sha256(weights)
        card = json.loads(card_path.read_text())
        version, _ = ModelVersion.objects.get_or_create(
            weights_sha256=digest,
            defaults={
                "name": card.get("name", weights.stem),
                "version": card.get("version", "v?"),
                "weights_file": relative,
                "classes": card.get("classes", []),
                "card": card,
            },
        )
        registered.append(version)
    return registered


def _project_relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path.resolve())


def default_model_version() -> ModelVersion:
    """The newest registered model; registers the shipped weights first if needed."""
    trained = ModelVersion.objects.exclude(weights_sha256=MANUAL_MODEL_KEY).order_by("-created_at", "-id")
    version = trained.first()
    if version is None:
        model_versions_sync()
        version = trained.first()
    if version is None:
        raise AnalysisError("No segmentation model is installed.")
    return version


def _clean_parameters(parameters: dict[str, Any] | None) -> dict[str, Any]:
    clean = dict(DEFAULT_PARAMETERS)
    for key, value in (parameters or {}).items():
        if key not in DEFAULT_PARAMETERS:
            raise AnalysisError(f"Unknown parameter {key!r}; known: {', '.join(DEFAULT_PARAMETERS)}.")
        if value is None:
            continue
        if key in _BOOLEAN_PARAMETERS:
            clean[key] = _boolean(key, value)
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise AnalysisError(f"Parameter {key!r} must be an integer.") from None
        if key == "tta":
            if number not in TTA_FLIPS:
                raise AnalysisError("Parameter 'tta' must be 1, 2 or 4 forward passes per tile.")
            clean[key] = number
            continue
        bounds = {"tile": (64, 2048), "overlap": (0, 512), "batch_size": (1, 64), "min_area_px": (1, 100_000)}[key]
        if not bounds[0] <= number <= bounds[1]:
            raise AnalysisError(f"Parameter {key!r} must be between {bounds[0]} and {bounds[1]}.")
        clean[key] = number
    if clean["tile"] is not None and "overlap" not in (parameters or {}):
        clean["overlap"] = min(clean["overlap"], clean["tile"] // 4)
    if clean["tile"] is not None and clean["overlap"] * 2 >= clean["tile"]:
        raise AnalysisError("The overlap must be less than half the tile size.")
    return clean


def _boolean(key: str, value: Any) -> bool:
    """True/False, 1/0 or the strings "true"/"false"/"1"/"0"; anything else (2, 0.5, "maybe") is refused."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise AnalysisError(f"Parameter {key!r} must be true or false (1 or 0).")


def analysis_start(
    *, user: Any, raster: Raster, model_version: ModelVersion | None = None, parameters: dict[str, Any] | None = None
) -> Analysis:
    """Create a queued analysis and send it to the inference queue once the transaction commits."""
    if raster.status != Raster.Status.READY:
        raise AnalysisConflict("The image is not ready yet: wait for its processing to finish.")
    analysis = Analysis.objects.create(
        raster=raster,
        model_version=model_version or default_model_version(),
        parameters=_clean_parameters(parameters),
        started_by=user,
        code_version=code_version(),
    )
    from collab.services import activity_record

    activity_record(user, "started analysis", analysis)
    transaction.on_commit(lambda: _queue(analysis.pk))
    return analysis


def _queue(analysis_id: int) -> None:
    from segmentation.tasks import run_analysis

    run_analysis.delay(analysis_id)


def _claim(analysis_id: int) -> bool:
    """Take the analysis for this worker: a queued one, or a running one whose worker stopped beating."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.ANALYSIS_STALE_SECONDS)
    from django.db.models import F, Q

    return bool(
        Analysis.objects.filter(pk=analysis_id, cancel_requested=False)
        .filter(Q(status=Analysis.Status.QUEUED) | Q(status=Analysis.Status.RUNNING, heartbeat_at__lt=stale))
        .update(
            status=Analysis.Status.RUNNING,
            heartbeat_at=now,
            started_at=now,
            progress_done=0,
            error="",
            attempts=F("attempts") + 1,
        )
    )


def analysis_run(analysis_id: int) -> bool:
    """Run one analysis end to end. Features are replaced in one transaction at the end, so a worker killed
    mid-job leaves the previous set (or none) and the rerun leaves exactly one set."""
    from segmentation.engine.errors import SegmentationCancelled, SegmentationError
    from segmentation.engine.inference import segment_raster
    from segmentation.engine.weights import load_model

    if not _claim(analysis_id):
        log.info("analysis %s not claimable (done, cancelled or running elsewhere)", analysis_id)
        return False
    analysis = Analysis.objects.select_related("raster", "raster__body", "model_version").get(pk=analysis_id)
    raster = analysis.raster
    params = analysis.parameters
    timings: dict[str, float] = {}
    try:
        t0 = time.monotonic()
        model = load_model(Path(settings.BASE_DIR) / analysis.model_version.weights_file, tta=params.get("tta"))
        timings["load_model"] = time.monotonic() - t0

        last_beat = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done == total or now - last_beat[0] > 0.5:
                last_beat[0] = now
                Analysis.objects.filter(pk=analysis_id).update(
                    progress_done=done, progress_total=total, heartbeat_at=timezone.now()
                )

        def cancelled() -> bool:
            return Analysis.objects.filter(pk=analysis_id, cancel_requested=True).exists()

        analysis.directory.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        analysis.crater_view_path.unlink(missing_ok=True)  # a retry without the view must not read an old one
        segment_raster(
            raster.cog_path, analysis.mask_path, analysis.confidence_path, model,
            tile=params.get("tile") or model.card.tile_size, overlap=params.get("overlap", 64),
            batch_size=params.get("batch_size", 4), progress=progress, cancel=cancelled,
            # analyses stored before the view existed have no such key: they keep running without it
            dst_crater_view_path=analysis.crater_view_path if params.get("contrast_view", False) else None,
        )
        timings["inference"] = time.monotonic() - t0
        t0 = time.monotonic()
        notes: dict[str, Any] = {}
        features = _extract(analysis, model, timings, notes)
        timings["postprocess"] = time.monotonic() - t0
        t0 = time.monotonic()
        with transaction.atomic():
            still_ours = Analysis.objects.select_for_update().filter(pk=analysis_id, status=Analysis.Status.RUNNING)
            if not still_ours.exists():
                return False
            count = features_replace(analysis, features)
            timings["store"] = time.monotonic() - t0
            still_ours.update(
                status=Analysis.Status.DONE, finished_at=timezone.now(), timings=timings,
                summary={**_summary(analysis, count), **notes},
            )
        log.info("analysis %s done: %s features, timings %s", analysis_id, count, timings)
        return True
    except SegmentationCancelled:
        Analysis.objects.filter(pk=analysis_id).update(status=Analysis.Status.CANCELLED, finished_at=timezone.now())
        return False
    except SegmentationError as error:
        _fail(analysis_id, str(error), timings)
        return False
    except Exception as error:  # noqa: BLE001 - recorded for the user; the worker stays up
        log.exception("analysis %s failed", analysis_id)
        _fail(analysis_id, f"The analysis failed ({type(error).__name__}: {error}).", timings)
        return False


def _fail(analysis_id: int, message: str, timings: dict[str, float]) -> None:
    Analysis.objects.filter(pk=analysis_id).update(
        status=Analysis.Status.FAILED, error=message[:2000], finished_at=timezone.now(), timings=timings
    )


def _extract(analysis: Analysis, model: Any, timings: dict[str, float], notes: dict[str, Any]) -> list[Any]:
    """The analysis' features from its masks; the extra levels' and the light check's figures go in ``notes``."""
    import rasterio

    from segmentation.engine.inference import small_block_cache
    from segmentation.engine.postprocess import Georef, extract_features

    raster = analysis.raster
    with small_block_cache(), rasterio.open(analysis.mask_path) as m, rasterio.open(analysis.confidence_path) as c:
        mask, conf, transform = m.read(1), c.read(1), m.transform
    view = None
    if analysis.parameters.get("contrast_view", False) and analysis.crater_view_path.exists():
        with small_block_cache(), rasterio.open(analysis.crater_view_path) as v:
            view = v.read(1)
    georef = None
    if raster.georeferenced and raster.body is not None and raster.crs_wkt:
        import pyproj

        from rasters.core.bodies import body_geographic_crs

        # the footprint's lon/lat, so features and footprint agree whatever axes the image CRS has
        georef = Georef(transform, pyproj.CRS.from_wkt(raster.crs_wkt), raster.body.mean_radius_m,
                        geographic_crs=body_geographic_crs(raster.body.slug))
    params = analysis.parameters
    min_area = params.get("min_area_px", 16)
    levels = None
    # analyses stored before these steps existed have no such keys: a retry keeps their results comparable
    if params.get("multiscale", False):
        from segmentation.engine.classes import model_class_index
        from segmentation.engine.multiscale import fuse_level_classes, multiscale_craters

        coarse: list[Any] = []
        levels, runs = multiscale_craters(
            raster.cog_path, model, tile=params.get("tile") or model.card.tile_size, overlap=params.get("overlap", 64),
            batch_size=params.get("batch_size", 4), min_area_px=min_area, aspect_at=georef.aspect if georef else None,
            classes_out=coarse)
        timings["multiscale"] = sum(run.seconds for run in runs)
        notes["levels"] = [{"scale": run.scale, "craters": None if run.classes_only else run.detections}
                           for run in runs]
        fused = fuse_level_classes(mask, conf, coarse, model_class_index(model))
        if fused:
            # the stored masks are what the map draws: they show the coarser levels' valleys and ridges too
            with rasterio.open(analysis.mask_path, "r+") as m, rasterio.open(analysis.confidence_path, "r+") as c:
                m.write(mask, 1)
                c.write(conf, 1)
        notes["fused_level_px"] = fused
    light = None
    if params.get("light_check", False):
        from segmentation.engine.light import light_input_for

        light = light_input_for(raster.cog_path, _sun_azimuth(raster))
    features = extract_features(
        mask, conf, classes=model.card.classes, georef=georef, min_area_px=min_area, crater_view=view, levels=levels,
        light=light,
    )
    if light is not None:
        notes["light_check"] = light.summary()
    return features


def _sun_azimuth(raster: Any) -> float | None:
    """The sun azimuth the image's label gives (degrees toward the sun, clockwise from up), if any."""
    value = ((raster.metadata or {}).get("illumination") or {}).get("sun_azimuth_deg")
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number % 360.0 if math.isfinite(number) else None


def _summary(analysis: Analysis, count: int) -> dict[str, Any]:
    from segmentation.selectors import class_summary

    return {"feature_count": count, "classes": class_summary(analysis)}


_COPY_COLUMNS = (
    "analysis_id", "raster_id", "body_id", "class_name", "geom", "pixel_geom", "confidence", "area_px", "area_km2",
    "perimeter_km", "center_lon", "center_lat", "center_x_px", "center_y_px", "diameter_px", "diameter_km",
    "length_px", "length_km", "orientation_deg", "review_status", "reviewed_class", "light_score",
)


def _finite(value: Any) -> float | None:
    """A float, or None for missing, NaN or infinite measurements (PostgreSQL JSON and stats reject NaN)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _wrap_lon(lon: float | None) -> float | None:
    """Longitudes east-positive in [-180, 180): a circle fitted at a global map's edge may land just past it."""
    return None if lon is None else ((lon + 180.0) % 360.0) - 180.0


def feature_rows(analysis: Analysis, features: list[Any]) -> list[tuple[Any, ...]]:
    """Rows for COPY: geometries as hex EWKB with SRID 0 (lon/lat on the analysis' body)."""
    from shapely import wkb

    raster = analysis.raster
    # Without georeference the engine's geometry is in pixels: only pixel_geom is filled then.
    lonlat = raster.georeferenced and raster.body_id is not None
    rows = []
    for f in features:
        centre = f.centre or (None, None)
        centre_px = f.centre_px or (None, None)
        rows.append((
            analysis.pk, raster.pk, raster.body_id, f.class_name,
            wkb.dumps(f.geometry, hex=True) if lonlat and f.geometry is not None else None,
            wkb.dumps(f.pixel_geometry, hex=True), float(f.confidence), float(f.area_px), _finite(f.area_km2),
            _finite(f.perimeter_km), _wrap_lon(_finite(centre[0])), _finite(centre[1]), _finite(centre_px[0]),
            _finite(centre_px[1]), _finite(f.diameter_px), _finite(f.diameter_km), _finite(f.length_px),
            _finite(f.length_km), _finite(f.orientation_deg), Feature.Review.UNREVIEWED, "",
            _finite(getattr(f, "light_score", None)),
        ))
    return rows


def features_replace(analysis: Analysis, features: list[Any]) -> int:
    """Replace the analysis' features with ``features`` using COPY; call inside a transaction."""
    Feature.objects.filter(analysis=analysis).delete()
    rows = feature_rows(analysis, features)
    copy_rows(rows)
    return len(rows)


def copy_rows(rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert feature rows with PostgreSQL COPY (psycopg 3)."""
    table = Feature._meta.db_table
    columns = ", ".join(_COPY_COLUMNS)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608 - constant identifiers
            for row in rows:
                copy.write_row(row)


def analysis_cancel(analysis: Analysis) -> bool:
    """Cancel a queued analysis now, or ask a running one to stop at its next tile."""
    if Analysis.objects.filter(pk=analysis.pk, status=Analysis.Status.QUEUED).update(
        status=Analysis.Status.CANCELLED, cancel_requested=True, finished_at=timezone.now()
    ):
        return True
    return bool(
        Analysis.objects.filter(pk=analysis.pk, status=Analysis.Status.RUNNING).update(cancel_requested=True)
    )


def analysis_retry(analysis: Analysis) -> bool:
    """Queue a failed or cancelled analysis again."""
    updated = Analysis.objects.filter(
        pk=analysis.pk, status__in=[Analysis.Status.FAILED, Analysis.Status.CANCELLED]
    ).update(status=Analysis.Status.QUEUED, cancel_requested=False, error="", progress_done=0)
    if updated:
        transaction.on_commit(lambda: _queue(analysis.pk))
    return bool(updated)


def analyses_recover_stale() -> list[int]:
    """Queue again every running analysis whose worker stopped beating (killed machine, OOM, deploy)."""
    stale = timezone.now() - timedelta(seconds=settings.ANALYSIS_STALE_SECONDS)
    ids = list(
        Analysis.objects.filter(status=Analysis.Status.RUNNING, heartbeat_at__lt=stale).values_list("pk", flat=True)
    )
    for pk in ids:
        _queue(pk)
    return ids


def analysis_delete(analysis: Analysis) -> None:
    """Delete an analysis, its features and its mask files."""
    directory = analysis.directory
    with transaction.atomic():
        analysis.delete()
        transaction.on_commit(lambda: shutil.rmtree(directory, ignore_errors=True))


