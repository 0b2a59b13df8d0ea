"""Model ages and N(1) from a crater count, computed by the craterstats package itself.

We do not re-implement production/chronology functions or fitting: craterstats is the reference
tool researchers cite, so the numbers we store must be its numbers. Our crater list is handed to
craterstats as an in-memory ``Cratercount`` and evaluated with its ``Craterplot.calculate_age``
(the same call its CLI makes), so binning, range snapping and uncertainties are craterstats'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

import numpy as np

from maps.core._craterstats_compat import craterstats, craterstats_version, functions
from maps.core.scc import CraterCount

# Long names (craterstats' OPLOT_TYPES) and its short names both accepted.
METHODS: dict[str, str] = {
    "poisson": "poisson",
    "buffered-poisson": "b-poisson",
    "b-poisson": "b-poisson",
    "cumulative-fit": "c-fit",
    "c-fit": "c-fit",
    "differential-fit": "d-fit",
    "d-fit": "d-fit",
}


@dataclass(frozen=True)
class ChronologySystem:
    """A craterstats chronology system: a production function (PF) plus a chronology function (CF)."""

    name: str
    body: str
    production_function: str
    chronology_function: str
    reference: str = ""

    def _pf(self) -> Any:
        return _production(self.production_function)

    def _cf(self) -> Any:
        return _chronology(self.chronology_function)

    def production(self, kind: str, d_km: np.ndarray, a0: float) -> np.ndarray:
        """PF in a presentation (``cumulative``, ``differential``, ``R-plot``) scaled to ``a0``."""
        return np.asarray(self._pf().evaluate(kind, np.asarray(d_km, dtype=float), a0))

    def production_cumulative(self, d_km: np.ndarray) -> np.ndarray:
        """Cumulative PF at its reference ``a0`` (used for slope-dependent corrections)."""
        return np.asarray(self._pf().evaluate("cumulative", np.asarray(d_km, dtype=float)))

    @property
    def diameter_range_km(self) -> tuple[float, float]:
        """Diameter range over which the PF is defined."""
        r = self._pf().range
        return float(r[0]), float(r[1])

    def a0_for_age(self, t_ga: float) -> float:
        """log10 N(1) of the isochron of age ``t_ga`` (Ga)."""
        return float(self._cf().a0(t_ga))

    def age_for_a0(self, a0: float) -> float:
        """Model age (Ga) of the isochron with log10 N(1) = ``a0``."""
        return float(self._cf().t(a0=a0))


@dataclass(frozen=True)
class AgeFit:
    """Result of one age evaluation, with everything needed to reproduce it."""

    method: str
    system: str
    production_function: str
    chronology_function: str
    binning: str
    d_range_km: tuple[float, float]  # range actually used (after craterstats' bin snapping)
    n_craters: float
    n_event: float
    age_ga: float
    age_lower_ga: float  # 1-sigma lower bound
    age_upper_ga: float  # 1-sigma upper bound
    a0: tuple[float, float, float]  # log10 N(1): best, lower, upper
    n_ref: float  # cumulative density at ref_diameter_km (N(1) for 1 km), km^-2
    ref_diameter_km: float
    craterstats_version: str

    @property
    def n1(self) -> tuple[float, float, float]:
        """N(1) in km^-2 (best, lower, upper), as craterstats' summary table prints it."""
        return (10 ** self.a0[0], 10 ** self.a0[1], 10 ** self.a0[2])

    @property
    def age_minus_ga(self) -> float:
        """Negative 1-sigma error in Ga."""
        return self.age_ga - self.age_lower_ga

    @property
    def age_plus_ga(self) -> float:
        """Positive 1-sigma error in Ga."""
        return self.age_upper_ga - self.age_ga

    def label(self, sig_figs: int = 3) -> str:
        """Human-readable age, e.g. ``"3.61 +0.11 -1.0 Ga"`` (craterstats' significant figures)."""
        import craterstats.gm as gm

        for scale, unit in ((1.0, "Ga"), (1e-3, "Ma"), (1e-6, "ka"), (1e-9, "a")):
            if self.age_ga >= scale or unit == "a":
                break
        val = gm.sigfigs(self.age_ga / scale, sig_figs)
        plus = gm.sigfigs(self.age_plus_ga / scale, sig_figs - 1)
        minus = gm.sigfigs(self.age_minus_ga / scale, sig_figs - 1)
        prefix = "\u03bc" if self.method in ("poisson", "b-poisson") else ""  # Michael et al. 2016 mu
        return f"{prefix}{val} +{plus} -{minus} {unit}"


@lru_cache(maxsize=64)
def _production(name: str) -> Any:
    return craterstats().Productionfn(functions(), name)


