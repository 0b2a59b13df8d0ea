"""GeoJSON outlines in a body's lon/lat, kept at SRID 0: never labelled or measured as Earth's."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.gis.geos import GEOSException, GEOSGeometry

from collab.errors import InvalidInput


def parse_polygon(geometry: Any) -> GEOSGeometry:
    """A (multi)polygon from GeoJSON in the body's lon/lat, kept at SRID 0 (never labelled as Earth's)."""
    text = geometry if isinstance(geometry, str) else json.dumps(geometry)
    try:
        geom = GEOSGeometry(text)
    except (GEOSException, ValueError, TypeError) as exc:
        raise InvalidInput("The outline is not valid GeoJSON.") from exc
    geom.srid = 0
    if geom.geom_type not in {"Polygon", "MultiPolygon"} or geom.empty:
        raise InvalidInput("The outline must be a polygon.")
    xmin, ymin, xmax, ymax = geom.extent
    if xmin < -180 or xmax > 360 or ymin < -90 or ymax > 90:
        raise InvalidInput("The outline lies outside the body's longitude/latitude range.")
    if not geom.valid:
        geom = geom.make_valid()  # type: ignore[attr-defined]  # Django >= 4.1 has it; django-stubs 5.2 lacks it
        geom.srid = 0
        if geom.geom_type not in {"Polygon", "MultiPolygon"}:
            raise InvalidInput("The outline crosses itself.")
    return geom
