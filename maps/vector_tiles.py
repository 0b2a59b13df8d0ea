"""Mapbox vector tiles of features from PostGIS ``ST_AsMVT``, on Leaflet's lon/lat tile grid.

Leaflet's ``L.CRS.EPSG4326`` (which ``static/js/planetmap.js`` reuses with the body's radius) tiles the
lon/lat plane -180..180 x -90..90 with 2 x 1 tiles at zoom 0, so a tile spans ``180 / 2**z`` degrees. We
compute that envelope ourselves (``ST_TileEnvelope`` makes square grids) in SRID 0, the SRID of the stored
geometries, so the GiST index on ``geom`` answers the tile's bounding-box test.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 22
# A tile never carries more than this many features; at low zoom the largest come first.
MAX_FEATURES_PER_TILE = 20_000
# Cached tiles expire anyway after this long (a new data version makes them unreachable at once).
TILE_CACHE_SECONDS = 3600
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


def tile_rows(user: Any, query: Any) -> QuerySet[Any]:
    """The columns a tile carries, of the features ``user`` may see that match ``query`` (its region aside)."""
    from maps.selectors import features_matching

    features: QuerySet[Any] = features_matching(user, query)  # annotated with ``effective``
    return (
        features.filter(geom__isnull=False).order_by()
        .values("id", "geom", "effective", "class_name", "review_status", "confidence", "diameter_km",
                "area_km2", "raster_id", "analysis_id")
    )


class UnknownBody(LookupError):
    """The tile's body is not in the bodies table."""


def tile_sql(rows: tuple[str, list[Any]], z: int, x: int, y: int,
             region: tuple[str, list[Any]] = ("", []), body: str = "") -> tuple[str, list[Any]]:
    """SQL and parameters of one row: the MVT (bytea) from :func:`tile_rows`' SQL (visibility checked inside),
    and whether a body with slug ``body`` exists (so an unknown body costs no second query); with no ``body``
    that second column is always true.

    ``region`` is an ``AND ...`` condition on ``q.geom`` (``maps.statements.region_condition``).
    """
    from rasters.models import Body

    minlon, minlat, maxlon, maxlat = tile_envelope(z, x, y)
    bodies = connection.ops.quote_name(Body._meta.db_table)
    point_deg = (maxlon - minlon) / 256 * POINT_PIXELS
    inner_sql, inner_params = rows
    where_sql, where_params = region
    sql = f"""
        SELECT (SELECT ST_AsMVT(t, 'features', {EXTENT}, 'mvtgeom', 'id') FROM (
          SELECT q.id, q.effective AS class, q.class_name AS detected, q.review_status AS review,
                 round(q.confidence::numeric, 3)::float AS confidence, q.diameter_km, q.area_km2,
                 q.raster_id AS raster, q.analysis_id AS analysis,
                 ST_AsMVTGeom(
                   CASE WHEN ST_XMax(q.geom) - ST_XMin(q.geom) < %s THEN ST_PointOnSurface(q.geom) ELSE q.geom END,
                   ST_MakeEnvelope(%s, %s, %s, %s, 0)::box2d, {EXTENT}, {BUFFER}, true
                 ) AS mvtgeom
          FROM ({inner_sql}) q
          WHERE q.geom && ST_MakeEnvelope(%s, %s, %s, %s, 0){where_sql}
          ORDER BY q.area_km2 DESC NULLS LAST
          LIMIT {MAX_FEATURES_PER_TILE}
        ) t WHERE t.mvtgeom IS NOT NULL),
        (%s = '' OR EXISTS (SELECT 1 FROM {bodies} WHERE slug = %s))
    """  # noqa: S608 - the inner SQL is Django's own, every value is a parameter
    envelope = [minlon, minlat, maxlon, maxlat]
    return sql, [point_deg, *envelope, *inner_params, *envelope, *where_params, body, body]


def render_tile(rows: tuple[str, list[Any]], z: int, x: int, y: int,
                region: tuple[str, list[Any]] = ("", []), body: str = "") -> bytes:
    """The MVT bytes of tile ``z/x/y`` (empty bytes when no feature touches it).

    Raises :class:`UnknownBody` when ``body`` is given, the tile is empty and no body has that slug; an empty
    tile of an unknown body must not be served (or cached) as if the body had no features.
    """
    sql, params = tile_sql(rows, z, x, y, region, body)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        tile, known = cursor.fetchone()
    if tile is None or len(tile) == 0:
        if not known:
            raise UnknownBody(body)
        return b""
    return bytes(tile)


def data_version() -> int:
    """The counter the database raises whenever features, images or memberships change (``maps.DataVersion``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM maps_dataversion WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def tile_cache_key(user_id: int | None, params: list[tuple[str, str]], z: int, x: int, y: int) -> str | None:
    """The cache key of one user's tile under the current data version; None inside a transaction.

    The user is in the key because visibility is per user, the version because any committed edit, review or
    change of access must show on the next tile. Inside a transaction the version does not count its own
    uncommitted writes yet, so no cache is used there.
    """
    if connection.in_atomic_block:
        return None
    query = "&".join(f"{k}={v}" for k, v in sorted(params))
    digest = hashlib.sha1(query.encode(), usedforsecurity=False).hexdigest()
    return f"mvt:{data_version()}:{user_id or 0}:{digest}:{z}:{x}:{y}"


def cached_tile(key: str | None, z: int, x: int, y: int, render: Callable[[], bytes]) -> bytes:
    """The tile under ``key`` from the cache, else ``render()`` (stored under ``key``); bad coordinates raise."""
    tile_envelope(z, x, y)
    if key is None:
        return render()
    data = cache.get(key)
    if data is None:
        data = render()
        cache.set(key, data, TILE_CACHE_SECONDS)
    return bytes(data)
