"""Writes for manual counts: craters digitised by hand on an image, stored as the features of an analysis.

A manual count is an :class:`~segmentation.models.Analysis` of kind ``manual`` (one per image, its editors add
to it) whose model version is the pseudo version ``manual``. Its craters are ``Feature`` rows like detected
ones, so visibility, review, vector tiles, statistics (CSFD, model age) and exports treat them alike. The crater
is measured in ``maps.core.hand_craters`` (CraterTools' rule); this module checks access, places it on the image
and stores it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyproj
import rasterio
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import transaction
from django.utils import timezone
from shapely.geometry import Polygon

from collab.access import can_edit_raster
from collab.errors import InvalidInput, NotAllowed
from maps.core.hand_craters import (
    HandCrater,
    HandCraterError,
    crater_from_centre,
    crater_from_rim,
    crater_outline,
    small_circle,
)
from rasters.core.geodesy import body_transformer
from rasters.fields import BODY_LONLAT_SRID
from rasters.models import Raster
from segmentation.models import MANUAL_MODEL_KEY, Analysis, Feature, ModelVersion

MANUAL_CLASSES = [
    {"index": 0, "name": "background", "color": [0, 0, 0]},
    {"index": 1, "name": "crater", "color": [255, 107, 61]},
]
METHODS = ("rim", "centre")


def manual_model_version() -> ModelVersion:
    """The pseudo model version that manual counts record (created on first use)."""
    version, _ = ModelVersion.objects.get_or_create(
        weights_sha256=MANUAL_MODEL_KEY,
        defaults={
            "name": "manual", "version": "manual", "weights_file": "", "classes": MANUAL_CLASSES,
            "card": {"description": "Craters digitised by hand in the explorer: three rim points or centre and "
                                    "radius, the diameter at true scale at the crater's centre (CraterTools, "
                                    "Kneissl et al. 2011)."},
        },
    )
    return version


def manual_count_for(*, user: Any, raster: Raster) -> Analysis:
    """The image's manual count, created (done, by ``user``) when it has none yet."""
    # Lock the image row so two first craters at once make one count, not two.
    Raster.objects.select_for_update().filter(pk=raster.pk).first()
    count = Analysis.objects.filter(raster=raster, kind=Analysis.Kind.MANUAL).order_by("pk").first()
    if count is not None:
        return count
    now = timezone.now()
    count = Analysis.objects.create(
        raster=raster, kind=Analysis.Kind.MANUAL, model_version=manual_model_version(),
        parameters={"method": "hand digitised craters (CraterTools: true scale at the crater's centre)"},
        status=Analysis.Status.DONE, started_by=user, started_at=now, finished_at=now,
    )
    from collab.services import activity_record

    activity_record(user, "started a manual count", count)
    return count


def _measure(raster: Raster, method: str, data: dict[str, Any]) -> HandCrater:
    assert raster.body is not None  # noqa: S101 - checked by the caller
    try:
        if method == "rim":
            return crater_from_rim(data.get("rim"), raster.body.mean_radius_m)  # type: ignore[arg-type]
        if method == "centre":
            return crater_from_centre(data.get("centre"), data.get("radius_km"), raster.body.mean_radius_m)
    except HandCraterError as exc:
        raise InvalidInput(exc.message) from None
    raise InvalidInput("The method is 'rim' (three rim points) or 'centre' (centre and radius_km).")


def _pixel_outline(raster: Raster, crater: HandCrater) -> tuple[Polygon, tuple[float, float]]:
    """The rim in the image's pixel coordinates (x right, y down) and the centre's pixel, through its CRS."""
    assert raster.body is not None  # noqa: S101 - checked by the caller
    with rasterio.open(raster.cog_path) as src:
        transform, width = src.transform, src.width
    to_body = body_transformer(pyproj.CRS.from_wkt(raster.crs_wkt), pyproj.CRS.from_wkt(raster.body.crs_wkt))
    # The rim unsplit (longitudes continuous across the antimeridian): one ring in the image's plane.
    rim = small_circle(crater.lon, crater.lat, crater.diameter_km, raster.body.mean_radius_m / 1000)
    ring = np.asarray([(crater.lon, crater.lat), *rim])
    best: tuple[Polygon, tuple[float, float]] | None = None
    # An image in 0..360 longitudes takes the crater's east-positive -180..180 longitude shifted by a turn.
    for shift in (0.0, 360.0, -360.0):
        x, y = to_body.transform(ring[:, 0] + shift, ring[:, 1], direction="INVERSE")
        cols, rows = ~transform @ (np.asarray(x), np.asarray(y))
        cols, rows = np.asarray(cols), np.asarray(rows)
        if not (np.isfinite(cols).all() and np.isfinite(rows).all()):
            continue
        candidate = (Polygon(zip(cols[1:], rows[1:], strict=True)), (float(cols[0]), float(rows[0])))
        if 0 <= cols[0] <= width:
            return candidate
        best = best or candidate
    if best is None:
        raise InvalidInput("The crater cannot be placed on the image's pixels.")
    return best


@transaction.atomic
def manual_crater_add(*, user: Any, raster: Raster, body: str, method: str, data: dict[str, Any]) -> Feature:
    """Measure a crater digitised on ``raster`` (``method`` ``rim``: ``data["rim"]`` three [lon, lat];
    ``centre``: ``data["centre"]`` [lon, lat] and ``data["radius_km"]``) on its body's sphere and add it to the
    image's manual count. ``body`` is the slug the client measured on; it must be the image's."""
    if not can_edit_raster(user, raster):
        raise NotAllowed("Only the image's owner and project editors can add craters to its count.")
    if raster.body is None or not raster.georeferenced or raster.footprint is None:
        raise InvalidInput("Craters are digitised on images placed on a body (georeferenced).")
    if body != raster.body.slug:
        raise InvalidInput(f"The image is on {raster.body.name}, not on “{body}”: measure on its body.")
    crater = _measure(raster, method, data)
    centre = Point(crater.lon, crater.lat, srid=BODY_LONLAT_SRID)
    if not raster.footprint.intersects(centre):
        raise InvalidInput("The crater's centre is outside the image: digitise it on the image it is counted on.")
    outline = crater_outline(crater)
    pixel, centre_px = _pixel_outline(raster, crater)
    geom = GEOSGeometry(outline.wkb.hex(), srid=BODY_LONLAT_SRID)
    diameter_px = 2 * float(np.sqrt(pixel.area / np.pi))
    count = manual_count_for(user=user, raster=raster)
    feature = Feature.objects.create(
        analysis=count, raster=raster, body=raster.body, class_name="crater", geom=geom,
        pixel_geom=GEOSGeometry(pixel.wkb.hex(), srid=BODY_LONLAT_SRID), confidence=1.0,
        area_px=float(pixel.area), area_km2=crater.area_km2, perimeter_km=crater.perimeter_km,
        center_lon=crater.lon, center_lat=crater.lat, center_x_px=centre_px[0], center_y_px=centre_px[1],
        diameter_px=diameter_px, diameter_km=crater.diameter_km,
    )
    from segmentation.selectors import class_summary

    count.summary = {"feature_count": count.features.count(), "classes": class_summary(count)}
    count.save(update_fields=["summary"])
    from collab.services import activity_record

    activity_record(user, "digitised crater", feature)
    return feature
