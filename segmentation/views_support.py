"""Helpers shared by the analysis pages and API: mask tiles with caching, GeoJSON of features."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotModified

from rasters.core.bodies import get_body
from segmentation.models import Analysis, Feature

TILE_SECONDS = 24 * 3600


def mask_tile_response(request: Any, analysis: Analysis, z: int, x: int, y: int) -> HttpResponse:
    """Serve (and cache) one mask tile; 404 until the analysis is done or outside the image."""
    from rasters.core.tiles import tms_for_body
    from segmentation.mask_tiles import render_mask_tile

    if analysis.status != Analysis.Status.DONE or not analysis.mask_path.exists():
        raise Http404("The analysis has no mask yet.")
    if not 0 <= z <= 24 or x < 0 or y < 0:
        raise Http404("No such tile.")
    key = f"mask:{analysis.pk}:{analysis.finished_at.timestamp() if analysis.finished_at else 0:.0f}:{z}:{x}:{y}"
    etag = '"' + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest() + '"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    data = cache.get(key)
    if data is None:
        raster = analysis.raster
        tms = tms_for_body(get_body(raster.body.slug)) if raster.georeferenced and raster.body else None
        data = render_mask_tile(analysis.mask_path, z, x, y, classes=analysis.model_version.classes, tms=tms) or b""
        cache.set(key, data, TILE_SECONDS)
    if not data:
        raise Http404("This tile holds none of the image.")
    response = HttpResponse(data, content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = f"private, max-age={TILE_SECONDS}"
    return response


_PROPS = (
    "class_name", "confidence", "area_km2", "perimeter_km", "center_lon", "center_lat", "center_x_px",
    "center_y_px", "diameter_km", "diameter_px", "length_km", "length_px", "orientation_deg", "area_px",
    "review_status", "reviewed_class",
)


def features_geojson(analysis: Analysis, *, pixel: bool = False) -> dict[str, Any]:
    """The analysis' features as a FeatureCollection in the body's lon/lat (or pixel space), body named."""
    from django.contrib.gis.db.models.functions import AsGeoJSON

    raster = analysis.raster
    column = "pixel_geom" if pixel or not raster.georeferenced else "geom"
    rows = (
        Feature.objects.filter(analysis=analysis)
        .exclude(**{f"{column}__isnull": True})
        .annotate(geojson=AsGeoJSON(column, precision=6))
        .values("id", "geojson", *_PROPS)
        .order_by("id")
    )
    features = []
    for row in rows.iterator(chunk_size=2000):
        geometry = json.loads(row.pop("geojson"))
        fid = row.pop("id")
        row["effective_class"] = row["reviewed_class"] or row["class_name"]
        features.append({"type": "Feature", "id": fid, "geometry": geometry, "properties": row})
    body = raster.body
    return {
        "type": "FeatureCollection",
        "name": f"analysis-{analysis.pk}",
        "body": body.name if body else None,
        "coordinates": "pixel" if column == "pixel_geom" else f"{body.name if body else ''} longitude/latitude",
        "crs_wkt": body.crs_wkt if body and column == "geom" else None,
        "model_version": analysis.model_version.label,
        "features": features,
    }
