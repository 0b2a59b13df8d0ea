"""Writes for rasters: create from an upload, process into a COG, retry, edit, delete."""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from rasters.core import errors
from rasters.core.bodies import Body as BodyReference
from rasters.core.inspect import Limits, RasterInfo, inspect_raster
from rasters.models import Body, Raster

log = logging.getLogger(__name__)

# The stored file's extension comes from the driver GDAL recognised, never from the client's file name.
_EXTENSIONS = {
    "GTiff": ".tif",
    "COG": ".tif",
    "PNG": ".png",
    "JPEG": ".jpg",
    "JP2OpenJPEG": ".jp2",
    "PDS": ".img",
    "PDS4": ".xml",
    "ISIS2": ".cub",
    "ISIS3": ".cub",
    "VICAR": ".vic",
    "FITS": ".fits",
}


def body_register(reference: BodyReference) -> Body:
    """The Body row of a body from the reference list, created with its spatial_ref_sys entry if missing.

    The reference-data migration fills the table on a fresh ``migrate``; this covers a body the table lacks
    anyway (a table flushed or restored from an older dump, a body the list gained since), so that a file whose
    CRS names a body the platform knows is never refused for want of a row.
    """
    from django.db import connection

    from rasters.core.bodies import SPATIAL_REF_SYS_UPSERT, body_fields, spatial_ref_sys_params

    body = Body.objects.filter(slug=reference.slug).first()
    if body is not None:
        return body
    params = spatial_ref_sys_params(reference)
    with transaction.atomic():
        if params is not None:
            with connection.cursor() as cursor:
                cursor.execute(SPATIAL_REF_SYS_UPSERT, params)
        body, _ = Body.objects.update_or_create(slug=reference.slug, defaults=body_fields(reference))
    log.info("registered body %s (srid %s)", body.slug, body.srid)
    return body


def body_for_slug(slug: str) -> Body:
    """The Body row for a slug the reference list knows (registered on demand); CRSError for any other."""
    from rasters.core.bodies import get_body

    body = Body.objects.filter(slug=slug).first()
    return body if body is not None else body_register(get_body(slug))


def bodies_sync() -> int:
    """Create or update the Body rows from PROJ's IAU 2015 database (the migration does the same)."""
    from rasters.core.bodies import all_bodies, body_fields

    for body in all_bodies():
        Body.objects.update_or_create(slug=body.slug, defaults=body_fields(body))
    return Body.objects.count()


def upload_limits() -> Limits:
    """Limits from settings, so deployments tune them through the environment."""
    return Limits(
        max_bytes=settings.MAX_UPLOAD_BYTES,
        max_pixels=settings.MAX_RASTER_PIXELS,
        max_dimension=settings.MAX_RASTER_DIMENSION,
    )


def _store_upload(upload: UploadedFile, directory: Path) -> tuple[Path, str, int]:
    """Copy the upload into ``directory`` under a fixed name, hashing it on the way."""
    path = directory / "upload.bin"
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        for chunk in upload.chunks():
            size += len(chunk)
            if size > settings.MAX_UPLOAD_BYTES:
                raise errors.RasterTooLarge(
                    f"The file is larger than the {settings.MAX_UPLOAD_BYTES // 1024**2} MB upload limit."
                )
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise errors.EmptyFile()
    return path, digest.hexdigest(), size


def _as_multipolygon(geometry: Any) -> MultiPolygon | None:
    if geometry is None:
        return None
    geos = GEOSGeometry(memoryview(geometry.wkb), srid=0)
    if geos.geom_type == "Polygon":
        return MultiPolygon(geos, srid=0)
    return cast(MultiPolygon, geos)  # footprints are polygons or multipolygons


def _resolve_body(info: RasterInfo, body_slug: str | None) -> tuple[Body | None, str, str]:
    """The body to record, how it was decided, and a warning when the user's choice contradicts the file."""
    detected = info.body
    if body_slug:
        body = body_for_slug(body_slug)
        warning = ""
        if detected is not None and detected.body.slug != body.slug:
            warning = (
                f"The file's coordinate system belongs to {detected.body.name}, but you chose {body.name}: "
                f"its coordinates are read as {body.name} longitude/latitude and measured on {body.name}'s radius."
            )
        return body, "user", warning
    if detected is None:
        return None, "", ""
    return body_register(detected.body), detected.rule, ""


def _remeasure_on(info: RasterInfo, body: Body) -> None:
    """The user overrode the file's body: its lon/lat are read as the chosen body's, measured on its radius."""
    from rasters.core.geodesy import polygon_area_km2

    detected_radius = info.body.body.mean_radius_m if info.body else body.mean_radius_m
    info.footprint_area_km2 = polygon_area_km2(info.footprint, body.mean_radius_m)
    if info.pixel_size_m and info.crs_wkt and _is_geographic(info.crs_wkt):
        ratio = body.mean_radius_m / detected_radius
        info.pixel_size_m = (info.pixel_size_m[0] * ratio, info.pixel_size_m[1] * ratio)


