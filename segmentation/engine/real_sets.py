"""Real evaluation sets beyond the NAC images: the global MOLA shaded relief of Mars with published labels.

- Craters: Robbins & Hynek (2012) between 30 S and 30 N. At ~20.8 km/px the catalogue is judged from 150 km up,
  within 28 degrees of the equator (its 30-degree limit less a margin for craters centred just outside it).
- Known negatives: the big shield volcanoes. Each one is a dome with a caldera; a crater called on one of them is
  a false detection whatever the catalogue says.
- Ridges: Knapmeyer et al. (2006) compressional lines (wrinkle ridges and lobate scarps).

The held-out half is fixed here, before any measurement: longitudes west of the prime meridian (-180..0 E),
which hold Tharsis, Olympus Mons, Alba Mons and Valles Marineris. Only the eastern half may ever join training.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .datasets import shared_data_dir

MARS_RADIUS_KM = 3396.19
MOLA_GLOBAL = "mars/mars_mola_shaded_global_IAU2015-49900.tif"
ROBBINS_CSV = "mars/catalogs/robbins2012_mars_craters_lat-30_30.csv"
KNAPMEYER_COMP = "mars/faults/knapmeyer2006_comp_lonlat.geojson"
HELD_OUT_LON: tuple[float, float] = (-180.0, 0.0)
TRAIN_LON: tuple[float, float] = (0.0, 180.0)
MOLA_MIN_D_KM = 150.0
MOLA_MAX_ABS_LAT = 28.0
# labels down to this size take part in matching, so a detection of a 120 km catalogue crater is no false positive
MOLA_DONT_CARE_D_KM = 60.0


@dataclass(frozen=True)
class Volcano:
    """A shield volcano: centre (east-positive lon, lat) and the radius (km) of its edifice."""

    name: str
    lon: float
    lat: float
    radius_km: float


# Centres from the IAU Gazetteer of Planetary Nomenclature; radii are half the edifice's width (Plescia 2004).
VOLCANOES: tuple[Volcano, ...] = (
    Volcano("Olympus Mons", -133.8, 18.65, 300.0),
    Volcano("Arsia Mons", -120.46, -8.26, 220.0),
    Volcano("Pavonis Mons", -112.96, 1.48, 190.0),
    Volcano("Ascraeus Mons", -104.08, 11.92, 230.0),
    Volcano("Elysium Mons", 147.21, 25.02, 200.0),
    Volcano("Alba Mons", -109.6, 40.47, 500.0),
)


def data_path(relative: str) -> Path:
    """A file of ``../shared/data``; FileNotFoundError names it when the folder or the file is missing."""
    root = shared_data_dir()
    path = (root / relative) if root is not None else Path(relative)
    if not path.is_file():
        raise FileNotFoundError(f"real data not found: {path} (set GEOPLANET_SHARED_DATA)")
    return path


def robbins_craters(min_d_km: float = MOLA_DONT_CARE_D_KM) -> np.ndarray:
    """Robbins & Hynek (2012) craters of at least ``min_d_km``: array of (lon east -180..180, lat, D km)."""
    rows: list[tuple[float, float, float]] = []
    with open(data_path(ROBBINS_CSV), newline="") as fh:
        for rec in csv.DictReader(fh):
            d = float(rec["DIAM_CIRCLE_IMAGE_KM"])
            if d >= min_d_km:
                rows.append((float(rec["LONGITUDE_CIRCLE_IMAGE"]), float(rec["LATITUDE_CIRCLE_IMAGE"]), d))
    return np.array(rows, dtype=np.float64).reshape(-1, 3)


def knapmeyer_lines() -> list[np.ndarray]:
    """Knapmeyer et al. (2006) compressional features as (n, 2) arrays of lon/lat vertices."""
    doc = json.loads(data_path(KNAPMEYER_COMP).read_text())
    return [np.asarray(f["geometry"]["coordinates"], dtype=np.float64) for f in doc["features"]]


def in_lon_range(lon: np.ndarray, lon_range: tuple[float, float]) -> np.ndarray:
    """Longitudes (any convention) that fall in [lo, hi) once wrapped to -180..180."""
    wrapped = (np.asarray(lon, dtype=np.float64) + 180.0) % 360.0 - 180.0
    return (wrapped >= lon_range[0]) & (wrapped < lon_range[1])


def great_circle_km(lon1: np.ndarray | float, lat1: np.ndarray | float, lon2: np.ndarray | float,
                    lat2: np.ndarray | float,
                    radius_km: float = MARS_RADIUS_KM) -> np.ndarray:
    """Haversine distance on a sphere, broadcasting its arguments."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2.0 * radius_km * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def on_volcano(lon: np.ndarray, lat: np.ndarray) -> list[str | None]:
    """For each point, the name of the volcano whose edifice holds it (None when none does)."""
    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    out: list[str | None] = [None] * lon.size
    for v in VOLCANOES:
        inside = great_circle_km(lon, lat, v.lon, v.lat) <= v.radius_km
        for i in np.flatnonzero(inside):
            out[i] = out[i] or v.name
    return out


