"""Mapbox vector tiles of features from PostGIS ``ST_AsMVT``, on Leaflet's lon/lat tile grid.

Leaflet's ``L.CRS.EPSG4326`` (which ``static/js/planetmap.js`` reuses with the body's radius) tiles the
lon/lat plane -180..180 x -90..90 with 2 x 1 tiles at zoom 0, so a tile spans ``180 / 2**z`` degrees. We
compute that envelope ourselves (``ST_TileEnvelope`` makes square grids) in SRID 0, the SRID of the stored
geometries, so the GiST index on ``geom`` answers the tile's bounding-box test.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet

from geoplanet.bound import bound_cursor

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 22
# A tile never carries more than this many features; at low zoom the largest come first.
MAX_FEATURES_PER_TILE = 20_000
# Cached tiles expire anyway after this long (a new data version makes them unreachable at once).
TILE_CACHE_SECONDS = 3600
# Tiles down to this zoom are kept in the cache; deeper ones are rendered on every request. A deep tile covers
# few features: over 1M features PostGIS renders one at z7 in about 1.2 ms, while the cache costs a hit the
# version read and a get (~0.3 ms) and a miss a set on top. Misses are the rule there, as a user's browser
# revalidates with the ETag (answered from the version alone) and nobody else shares the user's key. At z4-z5 a
# tile takes 5-40 ms, and the cache pays (bench/bench_vector_tiles.py).
CACHE_MAX_ZOOM = 5
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
    whether a body with slug ``body`` exists (so an unknown body costs no second query; with no ``body`` always
    true), and the data version the tile was read at (:func:`data_version`, from the same snapshot).

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
          ORDER BY q.area_km2 DESC NULLS LAST, q.id
          LIMIT {MAX_FEATURES_PER_TILE}
        ) t WHERE t.mvtgeom IS NOT NULL),
        (%s = '' OR EXISTS (SELECT 1 FROM {bodies} WHERE slug = %s)),
        (SELECT version FROM maps_dataversion WHERE id = 1)
    """  # noqa: S608 - the inner SQL is Django's own, every value is a parameter
    envelope = [minlon, minlat, maxlon, maxlat]
    return sql, [point_deg, *envelope, *inner_params, *envelope, *where_params, body, body]


@dataclass(frozen=True)
class RenderedTile:
    """A tile's MVT bytes (empty when no feature touches it) and the data version they were read at."""

    data: bytes
    version: int


def render_tile(rows: tuple[str, list[Any]], z: int, x: int, y: int,
                region: tuple[str, list[Any]] = ("", []), body: str = "") -> RenderedTile:
    """Tile ``z/x/y``, in one statement.

    Raises :class:`UnknownBody` when ``body`` is given, the tile is empty and no body has that slug; an empty
    tile of an unknown body must not be served (or cached) as if the body had no features.
    """
    sql, params = tile_sql(rows, z, x, y, region, body)
    # One prepared statement for every zoom, on its generic plan (geoplanet.bound): it drew z4 tiles as fast as
    # custom plans did, and z8-z10 tiles 0.15-0.6 ms faster than planning each call (bench_vector_tiles.py).
    with bound_cursor() as cursor:
        cursor.execute(sql, params)
        tile, known, version = cursor.fetchone()
    if tile is None or len(tile) == 0:
        if not known:
            raise UnknownBody(body)
        tile = b""
    return RenderedTile(bytes(tile), int(version or 0))


def data_version() -> int:
    """The counter the database raises whenever features, images or memberships change (``maps.DataVersion``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM maps_dataversion WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def version_key(version: int, user_id: int | None, params: list[tuple[str, str]], z: int, x: int, y: int) -> str:
    """The key of one user's tile with these filters under data version ``version`` (cache key and ETag seed).

    The user is in the key because visibility is per user, the version because any committed edit, review or
    change of access must show on the next tile.
    """
    query = "&".join(f"{k}={v}" for k, v in sorted(params))
    digest = hashlib.sha1(query.encode(), usedforsecurity=False).hexdigest()
    return f"mvt:{version}:{user_id or 0}:{digest}:{z}:{x}:{y}"


def tile_cache_key(user_id: int | None, params: list[tuple[str, str]], z: int, x: int, y: int) -> str | None:
    """:func:`version_key` under the current data version; None inside a transaction, where the version does
    not count the transaction's own uncommitted writes yet, so neither a cache nor an ETag may be used."""
    if connection.in_atomic_block:
        return None
    return version_key(data_version(), user_id, params, z, x, y)


def etag_of(key: str) -> str:
    return '"' + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest() + '"'


@dataclass(frozen=True)
class TileAnswer:
    """What a tile request gets: the bytes, or None when ``if_none_match`` named the current tile (a 304); and
    the tile's ETag (None inside a transaction)."""

    data: bytes | None
    etag: str | None


def tile_answer(user_id: int | None, params: list[tuple[str, str]], z: int, x: int, y: int,
                render: Callable[[], RenderedTile], if_none_match: str | None = None) -> TileAnswer:
    """Tile ``z/x/y`` for one user and filters: from the cache down to :data:`CACHE_MAX_ZOOM`, rendered below it.

    ``render`` draws the tile with the version it was read at. A request whose ``if_none_match`` is the current
    ETag costs the version read alone. Bad coordinates raise :class:`BadTile` before anything is read.
    """
    tile_envelope(z, x, y)
    if connection.in_atomic_block:
        return TileAnswer(render().data, None)
    cached = z <= CACHE_MAX_ZOOM
    if cached or if_none_match:
        key = version_key(data_version(), user_id, params, z, x, y)
        if if_none_match == etag_of(key):
            return TileAnswer(None, etag_of(key))
        if cached:
            data = cache.get(key)
            if data is None:
                data = render().data
                cache.set(key, data, TILE_CACHE_SECONDS)
            return TileAnswer(bytes(data), etag_of(key))
    tile = render()
    return TileAnswer(tile.data, etag_of(version_key(tile.version, user_id, params, z, x, y)))
