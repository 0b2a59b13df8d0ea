"""Crater size-frequency distributions (CSFD): binning, presentations, counting areas.

Binning and the cumulative / differential / R-plot / incremental values reproduce craterstats 3.2.1
(``Cratercount.generate_bins``, ``apply_binning``, ``getplotdata``) so that a table we show agrees
with the plot a researcher makes in craterstats from the same count. Error bars are Poisson:
``y / sqrt(N_event)``, i.e. ``sqrt(N)/A`` for the cumulative and incremental forms.

Model ages go through craterstats itself (see :mod:`maps.core.ages`); the names are re-exported
here so callers need a single import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyproj

from maps.core.ages import AgeFit, ChronologySystem, fit_age, get_system, list_systems
from maps.core.scc import AreaRing, CraterCount, parse_scc, read_scc

__all__ = [
    "AgeFit",
    "AreaRing",
    "BINNINGS",
    "Binned",
    "ChronologySystem",
    "CraterCount",
    "Presentation",
    "bin_craters",
    "bin_edges",
    "count_from_lonlat_polygon",
    "fit_age",
    "get_system",
    "list_systems",
    "parse_scc",
    "polygon_area_km2",
    "presentation",
    "read_scc",
]

BINNINGS: tuple[str, ...] = ("pseudo-log", "20/decade", "10/decade", "x2", "root-2", "4th root-2")
DEFAULT_BINNING = "pseudo-log"  # craterstats' default for every plot
# craterstats' pseudo-log bin starts within each decade (18 bins/decade, 1-1.5 in steps of 0.1...)
_PSEUDO_LOG = (1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.7, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0, 9.0)
_BINS_PER_DECADE = {
    "x2": 1.0 / np.log10(2.0),
    "root-2": 2.0 / np.log10(2.0),
    "4th root-2": 4.0 / np.log10(2.0),
    "10/decade": 10.0,
    "20/decade": 20.0,
}


@dataclass(frozen=True)
class Binned:
    """Histogram of a crater count; arrays are per bin, in increasing diameter."""

    binning: str
    area_km2: float
    d_min: np.ndarray
    d_max: np.ndarray
    d_mean: np.ndarray  # geometric bin centre, as craterstats
    n: np.ndarray  # fraction-weighted count
    n_event: np.ndarray  # raw number of craters (drives the Poisson error)
    ncum: np.ndarray
    ncum_event: np.ndarray

    @property
    def bin_width(self) -> np.ndarray:
        """Bin width in km."""
        return self.d_max - self.d_min


@dataclass(frozen=True)
class Presentation:
    """One plotted series: x in km, y per km² (or per km³ for differential), Poisson error."""

    kind: str
    d: np.ndarray
    y: np.ndarray
    err: np.ndarray
    n: float
    n_event: float


def bin_edges(diameters_km: Sequence[float] | np.ndarray, binning: str = DEFAULT_BINNING) -> np.ndarray:
    """Bin boundaries covering the diameters, built exactly as craterstats' ``generate_bins``."""
    if binning not in BINNINGS:
        raise ValueError(f"Unknown binning {binning!r}; choose from {BINNINGS}")
    d = np.asarray(diameters_km, dtype=float)
    if d.size == 0 or np.any(d <= 0):
        raise ValueError("Need at least one positive diameter")
    r10 = np.log10([d.min(), d.max()])
    r10[1] += 0.001  # craterstats: one boundary just beyond the largest crater
    if binning == "pseudo-log":
        decades = [10.0**e for e in range(int(np.floor(r10[0])), int(np.ceil(r10[1] + 0.1)))]
        bins = np.outer(decades, _PSEUDO_LOG).flatten()
    else:
        per_decade = _BINS_PER_DECADE[binning]
        lo, hi = np.floor(r10[0] * per_decade), np.ceil(r10[1] * per_decade)
        bins = 10 ** (np.arange(lo, hi + 1) / per_decade)
    q = np.searchsorted(bins, 10**r10)
    return np.asarray(bins[max(q[0] - 1, 0) : q[1] + 1])


def bin_craters(
    diameters_km: Sequence[float],
    area_km2: float,
    binning: str = DEFAULT_BINNING,
    fractions: Sequence[float] | None = None,
) -> Binned:
    """Histogram a crater list like craterstats ``Cratercount.apply_binning``."""
    if area_km2 <= 0:
        raise ValueError("Counting area must be positive")
    d = np.asarray(diameters_km, dtype=float)
    w = np.ones_like(d) if fractions is None else np.asarray(fractions, dtype=float)
    edges = bin_edges(d, binning)
    n_event, _ = np.histogram(d, bins=edges)
    n, _ = np.histogram(d, bins=edges, weights=w)
    return Binned(
        binning=binning,
        area_km2=float(area_km2),
        d_min=edges[:-1],
        d_max=edges[1:],
        d_mean=np.sqrt(edges[1:] * edges[:-1]),
        n=n.astype(float),
        n_event=n_event.astype(float),
        ncum=np.flip(np.cumsum(np.flip(n))).astype(float),
        ncum_event=np.flip(np.cumsum(np.flip(n_event))).astype(float),
    )


