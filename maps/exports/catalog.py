"""Crater catalogues: a CSV table and a craterstats ``.scc`` spatial crater count.

craterstats 3.2.1 reads ``.scc`` (and ``.diam``/``.stat``) files, not CSV, so the ``.scc`` is the file to
plot a CSFD with; the CSV carries every column for spreadsheets. Only features whose effective class is
``crater`` and that have a diameter on the body are counted; rejected ones were filtered out before.

Both are counts, so the caller passes ``maps.selectors.features_by_centre``: one analysis per image, and in a
region the features whose centre lies inside it (the statistics page's rule), not every outline that touches it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from io import StringIO
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from maps.serializers import PROPERTIES
from rasters.models import Body

CSV_COLUMNS = ["id", "body", "raster", "analysis", "effective_class", "class_name", "review_status", "lon", "lat",
               "diameter_km", "area_km2", "perimeter_km", "length_km", "orientation_deg", "confidence"]


def _craters(features: QuerySet[Any]) -> QuerySet[Any]:
    return features.filter(effective="crater", diameter_km__isnull=False, center_lon__isnull=False).order_by("id")


def csv_chunks(features: QuerySet[Any]) -> Iterator[str]:
    """The CSV catalogue of every feature (not only craters), streamed."""
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    rows = features.order_by("id").values(*[c for c in PROPERTIES if c not in {"body_slug", "body_name"}], "body__name")
    for row in rows.iterator(chunk_size=2000):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([
            row["id"], row["body__name"], row["raster_id"], row["analysis_id"], row["effective"], row["class_name"],
            row["review_status"], row["center_lon"], row["center_lat"], row["diameter_km"], row["area_km2"],
            row["perimeter_km"], row["length_km"], row["orientation_deg"], row["confidence"],
        ])
        yield buffer.getvalue()


def scc_chunks(features: QuerySet[Any], body: Body, area_km2: float,
               boundary: list[tuple[float, float]] | None = None) -> Iterator[str]:
    """A craterstats spatial crater count: header, optional counting-area ring, ``crater = {diam,fraction,lon,lat``."""
    radius_km = body.mean_radius_m / 1000
    lines = [
        "# Spatial crater count exported by GeoPlanet",
        "#",
        f"# Date of measurement export = {timezone.now():%d.%m.%Y}",
        f"# Body = {body.name} ({body.crs_code})",
        "#",
        "# Ellipsoid axes:",
        f"a_axis_radius = {radius_km:.3f} <km>",
        f"b_axis_radius = {radius_km:.3f} <km>",
        f"c_axis_radius = {radius_km:.3f} <km>",
        "#",
    ]
    if boundary:
        lines.append("unit_boundary = {vertex,sub_area,tag,lon,lat")
        lines += [f"{i}\t1\text\t{lon:.6f}\t{lat:.6f}" for i, (lon, lat) in enumerate(boundary, start=1)]
        lines.append("}")
        lines.append("#")
    lines += [f"Total_area = {area_km2:.6f} <km^2>", "#", "# crater_diameters:", "crater = {diam,fraction,lon,lat"]
    yield "\n".join(lines) + "\n"
    rows = _craters(features).values_list("diameter_km", "center_lon", "center_lat")
    for diam, lon, lat in rows.iterator(chunk_size=5000):
        yield f"{diam:.6f}\t1\t{lon:.6f}\t{lat:.6f}\n"
    yield "}\n"
