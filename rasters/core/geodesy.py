"""Measurements on a body's sphere and raster footprints in the body's own lon/lat.

Every transformation goes from the raster's CRS to the geographic CRS of the same body. PROJ refuses to
transform between different celestial bodies; that refusal becomes a :class:`CRSError`, and nothing here
ever routes a planetary coordinate through an Earth CRS.
"""

from __future__ import annotations

import math
from typing import Any, Literal, TypeAlias

import numpy as np
import pyproj
from affine import Affine
from pyproj.exceptions import ProjError
from shapely import affinity, make_valid
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from rasters.core.errors import CRSError

Footprint: TypeAlias = Polygon | MultiPolygon


def _ring_signed_area_sr(coords: np.ndarray) -> float:
    """Signed solid angle of a lon/lat ring whose edges are straight lines in lon/lat.

    Green's theorem turns the area integral of cos(lat) dlat dlon into the contour integral of
    -sin(lat) dlon, which has a closed form along a straight lon/lat segment. It is exact for rasters in
    geographic CRSs (edges are parallels and meridians) and stays exact when a ring runs along a pole or
    spans the full 360 degrees, where geodesic polygon formulas become ambiguous.
    """
    lon = np.radians(coords[:, 0])
    lat = np.radians(coords[:, 1])
    dlon = np.diff(lon)
    lat1, lat2 = lat[:-1], lat[1:]
    dlat = lat2 - lat1
    flat = np.abs(dlat) < 1e-12
    safe_dlat = np.where(flat, 1.0, dlat)
    integral = np.where(
        flat,
        dlon * np.sin((lat1 + lat2) / 2),
        dlon * (np.cos(lat1) - np.cos(lat2)) / safe_dlat,
    )
    return float(-integral.sum())


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    if hasattr(geom, "geoms"):
        return [part for sub in geom.geoms for part in _polygons(sub)]
    return []


def polygon_area_km2(
    geom_lonlat: BaseGeometry,
    radius_m: float,
    edges: Literal["lonlat", "geodesic"] = "lonlat",
) -> float:
    """Area in km² of a (multi)polygon in lon/lat degrees on a sphere of ``radius_m``.

    ``edges="lonlat"`` (default) treats edges as straight lines in lon/lat, as a footprint is drawn on the
    map, and is exact for such polygons, including polar caps and global extents. ``edges="geodesic"`` treats
    them as great circles (pyproj.Geod), the PostGIS geography convention; both agree on densified edges.
    """
    if edges == "geodesic":
        geod = pyproj.Geod(a=radius_m, b=radius_m)
        area_m2, _ = geod.geometry_area_perimeter(geom_lonlat)
        return abs(area_m2) / 1e6
    total_sr = 0.0
    for polygon in _polygons(geom_lonlat):
        total_sr += abs(_ring_signed_area_sr(np.asarray(polygon.exterior.coords)))
        for hole in polygon.interiors:
            total_sr -= abs(_ring_signed_area_sr(np.asarray(hole.coords)))
    return total_sr * radius_m**2 / 1e6


def line_length_km(geom_lonlat: BaseGeometry, radius_m: float) -> float:
    """Great-circle length in km of a (multi)line in lon/lat degrees on a sphere of ``radius_m``."""
    geod = pyproj.Geod(a=radius_m, b=radius_m)
    return float(geod.geometry_length(geom_lonlat)) / 1000


def _northing_first(crs: pyproj.CRS) -> bool:
    """Whether the CRS lists its north-south axis first (GDAL's order puts the east-west one first)."""
    if len(crs.axis_info) < 2:
        return False
    first, second = crs.axis_info[0], crs.axis_info[1]
    meridional = ("north", "south")
    if first.direction.lower() in meridional and second.direction.lower() in ("east", "west"):
        return True  # lat/lon, northing/easting (IAU 49901, 49902; EPSG:4326)
    if first.direction.lower() in meridional and second.direction.lower() in meridional:
        # polar stereographic axes both run "north along" a meridian: their names tell (EPSG:3031 E/N, 32661 N/E)
        return first.abbrev.upper().startswith("N") or "northing" in first.name.lower()
    return False


