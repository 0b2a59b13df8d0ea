"""Writes of reference catalogues: a whole catalogue loaded at once with PostgreSQL COPY."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.db import connection, transaction

from maps.core.catalogues import CatalogueError, CatalogueSpec, read_catalogue
from maps.models import ReferenceCatalogue, ReferenceCrater
from rasters.models import Body

log = logging.getLogger(__name__)

_COLUMNS = ("catalogue_id", "body_id", "lon", "lat", "diameter_km", "geom")


def catalogue_load(spec: CatalogueSpec, path: Path) -> ReferenceCatalogue:
    """Load (or reload) the catalogue ``spec`` from ``path``; its previous craters are replaced.

    One transaction: a malformed line raises :class:`CatalogueError` and leaves the catalogue as it was.
    """
    body = Body.objects.filter(slug=spec.body).first()
    if body is None:
        raise CatalogueError(f"No body {spec.body!r} in the database (migrations not run?)")
    if not path.is_file():
        raise CatalogueError(f"{path} does not exist")
    started = time.monotonic()
    with transaction.atomic():
        catalogue, _ = ReferenceCatalogue.objects.update_or_create(
            slug=spec.slug,
            defaults={"body": body, "name": spec.name, "citation": spec.citation, "source": spec.source},
        )
        # No row refers to a reference crater, so this is one DELETE statement.
        ReferenceCrater.objects.filter(catalogue=catalogue).delete()
        table = ReferenceCrater._meta.db_table
        count, low, high = 0, float("inf"), 0.0
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN"  # noqa: S608 - constant identifiers
        ) as copy:
            for lon, lat, diameter in read_catalogue(path, spec):
                copy.write_row((catalogue.pk, body.pk, lon, lat, diameter, f"POINT({lon!r} {lat!r})"))
                count += 1
                low, high = min(low, diameter), max(high, diameter)
        if not count:
            raise CatalogueError(f"{path.name} holds no crater")
        ReferenceCatalogue.objects.filter(pk=catalogue.pk).update(
            crater_count=count, min_diameter_km=low, max_diameter_km=high
        )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {ReferenceCrater._meta.db_table}")  # noqa: S608 - constant identifier
    log.info("catalogue %s: %s craters in %.1f s", spec.slug, count, time.monotonic() - started)
    catalogue.refresh_from_db()
    return catalogue