def _is_geographic(wkt: str) -> bool:
    import pyproj

    return bool(pyproj.CRS.from_wkt(wkt).is_geographic)


def raster_create(
    *, owner: Any, upload: UploadedFile, title: str = "", description: str = "", body_slug: str | None = None
) -> Raster:
    """Validate and store an upload, record what inspection found, and queue its conversion.

    A ``.zip`` upload is a multi-file product (``raster_create_product``). Raises a
    ``rasters.core.errors.RasterError`` for bad input; then nothing stays behind (no file, no row).
    """
    if (upload.name or "").lower().endswith(".zip"):
        return raster_create_product(
            owner=owner, uploads=[upload], title=title, description=description, body_slug=body_slug
        )
    _check_declared_size([upload])
    key = uuid.uuid4()
    directory = Path(settings.MEDIA_ROOT) / "rasters" / str(key)
    directory.mkdir(parents=True, exist_ok=False)
    try:
        stored, checksum, size = _store_upload(upload, directory)
        info = inspect_raster(stored, upload_limits())
        ext = _EXTENSIONS.get(info.driver, ".bin")
        stored.rename(directory / f"original{ext}")
        client_name = Path(upload.name or "upload").name[:255]
        raster = _record(
            owner=owner, key=key, info=info, body_slug=body_slug, title=title, description=description,
            client_name=client_name, ext=ext, size=size, checksum=checksum, product_files=[],
        )
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return raster


def raster_create_product(
    *,
    owner: Any,
    uploads: Sequence[UploadedFile],
    title: str = "",
    description: str = "",
    body_slug: str | None = None,
) -> Raster:
    """Store a multi-file product (its files together, or one ``.zip`` of them) and queue its conversion.

    The files keep their names in the raster's private ``product/`` folder, which holds nothing else; labels
    may reference only those files (``rasters.core.products``); GDAL opens the primary label from there.
    A refusal raises a ``RasterError`` and leaves no file and no row.
    """
    from rasters.core.products import (
        ZipLimits,
        assemble,
        check_unique,
        extract_zip,
        is_archive_name,
        safe_name,
    )

    _check_declared_size(uploads)
    key = uuid.uuid4()
    directory = Path(settings.MEDIA_ROOT) / "rasters" / str(key)
    product_dir = directory / "product"
    product_dir.mkdir(parents=True, exist_ok=False)
    try:
        if len(uploads) == 1 and (uploads[0].name or "").lower().endswith(".zip"):
            archive, _, _ = _store_upload(uploads[0], directory)
            with archive.open("rb") as handle:
                magic = handle.read(4)
            if magic not in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip with members, or an empty one
                raise errors.UnsupportedFormat("This .zip file is not a zip archive.")
            limits = ZipLimits(max_total_bytes=settings.MAX_UPLOAD_BYTES)
            names = extract_zip(archive, product_dir, limits)
            archive.unlink()
        else:
            names = check_unique(safe_name(Path(upload.name or "").name) for upload in uploads)
            for name in names:
                if is_archive_name(name):
                    raise errors.NestedArchive(f"“{name}”: upload an archive alone, not among other files.")
            _store_files(uploads, product_dir, names)
        product = assemble(product_dir, names)
        info = inspect_raster(product.primary_path, upload_limits(), product=product.names)
        files = [product.primary, *(name for name in product.names if name != product.primary)]
        checksum, size = _checksum(product_dir, files)
        client_name = (uploads[0].name if len(uploads) == 1 else product.primary) or product.primary
        raster = _record(
            owner=owner, key=key, info=info, body_slug=body_slug, title=title, description=description,
            client_name=Path(client_name).name[:255], ext=_EXTENSIONS.get(info.driver, ".bin"), size=size,
            checksum=checksum, product_files=files,
        )
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return raster


def _check_declared_size(uploads: Sequence[UploadedFile]) -> None:
    if sum(upload.size or 0 for upload in uploads) > settings.MAX_UPLOAD_BYTES:
        raise errors.RasterTooLarge(
            f"The file is larger than the {settings.MAX_UPLOAD_BYTES // 1024**2} MB upload limit."
        )


def _store_files(uploads: Sequence[UploadedFile], directory: Path, names: Sequence[str]) -> None:
    """Write a product's files under their checked names, the upload limit counting all of them together."""
    total = 0
    for upload, name in zip(uploads, names, strict=True):
        with (directory / name).open("xb") as out:
            for chunk in upload.chunks():
                total += len(chunk)
                if total > settings.MAX_UPLOAD_BYTES:
                    raise errors.RasterTooLarge(
                        f"The files are larger than the {settings.MAX_UPLOAD_BYTES // 1024**2} MB upload limit."
                    )
                out.write(chunk)
    if total == 0:
        raise errors.EmptyFile()