# The Moon's WAC global mosaic (~10.7 km/px): another instrument and body, never trained on. Its eastern
# hemisphere is held out by site too (the Moon DEM's western one may join training). Scored from 80 km, about
# the same 7.5 mosaic pixels as the MOLA's 150 km; catalogued craters from 32 km (3 pixels) are "don't care".
MOON_RADIUS_KM = 1737.4
MOON_WAC = "moon/moon_wac_global_IAU2015-30100.tif"
HEAD_CSV = "moon/catalogs/HeadCraters_ge20km.csv"
LROC_CSV = "moon/catalogs/LROCCraters_5-20km.csv"
WAC_HELD_OUT_LON: tuple[float, float] = (0.0, 180.0)
WAC_MIN_D_KM = 80.0
WAC_DONT_CARE_D_KM = 32.0
WAC_MAX_ABS_LAT = 60.0
WAC_BINS: tuple[tuple[float, float], ...] = ((80.0, 160.0), (160.0, float("inf")), (80.0, float("inf")))


def moon_craters(min_d_km: float = 0.0) -> np.ndarray:
    """Head et al. (2010) craters of 20 km and up with the LROC 5-20 km catalogue: (lon -180..180, lat, D km)."""
    rows: list[tuple[float, float, float]] = []
    with open(data_path(HEAD_CSV), newline="") as fh:
        rows += [(float(r["Lon"]), float(r["Lat"]), float(r["Diam_km"])) for r in csv.DictReader(fh)]
    with open(data_path(LROC_CSV), newline="") as fh:
        rows += [(float(r["Long"]), float(r["Lat"]), float(r["Diameter (km)"])) for r in csv.DictReader(fh)]
    out = np.array(rows, dtype=np.float64).reshape(-1, 3)
    out[:, 0] = (out[:, 0] + 180.0) % 360.0 - 180.0
    return out[out[:, 2] >= min_d_km]


def catalogue_scores(dets: np.ndarray, ref: np.ndarray, *, lon_range: tuple[float, float], max_abs_lat: float,
                     min_d_km: float, bins: tuple[tuple[float, float], ...], radius_km: float,
                     rule: str = "geoplanet") -> dict[str, Any]:
    """Detections ``(n, 3)`` lon/lat/D km against a catalogue ``ref`` (down to its don't-care size) on one
    longitude range and latitude band, matched on the sphere; labels under ``min_d_km`` are "don't care"."""
    from .evaluate import crater_prf, match_pairs

    dets = np.asarray(dets, dtype=np.float64).reshape(-1, 3)

    def cut(a: np.ndarray) -> np.ndarray:
        keep = in_lon_range(a[:, 0], lon_range) & (np.abs(a[:, 1]) <= max_abs_lat) & np.isfinite(a[:, 2])
        return a[keep]

    p, g = cut(dets), cut(ref)
    dist = great_circle_km(p[:, None, 0], p[:, None, 1], g[None, :, 0], g[None, :, 1], radius_km)
    pairs = match_pairs(dist, p[:, 2], g[:, 2], rule)
    # the crater_prf bins count labels above the don't-care size, a hair under the bin edge
    scored = crater_prf([tuple(r) for r in p], [tuple(r) for r in g], bins=bins,
                        dont_care_px=np.nextafter(min_d_km, 0), pairs=pairs)
    return {"bins": scored, "rule": rule, "lon_range": list(lon_range)}


def wac_crater_scores(dets: np.ndarray, lon_range: tuple[float, float] = WAC_HELD_OUT_LON,
                      rule: str = "geoplanet") -> dict[str, Any]:
    """Crater detections on the Moon's WAC global mosaic against Head + LROC on one hemisphere."""
    return catalogue_scores(dets, moon_craters(WAC_DONT_CARE_D_KM), lon_range=lon_range,
                            max_abs_lat=WAC_MAX_ABS_LAT, min_d_km=WAC_MIN_D_KM, bins=WAC_BINS,
                            radius_km=MOON_RADIUS_KM, rule=rule)


MOLA_BINS: tuple[tuple[float, float], ...] = ((150.0, 300.0), (300.0, float("inf")), (150.0, float("inf")))


def mola_crater_scores(
    dets: np.ndarray, lon_range: tuple[float, float] = HELD_OUT_LON, rule: str = "geoplanet",
) -> dict[str, Any]:
    """Crater detections on the global MOLA, ``(n, 3)`` lon/lat/D km, against Robbins & Hynek on one half.

    Both sides are cut to the half and to |lat| <= MOLA_MAX_ABS_LAT; catalogue craters from
    MOLA_DONT_CARE_D_KM to MOLA_MIN_D_KM are "don't care" (a detection matching one is neither right nor
    wrong). Matching is on the sphere, in km. ``volcanoes`` names each shield volcano with a crater of at
    least MOLA_DONT_CARE_D_KM centred on its edifice, at any latitude.
    """
    dets = np.asarray(dets, dtype=np.float64).reshape(-1, 3)
    out = catalogue_scores(dets, robbins_craters(MOLA_DONT_CARE_D_KM), lon_range=lon_range,
                           max_abs_lat=MOLA_MAX_ABS_LAT, min_d_km=MOLA_MIN_D_KM, bins=MOLA_BINS,
                           radius_km=MARS_RADIUS_KM, rule=rule)
    big = dets[np.isfinite(dets[:, 2]) & (dets[:, 2] >= MOLA_DONT_CARE_D_KM) & in_lon_range(dets[:, 0], lon_range)]
    hit = sorted({name for name in on_volcano(big[:, 0], big[:, 1]) if name})
    return {"bins": out["bins"], "volcanoes": hit, "rule": rule, "lon_range": list(lon_range)}