class GridTransformer:
    """Coordinates in GDAL's order (the east-west axis first, as in a geotransform) between two CRSs.

    pyproj's ``always_xy`` leaves axes it does not take for longitude and latitude in the CRS's own order:
    the west-positive "Lon" of the IAU ographic CRSs (49901: latitude first) and the U/V axes of the ocentric
    ellipsoid ones (49902). The order is decided here from each axis's direction; signs (west-positive values)
    are PROJ's to convert.
    """

    def __init__(self, src_crs: pyproj.CRS, dst_crs: pyproj.CRS) -> None:
        self._transformer = pyproj.Transformer.from_crs(src_crs, dst_crs)
        self._swap_src, self._swap_dst = _northing_first(src_crs), _northing_first(dst_crs)

    def transform(self, x: Any, y: Any, errcheck: bool = False, direction: str = "FORWARD") -> tuple[Any, Any]:
        """(x, y) -> (x, y); ``direction="INVERSE"`` goes from the second CRS to the first."""
        forward = direction.upper() == "FORWARD"
        swap_in, swap_out = (self._swap_src, self._swap_dst) if forward else (self._swap_dst, self._swap_src)
        a, b = (y, x) if swap_in else (x, y)
        u, v = self._transformer.transform(a, b, errcheck=errcheck, direction=direction)
        return (v, u) if swap_out else (u, v)


