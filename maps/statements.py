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


def region_condition(query: FeatureQuery, column: str) -> tuple[str, list[Any]]:
    """``AND ST_Intersects(column, region)`` for the query's region, or nothing; with its parameters.

    A bbox alone becomes one ``ST_MakeEnvelope`` per rectangle (two where it crosses 180), made in the statement
    from four numbers: building its polygon with GEOS and sending it as EWKB cost 0.4 ms of a features request.
    """
    if query.bbox and not query.intersects:
        boxes = bbox_boxes(query.bbox)
        tests = " OR ".join(f"ST_Intersects({column}, ST_MakeEnvelope(%s, %s, %s, %s, {BODY_LONLAT_SRID}))"
                            for _ in boxes)
        return f" AND ({tests})", [float(value) for box in boxes for value in box]
    region = query.region()
    if region is None:
        return "", []
    return f" AND ST_Intersects({column}, %s::geometry)", [region.hexewkb.decode()]


def clear() -> None:
    """Forget every kept statement (tests)."""
    with _lock:
        _kept.clear()
