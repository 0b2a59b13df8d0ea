"""GeoJSON of features, built from ``values()`` rows so large sets never instantiate models.

Every feature route (REST, OGC API, exports, popups) uses the same properties, so a client sees one schema.
Coordinates are lon/lat degrees on the body named in ``properties.body`` (and in the collection's ``body``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import F, Func, OuterRef, QuerySet, Subquery, TextField, Value
from rest_framework import serializers

from geoplanet.bound import bound_cursor
from maps import selectors
from maps.filters import FeatureQuery
from maps.statements import feature_statement, region_condition
from rasters.models import Body

# Column (or annotation) -> GeoJSON property name.
PROPERTIES: dict[str, str] = {
    "id": "id",
    "body_name": "body",
    "body_slug": "body_slug",
    "raster_id": "raster",
    "analysis_id": "analysis",
    "class_name": "class_name",
    "effective": "effective_class",
    "review_status": "review_status",
    "confidence": "confidence",
    "area_km2": "area_km2",
    "perimeter_km": "perimeter_km",
    "diameter_km": "diameter_km",
    "length_km": "length_km",
    "orientation_deg": "orientation_deg",
    "center_lon": "center_lon",
    "center_lat": "center_lat",
}
# OGR type of each property: GeoPackage and Shapefile declare these whatever the rows hold.
PROPERTY_TYPES: dict[str, str] = {
    "id": "Integer64", "body": "String", "body_slug": "String", "raster": "Integer64", "analysis": "Integer64",
    "class_name": "String", "effective_class": "String", "review_status": "String", "confidence": "Real",
    "area_km2": "Real", "perimeter_km": "Real", "diameter_km": "Real", "length_km": "Real",
    "orientation_deg": "Real", "center_lon": "Real", "center_lat": "Real",
}
# Shapefile fields are at most 10 characters.
SHORT_NAMES: dict[str, str] = {
    "body_slug": "body_slug", "raster": "raster", "analysis": "analysis", "class_name": "class",
    "effective_class": "eff_class", "review_status": "review", "confidence": "confidence", "area_km2": "area_km2",
    "perimeter_km": "perim_km", "diameter_km": "diam_km", "length_km": "length_km",
    "orientation_deg": "orient_deg", "center_lon": "center_lon", "center_lat": "center_lat", "id": "id", "body": "body",
}
GEOJSON_PRECISION = 7


def feature_rows(queryset: QuerySet[Any], *, order: bool = True, wkt: bool = False,
                 geom: bool = False, body_per_row: bool = False) -> QuerySet[Any]:
    """``values()`` rows with the geometry text and every property (``queryset`` went through FeatureQuery).

    The geometry is GeoJSON under ``geojson``, or WKT under ``wkt`` (for GDAL's CSV reader), both rounded to
    ``GEOJSON_PRECISION`` decimals; ``geom`` adds the stored geometry itself (for a region test in raw SQL).
    ``body_per_row`` reads the body's name and slug by a subquery per row instead of a join: the features page
    reads them for its hundred rows only, while a join would be made for every feature it counts.
    """
    if wkt:
        text = {"wkt": Func("geom", Value(GEOJSON_PRECISION), function="ST_AsText", output_field=TextField())}
    else:
        text = {"geojson": AsGeoJSON("geom", precision=GEOJSON_PRECISION)}
    columns = [*text, *PROPERTIES, *(["geom"] if geom else [])]
    names: dict[str, Any]
    if body_per_row:
        bodies = Body.objects.filter(pk=OuterRef("body_id")).order_by()
        names = {"body_name": Subquery(bodies.values("name")[:1]), "body_slug": Subquery(bodies.values("slug")[:1])}
    else:
        names = {"body_name": F("body__name"), "body_slug": F("body__slug")}
    qs = queryset.annotate(**text, **names).values(*columns)
    return qs.order_by("id") if order else qs.order_by()


def feature_dict(row: dict[str, Any], *, short: bool = False) -> dict[str, Any]:
    """One GeoJSON Feature from a :func:`feature_rows` row."""
    props = {name: row[column] for column, name in PROPERTIES.items()}
    if short:
        props = {SHORT_NAMES[k]: v for k, v in props.items()}
    geometry = json.loads(row["geojson"]) if row["geojson"] else None
    return {"type": "Feature", "id": row["id"], "geometry": geometry, "properties": props}


def _json_value(column: str, name: str) -> str:
    """SQL for ``q."column"`` as JSON text: strings through ``to_json``, NaN and infinite floats (JSON has neither)
    and NULLs as ``null``, other numbers as PostgreSQL writes them (the shortest text that reads back exactly)."""
    value = f'q."{column}"'
    kind = PROPERTY_TYPES[name]
    if kind not in ("String", "Real", "Integer64"):
        raise ValueError(f"no JSON writer for a {kind} property ({name})")  # a date, say, would need quoting
    if kind == "String":
        return f"coalesce(to_json({value})::text, 'null')"
    if kind == "Real":
        value = f"nullif(nullif(nullif({value}, 'NaN'), 'Infinity'), '-Infinity')"
    return f"coalesce({value}::text, 'null')"


def _properties_sql() -> str:
    """A ``format()`` call writing a row's properties as one JSON object text (members of :func:`feature_dict`).

    One call with the keys in its template took 2.32 ms a page of 100 where ``json_build_object(...)::text`` took
    2.48 (bench DB, in-process, the two alternating), and parses to the same object. ``%%s`` reaches PostgreSQL
    as ``%s``.
    """
    template = ",".join(f'"{name}":%%s' for name in PROPERTIES.values())
    values = ", ".join(_json_value(column, name) for column, name in PROPERTIES.items())
    return f"format('{{{template}}}', {values})"


@dataclass(frozen=True)
class FeaturePage:
    """One page of Features as JSON array text, with what its links need."""

    text: str
    matched: int  # every row the query matches, all pages
    returned: int
    first_id: int | None
    last_id: int | None
    more: bool  # another page lies beyond this one, in the direction it was read
    body: Body | None = None  # the body asked for (name and IAU code only), None when none or unknown


def features_page_json(rows: tuple[str, list[Any]], limit: int, *, offset: int = 0, after: int | None = None,
                       before: int | None = None, region: tuple[str, list[Any]] = ("", []),
                       body: str = "") -> FeaturePage:
    """One page of GeoJSON Features, as one JSON array text, and the count of every match, in one statement.

    ``rows`` is the SQL and parameters of :func:`feature_rows` (``order=False, geom=True``) over a
    visibility-checked, filtered queryset (``maps.statements.feature_statement``); ``region`` an ``AND ...``
    condition on ``b.geom`` (``maps.statements.region_condition``). PostGIS builds the array (each Feature's
    text joined around ``ST_AsGeoJSON``'s) in the statement that counts and selects the page, so no row
    becomes a Python object: the text goes out as it comes. The members are those of :func:`feature_dict`, in id
    order. ``after``/``before`` are keyset cursors (ids above / below); one row past the page is read to tell
    whether another page follows. With ``body`` (a slug) the same statement reads that body's name and CRS code
    (``FeaturePage.body``, None for an unknown slug), so the page costs one round trip.

    The region is tested once: the matching ids are kept (``hit``, materialized) for the count and the page's
    ids, and only the page's rows are read again, by primary key, for their columns and GeoJSON. Scanning the
    region twice, once for the count and once for the page, took 1.4 ms more of 7.9 (5-degree box over 1M
    features, ~500 matches). Each Feature is joined as text around ``ST_AsGeoJSON``'s own text: casting that text
    to ``json`` for ``json_agg(json_build_object(...))`` parsed every geometry again. The statement goes through
    :func:`geoplanet.bound.bound_cursor`, so PostgreSQL keeps its plan between pages.
    """
    from django.db import connection

    base_sql, base_params = rows
    where_sql, where_params = region
    if after is not None:
        cursor_sql, cursor_params = 'WHERE h."id" > %s', [after]
    elif before is not None:
        cursor_sql, cursor_params = 'WHERE h."id" < %s', [before]
    else:
        cursor_sql, cursor_params = "", []
    direction = "DESC" if before is not None else "ASC"
    bodies = connection.ops.quote_name(Body._meta.db_table)
    properties = _properties_sql()
    sql = f"""
        WITH base AS NOT MATERIALIZED ({base_sql}),
             hit AS MATERIALIZED (SELECT b."id" FROM base b WHERE true{where_sql})
        SELECT (SELECT count(*) FROM hit),
               '[' || coalesce(string_agg(
                 '{{"type":"Feature","id":' || q."id" || ',"geometry":' || coalesce(q."geojson", 'null')
                 || ',"properties":' || {properties} || '}}',
                 ',' ORDER BY q."id") FILTER (WHERE q.n <= %s), '') || ']',
               count(*) FILTER (WHERE q.n <= %s), min(q."id") FILTER (WHERE q.n <= %s),
               max(q."id") FILTER (WHERE q.n <= %s), count(*) > %s,
               (SELECT bd."name" FROM {bodies} bd WHERE bd."slug" = %s),
               (SELECT bd."iau_code" FROM {bodies} bd WHERE bd."slug" = %s)
        FROM (SELECT p.*, row_number() OVER (ORDER BY p."id" {direction}) AS n
              FROM (SELECT * FROM base b WHERE b."id" IN (
                      SELECT h."id" FROM hit h {cursor_sql} ORDER BY h."id" {direction} LIMIT %s OFFSET %s)) p) q
    """  # noqa: S608 - the base SQL is Django's own, the member names and direction are constants
    params = [*base_params, *where_params, *[limit] * 5, body, body, *cursor_params, limit + 1, offset]
    with bound_cursor() as cursor:
        cursor.execute(sql, params)
        matched, text, count, first_id, last_id, more, body_name, iau_code = cursor.fetchone()
    named = Body(slug=body, name=body_name, iau_code=iau_code) if body_name is not None else None
    return FeaturePage(text, int(matched), int(count), first_id, last_id, bool(more), named)


def feature_page(user: Any, query: FeatureQuery, limit: int, *, offset: int = 0, after: int | None = None,
                 before: int | None = None, body: str = "") -> FeaturePage:
    """One page of the features ``user`` may see that match ``query`` (:func:`features_page_json`).

    The visibility-checked statement is compiled once per user and filter shape (``maps.statements``); the
    region goes in as parameters. The REST list and the OGC API items use this one statement.
    """
    rows = feature_statement("page", user, query, lambda who, shape: feature_rows(
        selectors.features_matching(who, shape), order=False, geom=True, body_per_row=True))
    return features_page_json(rows, limit, offset=offset, after=after, before=before,
                              region=region_condition(query, 'b."geom"'), body=body)


def feature_json(row: dict[str, Any], *, short: bool = False) -> str:
    """The same as :func:`feature_dict`, as text, without parsing the geometry twice."""
    props = {name: row[column] for column, name in PROPERTIES.items()}
    if short:
        props = {SHORT_NAMES[k]: v for k, v in props.items()}
    return (
        '{"type":"Feature","id":' + str(row["id"]) + ',"geometry":' + (row["geojson"] or "null")
        + ',"properties":' + json.dumps(props, separators=(",", ":")) + "}"
    )


def body_members(body: Body | None) -> dict[str, Any]:
    """Top-level members naming the body and its CRS: lon/lat here are on this body, not on Earth.

    GDAL (and so QGIS) ignores every member but the pre-RFC 7946 ``crs``, and reads WGS 84 without it.
    """
    if body is None:
        return {}
    return {
        "body": body.name,
        "body_slug": body.slug,
        "crs": {"type": "name", "properties": {"name": crs_urn(body)}},
        "crs_code": body.crs_code,
        "crs_uri": crs_uri(body),
        "crs_wkt": body.crs_wkt,
        "mean_radius_m": body.mean_radius_m,
    }


def crs_urn(body: Body) -> str:
    """The OGC URN of the body's CRS, the form GDAL 3.6 resolves in a GeoJSON ``crs`` member (the URI it does not)."""
    if body.slug == "earth":
        return "urn:ogc:def:crs:OGC:1.3:CRS84"
    return f"urn:ogc:def:crs:IAU_2015::{body.iau_code}"


def crs_uri(body: Body) -> str:
    """The OGC URI of the body's IAU 2015 geographic CRS (not resolvable online, but what GDAL/PROJ understand)."""
    if body.slug == "earth":
        return "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    return f"http://www.opengis.net/def/crs/IAU/2015/{body.iau_code}"


def iter_collection(rows: Iterator[dict[str, Any]], header: dict[str, Any], *, short: bool = False) -> Iterator[str]:
    """A FeatureCollection as text chunks: header members, then features one by one (for streaming)."""
    head = json.dumps({"type": "FeatureCollection", **header})
    yield head[:-1] + ',"features":[\n'
    first = True
    for row in rows:
        yield ("" if first else ",\n") + feature_json(row, short=short)
        first = False
    yield "\n]}\n"


# Schema-only serializers: they document the GeoJSON the views build by hand.
class FeaturePropertiesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField(help_text="Name of the body whose lon/lat the geometry uses")
    body_slug = serializers.CharField()
    raster = serializers.IntegerField(help_text="Image id")
    analysis = serializers.IntegerField(help_text="Analysis id")
    class_name = serializers.CharField(help_text="Class as detected by the model")
    effective_class = serializers.CharField(help_text="Class after review (a relabel wins)")
    review_status = serializers.CharField()
    confidence = serializers.FloatField()
    area_km2 = serializers.FloatField(allow_null=True)
    perimeter_km = serializers.FloatField(allow_null=True)
    diameter_km = serializers.FloatField(allow_null=True)
    length_km = serializers.FloatField(allow_null=True)
    orientation_deg = serializers.FloatField(allow_null=True)
    center_lon = serializers.FloatField(allow_null=True)
    center_lat = serializers.FloatField(allow_null=True)


class GeoJSONFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    id = serializers.IntegerField()
    geometry = serializers.JSONField(help_text="GeoJSON geometry in the body's lon/lat degrees")
    properties = FeaturePropertiesSerializer()


class FeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    body = serializers.CharField(required=False, help_text="Body named when the query has one")
    numberMatched = serializers.IntegerField()  # noqa: N815 - OGC/GeoJSON member name
    numberReturned = serializers.IntegerField()  # noqa: N815
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    features = GeoJSONFeatureSerializer(many=True)


class ClassCountSerializer(serializers.Serializer):
    class_name = serializers.CharField()
    count = serializers.IntegerField()
    area_km2 = serializers.FloatField(allow_null=True)
    min_diameter_km = serializers.FloatField(allow_null=True)
    max_diameter_km = serializers.FloatField(allow_null=True)
    mean_diameter_km = serializers.FloatField(allow_null=True)
    length_km = serializers.FloatField(allow_null=True)
    mean_confidence = serializers.FloatField(allow_null=True)


class RegionSummarySerializer(serializers.Serializer):
    body = serializers.CharField(allow_null=True)
    count = serializers.IntegerField()
    region_area_km2 = serializers.FloatField(allow_null=True)
    classes = ClassCountSerializer(many=True)
    rasters = serializers.ListField(child=serializers.DictField())
    share_url = serializers.CharField()
    exports = serializers.DictField(child=serializers.CharField())


class ExportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    format = serializers.CharField()
    feature_count = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    download = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