def lonlat_crs_for(crs: pyproj.CRS) -> pyproj.CRS:
    """East-positive lon/lat of the body ``crs`` is on: its IAU sphere (ocentric, code NNN00) when ``crs``
    carries an IAU code, else a geographic CRS on its own datum (never another body's)."""
    for candidate in (crs, crs.geodetic_crs):
        found = candidate.to_authority() if candidate is not None else None
        if found and found[0].upper().startswith("IAU") and found[1].isdigit():
            return pyproj.CRS.from_authority(found[0], str(int(found[1]) // 100 * 100))
    geodetic = crs.geodetic_crs
    if geodetic is None or geodetic.datum is None:
        raise CRSError("The coordinate system names no body.")
    return pyproj.crs.GeographicCRS(name=f"{geodetic.name} (lon/lat)", datum=geodetic.datum)


def body_transformer(src_crs: pyproj.CRS, body_crs: pyproj.CRS) -> GridTransformer:
    """Transformer (x/lon first) from a raster CRS to a body's geographic CRS; CRSError across bodies."""
    try:
        return GridTransformer(src_crs, body_crs)
    except ProjError as exc:
        raise CRSError(
            "The raster's coordinate system belongs to a different body than the one selected."
        ) from exc


def _boundary_pixels(width: int, height: int, per_edge: int) -> tuple[np.ndarray, np.ndarray]:
    steps = np.linspace(0.0, 1.0, per_edge, endpoint=False)
    cols = np.concatenate([steps * width, np.full(per_edge, width), (1 - steps) * width, np.zeros(per_edge)])
    rows = np.concatenate([np.zeros(per_edge), steps * height, np.full(per_edge, height), (1 - steps) * height])
    return np.append(cols, cols[0]), np.append(rows, rows[0])


def _contains_pole(
    transform: Affine, width: int, height: int, to_body: GridTransformer, lat_pole: float
) -> bool:
    try:
        x, y = to_body.transform(0.0, lat_pole, direction="INVERSE")
    except ProjError:
        return False
    if not (math.isfinite(x) and math.isfinite(y)):
        return False
    col, row = ~transform @ (x, y)
    # Strictly inside: a global geographic grid has the pole on its top edge, which is not a cap.
    return 0 < col < width and 0 < row < height


def split_at_antimeridian(polygon: Polygon | MultiPolygon) -> Footprint:
    """Cut a lon/lat polygon whose longitudes run past +-180 into parts within -180..180."""
    minx, _, maxx, _ = polygon.bounds
    if minx >= -180.0 and maxx <= 180.0:
        return polygon
    pieces = []
    for shift in (-360.0, 0.0, 360.0):
        window = box(-180.0 + shift, -90.0, 180.0 + shift, 90.0)
        piece = polygon.intersection(window)
        if not piece.is_empty:
            pieces.append(affinity.translate(piece, xoff=-shift))
    merged = unary_union(pieces)
    parts = _polygons(merged)
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def polar_cap(lon: np.ndarray, lat: np.ndarray, north: bool) -> Polygon:
    """The lon/lat polygon of the region inside a ring that goes once around a pole (a cap spanning
    -180..180, closed along the pole), from the ring's vertices in any order of longitude."""
    # The boundary of an image around a pole is single-valued in longitude, so sorting by longitude and
    # closing along the pole's latitude gives the cap as one polygon spanning -180..180.
    wrapped = (lon + 180.0) % 360.0 - 180.0
    order = np.argsort(wrapped)
    wrapped, lat = wrapped[order], lat[order]
    edge_lat = float(np.interp(-180.0, wrapped, lat, period=360.0))
    pole = 90.0 if north else -90.0
    ring = [(-180.0, edge_lat), *zip(wrapped.tolist(), lat.tolist(), strict=True), (180.0, edge_lat)]
    ring += [(180.0, pole), (-180.0, pole)]
    return Polygon(ring)


def footprint_lonlat(
    transform: Affine,
    width: int,
    height: int,
    crs: pyproj.CRS,
    body_crs: pyproj.CRS,
    densify: int = 64,
) -> Footprint:
    """Footprint of a raster grid in the body's geographic lon/lat (east-positive, -180..180 degrees).

    The grid outline is sampled with ``densify`` points per edge, transformed into ``body_crs`` (which must
    be the same body), split into a MultiPolygon where it crosses the antimeridian, and closed along the
    pole as a cap when the grid contains a pole. Raises CRSError when PROJ cannot transform it.
    """
    to_body = body_transformer(crs, body_crs)
    cols, rows = _boundary_pixels(width, height, max(densify, 4))
    xs = transform.c + transform.a * cols + transform.b * rows
    ys = transform.f + transform.d * cols + transform.e * rows
    try:
        lon, lat = to_body.transform(np.asarray(xs), np.asarray(ys), errcheck=False)
    except ProjError as exc:
        raise CRSError("The raster's corners cannot be placed on the body.") from exc
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    finite = np.isfinite(lon) & np.isfinite(lat)
    if finite.sum() < 4:
        raise CRSError("The raster's corners cannot be placed on the body.")
    lon, lat = lon[finite], lat[finite]

    north = _contains_pole(transform, width, height, to_body, 90.0)
    south = _contains_pole(transform, width, height, to_body, -90.0)
    if north or south:
        return polar_cap(lon[:-1], lat[:-1], north=north)

    unwrapped = np.unwrap(lon, period=360.0)
    # Bring the outline's middle into -180..180 before cutting, so a 0..360 grid comes back as one piece.
    centre = (unwrapped.min() + unwrapped.max()) / 2
    unwrapped -= 360.0 * round(centre / 360.0)
    polygon = Polygon(zip(unwrapped.tolist(), lat.tolist(), strict=True))
    if not polygon.is_valid:
        polygon = unary_union(_polygons(make_valid(polygon)))
    return split_at_antimeridian(polygon)


def pixel_size_m(
    transform: Affine, width: int, height: int, crs: pyproj.CRS, radius_m: float
) -> tuple[float, float]:
    """Pixel size (x, y) in metres on the body.

    A projected CRS gives its pixel size in its own linear unit; a geographic one gives degrees, converted
    on the sphere of ``radius_m`` at the latitude of the image centre (x shrinks with cos(latitude)).
    """
    x_step = math.hypot(transform.a, transform.d)
    y_step = math.hypot(transform.b, transform.e)
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    if crs.is_geographic:
        centre_lat = (transform @ (width / 2, height / 2))[1]
        centre_lat = max(-90.0, min(90.0, centre_lat))
        y_m = y_step * factor * radius_m
        x_m = x_step * factor * radius_m * math.cos(math.radians(centre_lat))
        return x_m, y_m
    return x_step * factor, y_step * factor
