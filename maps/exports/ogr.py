"""GeoPackage and zipped Shapefile exports written by GDAL's ``ogr2ogr`` with the body's IAU CRS assigned.

Neither fiona nor pyogrio is in the environment and GeoDjango's GDAL bindings cannot write layers, so the
system ``ogr2ogr`` (Debian gdal-bin) converts a temporary CSV with WKT geometries. Its ``.csvt`` declares each
column's type (``maps.serializers.PROPERTY_TYPES``) and ``-nlt MULTIPOLYGON`` the geometry type, so every
export has one schema whatever its rows: GDAL's GeoJSON reader would guess ``length_km`` to be a string in a
crater-only file and give an empty file no columns. ``-a_srs`` takes the body's WKT from a file, so QGIS
places the layer on the right body (a Mars layer never lands on Earth).
"""

from __future__ import annotations

import csv
import shutil
import subprocess  # noqa: S404 - fixed argument list, no shell
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from maps.serializers import PROPERTIES, PROPERTY_TYPES, SHORT_NAMES, feature_rows
from rasters.models import Body

OGR2OGR = shutil.which("ogr2ogr") or "/usr/bin/ogr2ogr"
LAYER = "features"
GEOMETRY = "WKT"
CHUNK_ROWS = 2000
# GDAL's CSV reader: the .csvt types, the WKT column read as geometry only, an empty cell as null, no line limit.
CSV_OPEN = ["-oo", "KEEP_GEOM_COLUMNS=NO", "-oo", "EMPTY_STRING_AS_NULL=YES", "--config", "OGR_CSV_MAX_LINE_SIZE", "0"]


class ExportError(RuntimeError):
    """GDAL could not write the export."""

    code = "export_failed"


def _ogr2ogr(args: list[str]) -> None:
    result = subprocess.run([OGR2OGR, *args], capture_output=True, text=True, timeout=3600, check=False)  # noqa: S603
    if result.returncode != 0:
        raise ExportError(f"ogr2ogr failed: {result.stderr.strip()[:500]}")


def write_csv(features: QuerySet[Any], path: Path, *, short: bool = False) -> None:
    """Write ``features`` to ``path`` as CSV with a WKT geometry column, and the column types beside it (``.csvt``).

    ``short`` uses the Shapefile's 10-character field names.
    """
    names = [SHORT_NAMES[p] if short else p for p in PROPERTIES.values()]
    types = [PROPERTY_TYPES[p] for p in PROPERTIES.values()]
    path.with_suffix(".csvt").write_text(",".join(f'"{t}"' for t in [*types, "WKT"]) + "\n", encoding="utf-8")
    rows = feature_rows(features.filter(geom__isnull=False), wkt=True).iterator(chunk_size=CHUNK_ROWS)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*names, GEOMETRY])
        for row in rows:
            writer.writerow([*(row[column] for column in PROPERTIES), row["wkt"]])


def write_ogr(features: QuerySet[Any], body: Body, path: Path, fmt: str) -> None:
    """Write ``features`` to ``path`` as ``gpkg`` or ``shp`` (a zip of the shapefile's parts)."""
    if fmt not in {"gpkg", "shp"}:
        raise ValueError(fmt)
    with tempfile.TemporaryDirectory(prefix="geoplanet-export-") as tmp:
        work = Path(tmp)
        source = work / "features.csv"
        write_csv(features, source, short=fmt == "shp")
        wkt = work / "body.wkt"
        wkt.write_text(body.crs_wkt, encoding="utf-8")
        common = [*CSV_OPEN, "-a_srs", str(wkt), "-nln", LAYER, "-nlt", "MULTIPOLYGON", "-skipfailures"]
        if fmt == "gpkg":
            _ogr2ogr(["-f", "GPKG", str(path), str(source), *common, "-lco", "GEOMETRY_NAME=geom"])
            return
        folder = work / "shp"
        folder.mkdir()
        _ogr2ogr(["-f", "ESRI Shapefile", str(folder / f"{LAYER}.shp"), str(source), *common, "-lco", "ENCODING=UTF-8"])
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(folder.iterdir()):
                archive.write(part, arcname=part.name)
