"""Reads of reference catalogues: a body's catalogues, their vector tiles, and a scope's detections against one.

Catalogues are published tables, visible to everyone logged in; what is compared with them is a statistics
scope (``maps.stats.selectors.scope_for_target``), so an analysis, image or project the user may not see is the
same 404 as on the statistics page.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from shapely import contains_xy
from shapely import wkb as shapely_wkb
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from maps.core.catalogue_match import CatalogueMatch, Craters, match_catalogue
from maps.models import ReferenceCatalogue, ReferenceCrater
from maps.stats.errors import InvalidTarget
from maps.stats.selectors import Scope, feature_rows
from maps.vector_tiles import EXTENT, tile_envelope
from rasters.core.geodesy import polygon_area_km2
from rasters.models import Body

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
# At most this many matched / missed / new craters go to the map layer of a comparison (largest first).
LAYER_LIMIT = 20_000
TILE_LIMIT = 20_000


def catalogue_dict(catalogue: ReferenceCatalogue) -> dict[str, Any]:
    return {
        "slug": catalogue.slug, "name": catalogue.name, "body": catalogue.body.slug, "citation": catalogue.citation,
        "source": catalogue.source, "crater_count": catalogue.crater_count,
        "min_diameter_km": catalogue.min_diameter_km, "max_diameter_km": catalogue.max_diameter_km,
    }


def catalogues_for_body(body: Body) -> list[dict[str, Any]]:
    """The loaded catalogues of ``body`` (an empty list before ``load_reference_catalogues``)."""
    return [catalogue_dict(c) for c in ReferenceCatalogue.objects.filter(body=body, crater_count__gt=0)]


def catalogue_for_body(slug: str, body: Body | None) -> ReferenceCatalogue:
    """The catalogue ``slug`` of ``body``; :class:`InvalidTarget` (400) when unknown or of another body."""
    catalogue = None
    if SLUG.fullmatch(slug or ""):  # never hand PostgreSQL a NUL byte or a page of text
        catalogue = ReferenceCatalogue.objects.select_related("body").filter(slug=slug).first()
    if catalogue is None:
        raise InvalidTarget(f"No reference catalogue {slug!r}.")
    if body is None or catalogue.body_id != body.pk:
        raise InvalidTarget(f"The catalogue {catalogue.name} is of {catalogue.body.name}, not of these images.")
    return catalogue


def reference_tile(body: Body, z: int, x: int, y: int, catalogue: str | None = None) -> bytes:
    """One MVT of ``body``'s reference craters (points; ``catalogue`` and ``diameter_km`` as properties), of
    one catalogue when named.

    Largest craters first, so a zoomed-out tile keeps the ones worth seeing. Raises ``BadTile``.
    """
    minlon, minlat, maxlon, maxlat = tile_envelope(z, x, y)
    # The smallest crater worth a tile: a quarter of a 256 px tile pixel in km at the equator.
    min_km = (maxlon - minlon) / 256 / 4 * body.mean_radius_m / 1000 * 3.141592653589793 / 180
    sql = f"""
        SELECT ST_AsMVT(t, 'reference', {EXTENT}, 'mvtgeom') FROM (
          SELECT c.id, cat.slug AS catalogue, c.diameter_km,
                 ST_AsMVTGeom(c.geom, ST_MakeEnvelope(%s, %s, %s, %s, 0)::box2d, {EXTENT}, 0, false) AS mvtgeom
          FROM {ReferenceCrater._meta.db_table} c
          JOIN {ReferenceCatalogue._meta.db_table} cat ON cat.id = c.catalogue_id
          WHERE c.body_id = %s AND c.geom && ST_MakeEnvelope(%s, %s, %s, %s, 0) AND c.diameter_km >= %s
            AND (%s::text IS NULL OR cat.slug = %s::text)
          ORDER BY c.diameter_km DESC
          LIMIT {TILE_LIMIT}
        ) t WHERE t.mvtgeom IS NOT NULL
    """  # noqa: S608 - table names are Django's, every value is a parameter
    envelope = [minlon, minlat, maxlon, maxlat]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*envelope, body.pk, *envelope, min_km, catalogue, catalogue])
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def explorer_reference(body: Body) -> dict[str, Any]:
    """What the explorer needs to show ``body``'s catalogues: each one's name, citation and tile URL."""
    from django.urls import reverse

    tiles = reverse("api-reference-tile", kwargs={"body": body.slug, "z": 0, "x": 0, "y": 0})
    return {
        "tiles": tiles.replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf"),
        "catalogues": catalogues_for_body(body),
    }


def comparison_area(scope: Scope) -> BaseGeometry | None:
    """Where the comparison holds: the scope's region, else the union of its images' footprints."""
    if scope.region is not None:
        return scope.region
    shapes = [shapely_wkb.loads(bytes(r.footprint.wkb)) for r in scope.rasters if r.footprint is not None]
    return unary_union(shapes) if shapes else None


def _detections(scope: Scope, area: BaseGeometry) -> Craters:
    rows = [
        (i, row.lon, row.lat, row.record.diameter_km) for i, row in enumerate(feature_rows(scope))
        if row.record.effective_class == "crater" and row.record.review_status != "rejected"
        and row.record.diameter_km and row.lon is not None and row.lat is not None
    ]
    craters = Craters.from_rows(rows)
    inside = contains_xy(area, craters.lon, craters.lat) if len(craters) else []
    return Craters(craters.ids[inside], craters.lon[inside], craters.lat[inside], craters.diameter_km[inside])


def _reference(catalogue: ReferenceCatalogue, area: BaseGeometry) -> Craters:
    rows = (
        ReferenceCrater.objects.filter(catalogue=catalogue, geom__within=GEOSGeometry(memoryview(area.wkb), srid=0))
        .order_by("id").values_list("id", "lon", "lat", "diameter_km")
    )
    return Craters.from_rows(list(rows))


def _layer(match: CatalogueMatch, detections: Craters, reference: Craters) -> dict[str, Any]:
    items: list[tuple[str, Craters, int]] = [("matched", reference, b) for _, b in match.pairs]
    items += [("missed", reference, int(i)) for i in match.missed]
    items += [("new", detections, int(i)) for i in match.new]
    items.sort(key=lambda item: -float(item[1].diameter_km[item[2]]))
    features = [
        {"type": "Feature", "properties": {"kind": kind, "diameter_km": float(side.diameter_km[i])},
         "geometry": {"type": "Point", "coordinates": [float(side.lon[i]), float(side.lat[i])]}}
        for kind, side, i in items[:LAYER_LIMIT]
    ]
    return {"type": "FeatureCollection", "features": features, "truncated": len(items) > LAYER_LIMIT}


def scope_against_catalogue(scope: Scope, catalogue: ReferenceCatalogue, *, layer: bool = False) -> dict[str, Any]:
    """Matched / missed / new craters of ``scope`` against ``catalogue`` inside the scope's area, per bin.

    Detections count by centre inside the area (the crater-counting rule), rejected ones left out; the
    catalogue is cut to the same area. With ``layer``, a GeoJSON of the craters, ``kind`` in their properties.
    """
    body = scope.body
    catalogue = catalogue_for_body(catalogue.slug, body)
    area = comparison_area(scope)
    if area is None or area.is_empty or body is None:
        raise InvalidTarget("No area to compare: the images have no footprint on the body.")
    detections, reference = _detections(scope, area), _reference(catalogue, area)
    lo, hi = catalogue.min_diameter_km or 0.0, catalogue.max_diameter_km or float("inf")
    match = match_catalogue(detections, reference, body.mean_radius_m / 1000, range_km=(lo, hi))
    out: dict[str, Any] = {
        "target": scope.target.token(), "title": scope.title, "catalogue": catalogue_dict(catalogue),
        "body_name": body.name, "body_radius_m": body.mean_radius_m,
        "area_km2": polygon_area_km2(area, body.mean_radius_m), "detections": len(detections),
        "reference": len(reference), "diameter_range_km": [lo, catalogue.max_diameter_km],  # None: unbounded
        **match.totals(), "bins": match.bins,
        "rule": "centre distance < 0.5 D and |dD|/D < 0.5 (D of the catalogue crater), closest first",
    }
    if layer:
        out["layer"] = _layer(match, detections, reference)
    return out