@lru_cache(maxsize=64)
def _chronology(name: str) -> Any:
    return craterstats().Chronologyfn(functions(), name)


def _system_from_def(e: dict[str, Any]) -> ChronologySystem:
    cf_ref = next((c.get("reference", "") for c in functions()["chronology"] if c["name"] == e["cf"]), "")
    return ChronologySystem(
        name=str(e["name"]),
        body=str(e["body"]),
        production_function=str(e["pf"]),
        chronology_function=str(e["cf"]),
        reference=str(e.get("ref", cf_ref)).strip("'\""),
    )


def list_systems(body: str | None = None) -> list[ChronologySystem]:
    """Chronology systems shipped with craterstats, optionally only those of ``body`` (e.g. ``"Mars"``)."""
    systems = [_system_from_def(e) for e in functions()["chronology_system"]]
    if body is None:
        return systems
    return [s for s in systems if s.body.lower() == body.strip().lower()]


def get_system(name: str) -> ChronologySystem:
    """Find a system by exact name or by craterstats' CLI abbreviation (``neukumivanov``, ``neukum83``).

    Abbreviations match like craterstats ``-cs``: the letters in order, case-insensitive; the
    shortest matching name wins. Raises ``KeyError`` when nothing matches.
    """
    systems = list_systems()
    for s in systems:
        if s.name == name:
            return s
    pattern = re.compile(".*".join(re.escape(c) for c in name), re.IGNORECASE)
    hits = sorted((s for s in systems if pattern.search(s.name)), key=lambda s: len(s.name))
    if not hits:
        raise KeyError(f"No chronology system matches {name!r}")
    return hits[0]


def _to_cratercount(count: CraterCount) -> Any:
    cst = craterstats()
    cc = cst.Cratercount()  # empty object; we fill the attributes its readers would set
    order = np.argsort(np.asarray(count.diameters_km, dtype=float), kind="stable")
    diam = [float(count.diameters_km[i]) for i in order]
    frac = count.weights()
    cc.filename = count.name or "count"
    cc.area = float(count.area_km2)
    cc.diam = diam
    cc.fraction = [float(frac[i]) for i in order]
    cc.perimeter = count.perimeter_km
    return cc


def fit_age(
    count: CraterCount,
    system: str | ChronologySystem,
    d_range_km: tuple[float, float],
    method: str = "poisson",
    binning: str = "pseudo-log",
    ref_diameter_km: float = 1.0,
    snap: bool = True,
) -> AgeFit:
    """Model age and N(1) of a crater count over a diameter range, via craterstats.

    ``method``: ``poisson`` (Michael et al. 2016, the recommended one), ``buffered-poisson``
    (needs ``count.perimeter_km``), ``cumulative-fit`` or ``differential-fit`` (Michael 2013).
    ``snap`` widens the range to bin boundaries as craterstats does by default.
    """
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}; choose from {sorted(METHODS)}")
    short = METHODS[method]
    if short == "b-poisson" and not count.perimeter_km:
        raise ValueError("buffered-poisson needs the counting-area perimeter")
    if not count.diameters_km:
        raise ValueError("Empty crater count")
    sysobj = system if isinstance(system, ChronologySystem) else get_system(system)
    pf, cf = sysobj._pf(), sysobj._cf()

    cst = craterstats()
    cp = cst.Craterplot(
        {
            "cratercount": _to_cratercount(count),
            "range": [repr(float(d_range_km[0])), repr(float(d_range_km[1]))],
            "type": short,
            "binning": binning,
            "snap": int(snap),
        }
    )
    # calculate_age only reads pf, cf and ref_diameter from the plot set.
    cps = SimpleNamespace(pf=pf, cf=cf, ref_diameter=float(ref_diameter_km))
    cp.calculate_age(cps)

    used = getattr(cp, "bin_range", None) if short in ("c-fit", "d-fit") else cp.range
    used = used if used is not None else cp.range
    t = [float(np.asarray(v)) for v in cp.t]
    a0 = [float(np.asarray(v)) for v in np.atleast_1d(cp.a0)]
    return AgeFit(
        method=short,
        system=sysobj.name,
        production_function=sysobj.production_function,
        chronology_function=sysobj.chronology_function,
        binning=binning,
        d_range_km=(float(used[0]), float(used[1])),
        n_craters=float(cp.n),
        n_event=float(cp.n_event),
        age_ga=t[0],
        age_lower_ga=t[1],
        age_upper_ga=t[2],
        a0=(a0[0], a0[1], a0[2]),
        n_ref=float(np.asarray(cp.n_d)),
        ref_diameter_km=float(ref_diameter_km),
        craterstats_version=craterstats_version(),
    )
