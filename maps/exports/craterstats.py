"""craterstats exchange besides the ``.scc``: a ``.diam`` crater list and the ``NAME_CRATER.shp`` +
``NAME_AREA.shp`` pair that CraterTools writes and craterstats reads.

The ``.diam`` holds the counting area and one row per crater (``diameter, fraction, lon, lat``). The shapefile
pair holds each crater as a small circle of its diameter on the body's sphere (craterstats takes the diameter
from the polygon's spherical area) and the counting area as polygons; both ``.prj`` files are one-line ESRI WKT
of the body's sphere, from which craterstats reads the planetary radius. Only features counted as craters
(``maps.exports.catalog._craters``) are written.
"""

from __future__ import annotations

import csv
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from shapely.geometry.base import BaseGeometry

from maps.core.hand_craters import small_circle
from maps.exports.catalog import _craters
from maps.exports.ogr import CSV_OPEN, _ogr2ogr
from rasters.models import Body


def diam_chunks(features: QuerySet[Any], body: Body, area_km2: float) -> Iterator[str]:
    """A craterstats ``.diam`` file: ``area = ...`` and ``crater = {diameter,fraction,lon,lat``."""
    header = [
        "# Crater diameters exported by GeoPlanet",
        f"# Date of export = {timezone.now():%d.%m.%Y}",
        f"# Body = {body.name} ({body.crs_code}), radius {body.mean_radius_m / 1000:.3f} km",
        "#",
        "# area, km^2",
        f"area = {area_km2:.6f}",
        "#",
        "#              km        -      deg  deg",
        "crater = {diameter,fraction,lon,lat",
    ]
    yield "\n".join(header) + "\n"
    rows = _craters(features).values_list("diameter_km", "center_lon", "center_lat")
    for diam, lon, lat in rows.iterator(chunk_size=5000):
        yield f"{diam:.6f}\t1\t{lon:.6f}\t{lat:.6f}\n"
    yield "}\n"


def esri_sphere_wkt(body: Body) -> str:
    """One-line ESRI WKT of the body's sphere: craterstats reads the first line of the ``.prj`` only."""
    r = f"{body.mean_radius_m:.1f}"
    name = body.name.replace(" ", "_")
    return (f'GEOGCS["GCS_{name}_2015_Sphere",DATUM["D_{name}_2015_Sphere",SPHEROID["{name}_2015_Sphere",{r},0.0]],'
            f'PRIMEM["Reference_Meridian",0.0],UNIT["Degree",0.0174532925199433]]')


def _wkt_polygon(ring: list[tuple[float, float]]) -> str:
    return "POLYGON((" + ",".join(f"{x:.7f} {y:.7f}" for x, y in ring) + "))"


def _write_layer(folder: Path, name: str, columns: list[tuple[str, str]], rows: Iterator[list[Any]],
                 prj: str) -> None:
    source = folder / f"{name}.csv"
    source.with_suffix(".csvt").write_text(",".join(f'"{t}"' for _, t in columns) + ',"WKT"\n', encoding="utf-8")
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c for c, _ in columns] + ["WKT"])
        writer.writerows(rows)
    out = folder / "shp"
    out.mkdir(exist_ok=True)
    _ogr2ogr(["-f", "ESRI Shapefile", str(out / f"{name}.shp"), str(source), *CSV_OPEN, "-nln", name,
              "-nlt", "POLYGON", "-lco", "ENCODING=UTF-8"])
    # Our .prj, not GDAL's: GDAL would name the sphere after its IAU code; craterstats wants one line.
    (out / f"{name}.prj").write_text(prj, encoding="utf-8")


def write_crater_shapefiles(features: QuerySet[Any], body: Body, area: BaseGeometry, path: Path,
                            name: str = "geoplanet") -> int:
    """Write ``NAME_CRATER`` and ``NAME_AREA`` shapefiles into the zip ``path``; returns the crater count."""
    radius_km = body.mean_radius_m / 1000
    rows = _craters(features).values_list("diameter_km", "center_lon", "center_lat")
    count = 0

    def crater_rows() -> Iterator[list[Any]]:
        nonlocal count
        for diam, lon, lat in rows.iterator(chunk_size=5000):
            count += 1
            yield [diam, lon, lat, "standard", _wkt_polygon(small_circle(lon, lat, diam, radius_km))]

    polygons = list(getattr(area, "geoms", [area]))
    prj = esri_sphere_wkt(body)
    with tempfile.TemporaryDirectory(prefix="geoplanet-craterstats-") as tmp:
        work = Path(tmp)
        _write_layer(work, f"{name}_CRATER", [("Diam_km", "Real"), ("x_coord", "Real"), ("y_coord", "Real"),
                                               ("tag", "String")], crater_rows(), prj)
        _write_layer(work, f"{name}_AREA", [("area_name", "String")],
                     iter([[f"Area_{i}", p.wkt] for i, p in enumerate(polygons, start=1)]), prj)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for part in sorted((work / "shp").iterdir()):
                archive.write(part, arcname=part.name)
    return count
