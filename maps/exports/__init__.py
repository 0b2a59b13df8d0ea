"""Exports of a feature set: streamed GeoJSON, GeoPackage and zipped Shapefile (via GDAL's ogr2ogr), a CSV
crater catalogue and the craterstats exchange (``.scc``, ``.diam``, ``_CRATER.shp`` + ``_AREA.shp``). Every
format names the body and carries its IAU CRS."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFormat:
    key: str
    extension: str
    content_type: str
    label: str


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("geojson", ".geojson", "application/geo+json", "GeoJSON"),
        ExportFormat("gpkg", ".gpkg", "application/geopackage+sqlite3", "GeoPackage"),
        ExportFormat("shp", ".zip", "application/zip", "Shapefile (zip)"),
        ExportFormat("csv", ".csv", "text/csv", "CSV crater catalogue"),
        ExportFormat("scc", ".scc", "text/plain", "craterstats .scc"),
        ExportFormat("diam", ".diam", "text/plain", "craterstats .diam"),
        ExportFormat("cratershp", ".zip", "application/zip", "craterstats CRATER + AREA shapefiles (zip)"),
    )
}