def _bin_bias_correction(beta: np.ndarray, k: np.ndarray | float) -> np.ndarray:
    # Michael (2013) Eq. 2: ratio of the binned to the true differential value for a log-log slope k.
    g = beta**0.5 - beta**-0.5
    k_arr = np.broadcast_to(np.asarray(k, dtype=float), np.shape(beta))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (beta ** (k_arr / 2.0) - beta ** (-k_arr / 2.0)) / (g * k_arr)
    return np.where(np.abs(k_arr) < 1e-5, 1.0, r)


def presentation(
    binned: Binned,
    kind: str,
    d_range: tuple[float, float] | None = None,
    system: ChronologySystem | None = None,
) -> Presentation:
    """Values of one CSFD presentation over non-empty bins.

    ``kind`` is ``cumulative``, ``incremental``, ``differential`` or ``R-plot``.
    The differential form is corrected for exponential-binning bias as craterstats does (slope of
    the system's production function when ``system`` is given, else -3). ``d_range`` keeps the bins
    whose geometric centre lies strictly inside it (craterstats' selection rule).
    """
    q = binned.n > 0
    a = binned.area_km2
    width = binned.bin_width
    if kind == "cumulative":
        d = binned.d_min[q]
        y = binned.ncum[q] / a
        err = y / np.sqrt(binned.ncum_event[q])
    elif kind == "incremental":
        d = binned.d_mean[q]
        y = binned.n[q] / a
        err = y / np.sqrt(binned.n_event[q])
    elif kind == "differential":
        d = binned.d_mean[q]
        y = binned.n[q] / width[q] / a
        err = y / np.sqrt(binned.n_event[q])
        beta = (binned.d_mean[q] / binned.d_min[q]) ** 2
        if system is not None:
            c = system.production_cumulative
            k = np.log10(c(d * np.sqrt(beta)) / c(d / np.sqrt(beta))) / np.log10(beta)
        else:
            k = -3.0  # craterstats' fallback: much better than no correction
        y = y / _bin_bias_correction(beta, k)
    elif kind == "R-plot":
        d = binned.d_mean[q]
        y = d**3 * binned.n[q] / width[q] / a
        err = y / np.sqrt(binned.n_event[q])
    else:
        raise ValueError(f"Unknown presentation {kind!r}")

    sel = np.ones(d.shape, dtype=bool)
    if d_range is not None:
        centres = binned.d_mean[q]
        sel = (d_range[0] < centres) & (centres < d_range[1])
    return Presentation(
        kind=kind,
        d=d[sel],
        y=y[sel],
        err=err[sel],
        n=float(np.sum(binned.n[q][sel])),
        n_event=float(np.sum(binned.n_event[q][sel])),
    )


def polygon_area_km2(rings: Sequence[AreaRing] | Sequence[Sequence[tuple[float, float]]], radius_km: float) -> float:
    """Area on a sphere of a lon/lat polygon (geodesic edges), holes (``int`` rings) subtracted.

    Plain lists of (lon, lat) tuples are treated as outer rings.
    """
    geod = pyproj.Geod(a=radius_km, b=radius_km)  # lengths in km -> area in km²
    total = 0.0
    for ring in rings:
        if isinstance(ring, AreaRing):
            pts, sign = ring.lonlat, (-1.0 if ring.tag.lower() == "int" else 1.0)
        else:
            pts, sign = list(ring), 1.0
        if len(pts) < 3:
            continue
        lons, lats = zip(*pts, strict=True)
        area, _ = geod.polygon_area_perimeter(lons, lats)
        total += sign * abs(area)
    return total


def count_from_lonlat_polygon(
    diameters_km: Sequence[float],
    polygon_lonlat: Sequence[tuple[float, float]],
    radius_km: float,
    lon: Sequence[float] | None = None,
    lat: Sequence[float] | None = None,
) -> CraterCount:
    """Build a :class:`CraterCount` whose area is the spherical area of a lon/lat polygon."""
    ring = AreaRing(1, "ext", [(float(x), float(y)) for x, y in polygon_lonlat])
    return CraterCount(
        diameters_km=[float(v) for v in diameters_km],
        area_km2=polygon_area_km2([ring], radius_km),
        lon=None if lon is None else [float(v) for v in lon],
        lat=None if lat is None else [float(v) for v in lat],
        body_radius_km=radius_km,
        rings=[ring],
    )
