"""Craters digitised by hand, measured the way CraterTools does (Kneissl, van Gasselt & Neukum 2011).

A crater is given by three points on its rim or by its centre and radius, in lon/lat degrees on a sphere of the
body's radius. CraterTools measures a crater independently of the map's projection: the rim points go into a
projection centred at the crater and the circle is fitted there. Here that projection is the azimuthal
equidistant one (distances and azimuths from its centre are true), re-centred on each fitted centre until it
stops moving, so the radius is the great-circle distance from the centre to the rim: true scale at the centre.
The outline kept for the map is the small circle of that radius on the sphere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyproj
from shapely.geometry import MultiPolygon, Polygon

from rasters.core.geodesy import polar_cap, split_at_antimeridian

# The largest crater radius accepted, as an arc of the body's sphere: South Pole-Aitken (about 2,500 km across
# on the Moon) spans 41 degrees; a radius beyond 45 degrees is a mis-click, not a crater.
MAX_RADIUS_ARC_DEG = 45.0
# Rim points closer than this (as an arc) cannot define a circle any click could mean.
MIN_SEPARATION_ARC_RAD = 1e-9
OUTLINE_VERTICES = 64


class HandCraterError(ValueError):
    """Input that cannot be a crater: the message is safe to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class HandCrater:
    """A crater on the body's sphere: centre in lon/lat degrees (lon in [-180, 180)) and size in km."""

    lon: float
    lat: float
    radius_km: float
    sphere_radius_m: float

    @property
    def diameter_km(self) -> float:
        return 2 * self.radius_km

    @property
    def arc_rad(self) -> float:
        """The crater's radius as an angle at the body's centre."""
        return self.radius_km * 1000 / self.sphere_radius_m

    @property
    def area_km2(self) -> float:
        """Area of the spherical cap inside the rim: 2 pi R^2 (1 - cos a)."""
        r_km = self.sphere_radius_m / 1000
        return 2 * math.pi * r_km**2 * (1 - math.cos(self.arc_rad))

    @property
    def perimeter_km(self) -> float:
        """Length of the rim, a small circle: 2 pi R sin a."""
        return 2 * math.pi * self.sphere_radius_m / 1000 * math.sin(self.arc_rad)


def lonlat(point: Sequence[float] | object, what: str = "point") -> tuple[float, float]:
    """A finite (lon, lat) pair in degrees, lon wrapped into [-180, 180); anything else is refused."""
    if not isinstance(point, list | tuple) or len(point) != 2:
        raise HandCraterError(f"The {what} must be [longitude, latitude] in degrees.")
    try:
        lon, lat = float(point[0]), float(point[1])
    except (TypeError, ValueError):
        raise HandCraterError(f"The {what} must be [longitude, latitude] in degrees.") from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise HandCraterError(f"The {what} has a coordinate that is not a finite number.")
    if not -90.0 <= lat <= 90.0:
        raise HandCraterError(f"The {what}'s latitude must be between -90 and 90 degrees.")
    if not -360.0 <= lon <= 360.0:
        raise HandCraterError(f"The {what}'s longitude must be between -360 and 360 degrees.")
    return ((lon + 180.0) % 360.0) - 180.0, lat


def _geod(sphere_radius_m: float) -> pyproj.Geod:
    if not (math.isfinite(sphere_radius_m) and sphere_radius_m > 0):
        raise HandCraterError("The body has no radius to measure on.")
    return pyproj.Geod(a=sphere_radius_m, b=sphere_radius_m)


def _to_plane(geod: pyproj.Geod, lon0: float, lat0: float, points: np.ndarray) -> np.ndarray:
    """Azimuthal equidistant coordinates (m, x east, y north) of lon/lat ``points`` around (lon0, lat0)."""
    n = len(points)
    az, _, dist = geod.inv(np.full(n, lon0), np.full(n, lat0), points[:, 0], points[:, 1])
    az = np.radians(np.asarray(az))
    dist = np.asarray(dist)
    return np.column_stack([dist * np.sin(az), dist * np.cos(az)])


def _from_plane(geod: pyproj.Geod, lon0: float, lat0: float, x: float, y: float) -> tuple[float, float]:
    lon, lat, _ = geod.fwd(lon0, lat0, math.degrees(math.atan2(x, y)), math.hypot(x, y))
    return float(lon), float(lat)


def _circumcentre(p: np.ndarray) -> tuple[float, float] | None:
    (ax, ay), (bx, by), (cx, cy) = p
    d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
    scale = max(float(np.abs(p).max()), 1.0)
    if abs(d) < 1e-12 * scale**2:
        return None
    a2, b2, c2 = ax * ax + ay * ay, bx * bx + by * by, cx * cx + cy * cy
    ux = (a2 * (by - cy) + b2 * (cy - ay) + c2 * (ay - by)) / d
    uy = (a2 * (cx - bx) + b2 * (ax - cx) + c2 * (bx - ax)) / d
    return ux, uy


