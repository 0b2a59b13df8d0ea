"""GeoPackage and zipped Shapefile exports written by GDAL's ``ogr2ogr`` with the body's IAU CRS assigned.

Neither fiona nor pyogrio is in the environment and GeoDjango's GDAL bindings cannot write layers, so the
system ``ogr2ogr`` (Debian gdal-bin) converts a temporary GeoJSON; ``-a_srs`` takes the body's WKT from a file,
so QGIS places the layer on the right body (a Mars layer never lands on Earth).
"""

from __future__ import annotations

import shutil
import subprocess  # noqa: S404 - fixed argument list, no shell
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from maps.exports.geojson import write_geojson
from rasters.models import Body

OGR2OGR = shutil.which("ogr2ogr") or "/usr/bin/ogr2ogr"
LAYER = "features"


class ExportError(RuntimeError):
    """GDAL could not write the export."""

    code = "export_failed"


def _ogr2ogr(args: list[str]) -> None:
    result = subprocess.run([OGR2OGR, *args], capture_output=True, text=True, timeout=3600, check=False)  # noqa: S603
    if result.returncode != 0:
        raise ExportError(f"ogr2ogr failed: {result.stderr.strip()[:500]}")


def write_ogr(features: QuerySet[Any], body: Body, path: Path, fmt: str) -> None:
    """Write ``features`` to ``path`` as ``gpkg`` or ``shp`` (a zip of the shapefile's parts)."""
    with tempfile.TemporaryDirectory(prefix="geoplanet-export-") as tmp:
        work = Path(tmp)
        source = work / "features.geojson"
        write_geojson(features, None, source, short=fmt == "shp")
        wkt = work / "body.wkt"
        wkt.write_text(body.crs_wkt, encoding="utf-8")
        common = ["-a_srs", str(wkt), "-nln", LAYER, "-nlt", "PROMOTE_TO_MULTI", "-skipfailures"]
        if fmt == "gpkg":
            _ogr2ogr(["-f", "GPKG", str(path), str(source), *common])
            return
        if fmt != "shp":
            raise ValueError(fmt)
        folder = work / "shp"
        folder.mkdir()
        _ogr2ogr(["-f", "ESRI Shapefile", str(folder / f"{LAYER}.shp"), str(source), *common, "-lco", "ENCODING=UTF-8"])
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(folder.iterdir()):
                archive.write(part, arcname=part.name)
