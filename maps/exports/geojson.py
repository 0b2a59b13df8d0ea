"""GeoJSON export, produced as a stream of text chunks from a server-side cursor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from maps.serializers import body_members, feature_rows, iter_collection
from rasters.models import Body

CHUNK_ROWS = 2000


def geojson_chunks(features: QuerySet[Any], body: Body | None, extra: dict[str, Any] | None = None,
                   *, short: bool = False) -> Iterator[str]:
    """A FeatureCollection in lon/lat on ``body``, naming the body and its CRS in top-level members.

    The legacy ``crs`` member among them is the one GDAL and QGIS read. ``features`` is what the caller chose to
    export: ``maps.selectors.features_counted`` keeps every outline a region touches.

    ``iterator()`` reads through a PostgreSQL server-side cursor, so memory stays flat for millions of rows.
    """
    header = {"name": "geoplanet_features", **body_members(body), **(extra or {})}
    rows = feature_rows(features.filter(geom__isnull=False)).iterator(chunk_size=CHUNK_ROWS)
    return iter_collection(rows, header, short=short)