def _checksum(directory: Path, names: Sequence[str]) -> tuple[str, int]:
    """One SHA-256 over the product: each file's name and digest in order; and the bytes in all."""
    digest = hashlib.sha256()
    size = 0
    for name in names:
        path = directory / name
        file_digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1024**2):
                file_digest.update(chunk)
                size += len(chunk)
        digest.update(f"{name}\0{file_digest.hexdigest()}\n".encode())
    return digest.hexdigest(), size


def _record(
    *,
    owner: Any,
    key: uuid.UUID,
    info: RasterInfo,
    body_slug: str | None,
    title: str,
    description: str,
    client_name: str,
    ext: str,
    size: int,
    checksum: str,
    product_files: list[str],
) -> Raster:
    """The Raster row of an inspected upload, its processing queued once the row is committed."""
    body, detection, warning = _resolve_body(info, body_slug)
    if warning and info.footprint is not None and body is not None:
        _remeasure_on(info, body)
    with transaction.atomic():
        raster = Raster.objects.create(
            owner=owner,
            title=(title or Path(client_name).stem or "Untitled image")[:200],
            description=description,
            body=body,
            body_detection=detection,
            crs_warning=warning,
            storage_key=key,
            original_name=client_name,
            original_ext=ext,
            size_bytes=size,
            checksum_sha256=checksum,
            driver=info.driver,
            width=info.width,
            height=info.height,
            band_count=info.count,
            dtype=info.dtype,
            nodata=info.nodata,
            scales=info.scales,
            offsets=info.offsets,
            crs_wkt=info.crs_wkt or "",
            georeferenced=info.georeferenced,
            resolution_m=(sum(info.pixel_size_m) / 2) if info.pixel_size_m else None,
            footprint=_as_multipolygon(info.footprint),
            footprint_area_km2=info.footprint_area_km2,
            metadata=info.metadata,
            product_files=product_files,
            acquired_at=info.acquired_at,
            overview_count=info.overview_count,
        )
        transaction.on_commit(lambda: _queue_processing(raster.pk))
    return raster


def _queue_processing(raster_id: int) -> None:
    from rasters.tasks import process_raster

    process_raster.delay(raster_id)


def raster_process(raster_id: int) -> bool:
    """Make the COG, thumbnail and band statistics. Safe to run twice: only a queued raster is claimed."""
    from rasters.core.cog import band_statistics, make_cog, make_thumbnail

    claimed = Raster.objects.filter(pk=raster_id, status=Raster.Status.QUEUED).update(
        status=Raster.Status.PROCESSING, error=""
    )
    if not claimed:
        return False
    raster = Raster.objects.get(pk=raster_id)
    started = time.monotonic()
    try:
        partial = raster.directory / "cog.partial.tif"
        make_cog(raster.original_path, partial, product=raster.product_files or None)
        partial.replace(raster.cog_path)
        make_thumbnail(raster.cog_path, raster.thumbnail_path)
        stats = [_plain(s) for s in band_statistics(raster.cog_path)]
    except errors.RasterError as error:
        _fail(raster_id, error.message)
        return False
    except Exception as error:  # noqa: BLE001 - any failure is recorded for the user, the original is kept
        log.exception("processing raster %s failed", raster_id)
        _fail(raster_id, f"Conversion failed ({type(error).__name__}). The original is kept; you can retry.")
        return False
    elapsed = time.monotonic() - started
    Raster.objects.filter(pk=raster_id, status=Raster.Status.PROCESSING).update(
        status=Raster.Status.READY, band_stats=stats, processing_seconds=elapsed
    )
    log.info("raster %s ready in %.2f s", raster_id, elapsed)
    return True


def _plain(stats: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    return asdict(stats) if is_dataclass(stats) and not isinstance(stats, type) else dict(stats)


def _fail(raster_id: int, message: str) -> None:
    Raster.objects.filter(pk=raster_id).update(status=Raster.Status.FAILED, error=message[:2000])


def raster_retry(raster: Raster) -> bool:
    """Queue a failed raster again; the original was kept."""
    updated = Raster.objects.filter(pk=raster.pk, status=Raster.Status.FAILED).update(
        status=Raster.Status.QUEUED, error=""
    )
    if updated:
        transaction.on_commit(lambda: _queue_processing(raster.pk))
    return bool(updated)


def raster_update(raster: Raster, *, title: str, description: str) -> Raster:
    """Edit the owner's descriptive fields."""
    raster.title = title
    raster.description = description
    # Only the edited fields: the rest were checked at upload, and an empty ``scales`` list must not block a title.
    raster.clean_fields(exclude=[f.name for f in Raster._meta.fields if f.name not in {"title", "description"}])
    raster.save(update_fields=["title", "description", "updated_at"])
    return raster


def raster_delete(raster: Raster) -> None:
    """Delete the row and, once that is committed, its files."""
    directory = raster.directory
    with transaction.atomic():
        raster.delete()
        transaction.on_commit(lambda: shutil.rmtree(directory, ignore_errors=True))
