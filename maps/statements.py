"""The compiled SQL of the map's hot feature reads, kept per user and query shape.

Building the visibility-checked, filtered feature queryset and compiling it costs Django 1.5-3 ms a request
(measured on the bench machine), more than PostGIS takes to answer a vector tile at zoom 6 and beyond. The
statement's text depends only on the user's id and account flags and on the query's filters: every access
decision (owner, visibility, project membership) is a subquery that PostgreSQL evaluates when the statement runs
(``collab.access.visible_raster_q``), so a kept statement sees memberships and visibility as they are at that
moment, never as they were when it was compiled.

The region (a bbox or an ``intersects`` geometry) changes with every pan of the map, so it is left out of the
kept statement: callers add it to their outer query with :func:`region_condition`, on the base's ``geom`` column.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.db.models import QuerySet

from maps.filters import FeatureQuery, bbox_boxes
from rasters.fields import BODY_LONLAT_SRID

# Distinct (kind, user, query shape) statements kept per process; about 3 kB each.
MAX_STATEMENTS = 1024

_lock = threading.Lock()
_kept: OrderedDict[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = OrderedDict()


def user_key(user: Any) -> tuple[Any, bool, bool]:
    """What the access rule reads from the user object itself (the rest it reads in SQL)."""
    return (getattr(user, "pk", None), bool(getattr(user, "is_authenticated", False)),
            bool(getattr(user, "is_active", False)))


def feature_statement(kind: str, user: Any, query: FeatureQuery,
                      build: Callable[[Any, FeatureQuery], QuerySet[Any]]) -> tuple[str, list[Any]]:
    """SQL and parameters of ``build(user, query)`` for ``query`` without its region, compiled once per shape.

    ``kind`` names what ``build`` makes (different builds must use different kinds). The query's filters other
    than the region are part of the key, values included; the region is the caller's (:func:`region_condition`).
    """
    shape = replace(query, bbox=None, intersects=None)
    key = (kind, user_key(user), repr(shape))
    with _lock:
        hit = _kept.get(key)
        if hit is not None:
            _kept.move_to_end(key)
    if hit is None:
        sql, params = build(user, shape).query.sql_with_params()
        hit = (sql, tuple(params))
        with _lock:
            _kept[key] = hit
            while len(_kept) > MAX_STATEMENTS:
                _kept.popitem(last=False)
    return hit[0], list(hit[1])


# How far inside a bbox a feature's box must lie to skip the exact test. PostGIS compares boxes in float4,
# rounded outward (about 1e-5 degrees at 180), so a box drawn this much inside the bbox still lies inside it.
INNER_MARGIN_DEG = 1e-4
# An inner box no stored feature lies in (longitudes and latitudes are within +-180 and +-90): for a bbox too
# small to hold one, every feature takes the exact test.
_NO_INNER_BOX = (1000.0, 1000.0, 1000.0, 1000.0)


def inner_box(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """``box`` shrunk by :data:`INNER_MARGIN_DEG` on every side (a box no feature lies in when that leaves none)."""
    minx, miny, maxx, maxy = box
    m = INNER_MARGIN_DEG
    if maxx - minx <= 4 * m or maxy - miny <= 4 * m:
        return _NO_INNER_BOX
    return (minx + m, miny + m, maxx - m, maxy - m)


def region_condition(query: FeatureQuery, column: str) -> tuple[str, list[Any]]:
    """``AND ST_Intersects(column, region)`` for the query's region, or nothing; with its parameters.

    A bbox alone becomes one ``ST_MakeEnvelope`` per rectangle (two where it crosses 180), made in the statement
    from four numbers: building its polygon with GEOS and sending it as EWKB cost 0.4 ms of a features request.
    A feature whose bounding box lies inside the rectangle (``@``, read from the geometry's header) intersects
    it without the exact test; only those on the rectangle's edge pay for ``ST_Intersects``. In a 5-degree box
    over 1M features that is most of them: the page took 3.34 ms against 3.64 (bench DB, in-process, alternating).
    """
    if query.bbox and not query.intersects:
        boxes = bbox_boxes(query.bbox)
        envelope = f"ST_MakeEnvelope(%s, %s, %s, %s, {BODY_LONLAT_SRID})"
        tests = " OR ".join(
            f"({column} && {envelope} AND (({column} @ {envelope}) IS TRUE OR ST_Intersects({column}, {envelope})))"
            for _ in boxes)
        params = [float(v) for box in boxes for v in (*box, *inner_box(box), *box)]
        return f" AND ({tests})", params
    region = query.region()
    if region is None:
        return "", []
    return f" AND ST_Intersects({column}, %s::geometry)", [region.hexewkb.decode()]


def clear() -> None:
    """Forget every kept statement (tests)."""
    with _lock:
        _kept.clear()
