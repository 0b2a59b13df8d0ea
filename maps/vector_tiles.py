"""Mapbox vector tiles of features from PostGIS ``ST_AsMVT``, on Leaflet's lon/lat tile grid.

Leaflet's ``L.CRS.EPSG4326`` (which ``static/js/planetmap.js`` reuses with the body's radius) tiles the
lon/lat plane -180..180 x -90..90 with 2 x 1 tiles at zoom 0, so a tile spans ``180 / 2**z`` degrees. We
compute that envelope ourselves (``ST_TileEnvelope`` makes square grids) in SRID 0, the SRID of the stored
geometries, so the GiST index on ``geom`` answers the tile's bounding-box test.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 22
# A tile never carries more than this many features; at low zoom the largest come first.
MAX_FEATURES_PER_TILE = 20_000
# Features narrower than this many tile pixels are sent as points, so small craters stay visible zoomed out.
POINT_PIXELS = 2


class BadTile(ValueError):
    """Tile coordinates outside the grid."""


def tile_envelope(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """``(minlon, minlat, maxlon, maxlat)`` of tile ``z/x/y`` on Leaflet's lon/lat grid."""
    if not (0 <= z <= MAX_ZOOM) or not (0 <= x < 2 ** (z + 1)) or not (0 <= y < 2**z):
        raise BadTile(f"No tile {z}/{x}/{y}.")
    span = 180.0 / 2**z
    minlon = -180.0 + x * span
    maxlat = 90.0 - y * span
    return minlon, maxlat - span, minlon + span, maxlat


def tile_sql(features: QuerySet[Any], z: int, x: int, y: int) -> tuple[str, list[Any]]:
    """SQL and parameters producing one MVT (bytea) from a filtered, visibility-checked feature queryset."""
    minlon, minlat, maxlon, maxlat = tile_envelope(z, x, y)
    point_deg = (maxlon - minlon) / 256 * POINT_PIXELS
    inner = (
        features.filter(geom__isnull=False)
        .extra(where=["segmentation_feature.geom && ST_MakeEnvelope(%s, %s, %s, %s, 0)"],
               params=[minlon, minlat, maxlon, maxlat])
        .order_by()
        .values("id", "geom", "effective", "class_name", "review_status", "confidence", "diameter_km",
                "area_km2", "raster_id", "analysis_id")
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    sql = f"""
        SELECT ST_AsMVT(t, 'features', {EXTENT}, 'mvtgeom', 'id') FROM (
          SELECT q.id, q.effective AS class, q.class_name AS detected, q.review_status AS review,
                 round(q.confidence::numeric, 3)::float AS confidence, q.diameter_km, q.area_km2,
                 q.raster_id AS raster, q.analysis_id AS analysis,
                 ST_AsMVTGeom(
                   CASE WHEN ST_XMax(q.geom) - ST_XMin(q.geom) < %s THEN ST_PointOnSurface(q.geom) ELSE q.geom END,
                   ST_MakeEnvelope(%s, %s, %s, %s, 0)::box2d, {EXTENT}, {BUFFER}, true
                 ) AS mvtgeom
          FROM ({inner_sql}) q
          ORDER BY q.area_km2 DESC NULLS LAST
          LIMIT {MAX_FEATURES_PER_TILE}
        ) t WHERE t.mvtgeom IS NOT NULL
    """  # noqa: S608 - the inner SQL is Django's own, every value is a parameter
    return sql, [point_deg, minlon, minlat, maxlon, maxlat, *inner_params]


def render_tile(features: QuerySet[Any], z: int, x: int, y: int) -> bytes:
    """The MVT bytes of tile ``z/x/y`` (empty bytes when no feature touches it)."""
    sql, params = tile_sql(features, z, x, y)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""