def _checked(lon: float, lat: float, radius_m: float, sphere_radius_m: float) -> HandCrater:
    if not (math.isfinite(radius_m) and radius_m > 0):
        raise HandCraterError("The crater's radius must be a positive number of km.")
    if radius_m / sphere_radius_m > math.radians(MAX_RADIUS_ARC_DEG):
        limit = math.radians(MAX_RADIUS_ARC_DEG) * sphere_radius_m / 1000
        raise HandCraterError(f"A crater radius over {limit:,.0f} km on this body is not a crater.")
    return HandCrater(((lon + 180.0) % 360.0) - 180.0, lat, radius_m / 1000, sphere_radius_m)


def crater_from_rim(points: Sequence[object], sphere_radius_m: float) -> HandCrater:
    """The crater whose rim passes through three lon/lat ``points`` on a sphere of ``sphere_radius_m``.

    The circle is fitted in an azimuthal equidistant projection centred at the crater (first at the points'
    mean direction, then at each fitted centre), so the radius is the great-circle distance from the centre.
    """
    geod = _geod(sphere_radius_m)
    if not isinstance(points, list | tuple) or len(points) != 3:
        raise HandCraterError("Give exactly three rim points.")
    rim = np.array([lonlat(p, f"rim point {i + 1}") for i, p in enumerate(points)])
    for i in range(3):
        for j in range(i + 1, 3):
            _, _, sep = geod.inv(rim[i, 0], rim[i, 1], rim[j, 0], rim[j, 1])
            if sep / sphere_radius_m < MIN_SEPARATION_ARC_RAD:
                raise HandCraterError("Two rim points are the same point.")
    # Start at the points' mean direction (a centroid on the sphere).
    vectors = np.column_stack([
        np.cos(np.radians(rim[:, 1])) * np.cos(np.radians(rim[:, 0])),
        np.cos(np.radians(rim[:, 1])) * np.sin(np.radians(rim[:, 0])),
        np.sin(np.radians(rim[:, 1])),
    ]).sum(axis=0)
    lon0 = math.degrees(math.atan2(vectors[1], vectors[0]))
    lat0 = math.degrees(math.atan2(vectors[2], math.hypot(vectors[0], vectors[1])))
    for _ in range(8):
        centre = _circumcentre(_to_plane(geod, lon0, lat0, rim))
        if centre is None:
            raise HandCraterError("The three rim points lie on one line: they do not outline a crater.")
        if math.hypot(*centre) > math.radians(MAX_RADIUS_ARC_DEG) * sphere_radius_m:
            raise HandCraterError("The three rim points lie nearly on one line: they do not outline a crater.")
        lon0, lat0 = _from_plane(geod, lon0, lat0, *centre)
        if math.hypot(*centre) < 1e-6:  # a micrometre: the projection is centred at the crater
            break
    _, _, dist = geod.inv(np.full(3, lon0), np.full(3, lat0), rim[:, 0], rim[:, 1])
    return _checked(lon0, lat0, float(np.mean(dist)), sphere_radius_m)


def crater_from_centre(centre: object, radius_km: object, sphere_radius_m: float) -> HandCrater:
    """The crater of a lon/lat ``centre`` and a radius in km (a great-circle distance on the body)."""
    _geod(sphere_radius_m)
    lon, lat = lonlat(centre, "centre")
    try:
        radius = float(radius_km)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise HandCraterError("The crater's radius must be a positive number of km.") from None
    return _checked(lon, lat, radius * 1000, sphere_radius_m)


def small_circle(lon: float, lat: float, diameter_km: float, radius_km: float,
                 vertices: int = OUTLINE_VERTICES) -> list[tuple[float, float]]:
    """The rim of a crater as a closed lon/lat ring, clockwise from north: points at half the diameter (an arc)
    from the centre. Longitudes run continuously, so a rim across the antimeridian passes +-180."""
    d = diameter_km / 2 / radius_km
    la1, lo1 = math.radians(lat), math.radians(lon)
    az = np.linspace(0.0, 2 * math.pi, vertices + 1)
    la2 = np.arcsin(np.sin(la1) * math.cos(d) + np.cos(la1) * math.sin(d) * np.cos(az))
    lo2 = lo1 + np.arctan2(np.sin(az) * math.sin(d) * math.cos(la1), math.cos(d) - math.sin(la1) * np.sin(la2))
    ring = list(zip(np.degrees(lo2).tolist(), np.degrees(la2).tolist(), strict=True))
    ring[-1] = ring[0]
    return ring


def crater_outline(crater: HandCrater, vertices: int = OUTLINE_VERTICES) -> Polygon | MultiPolygon:
    """The crater's rim as a lon/lat (multi)polygon within -180..180: cut at the antimeridian, closed along the
    pole as a cap when the rim goes around one."""
    ring = small_circle(crater.lon, crater.lat, crater.diameter_km, crater.sphere_radius_m / 1000, vertices)
    if math.degrees(crater.arc_rad) >= 90.0 - abs(crater.lat):
        coords = np.array(ring[:-1])
        return polar_cap(coords[:, 0], coords[:, 1], north=crater.lat > 0)
    # Counter-clockwise exterior, as GeoJSON and PostGIS prefer.
    return split_at_antimeridian(Polygon(ring[::-1]))
