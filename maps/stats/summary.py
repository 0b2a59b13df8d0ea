"""Turn a resolved scope into the numbers every page, API answer and report shows (JSON-safe dicts).

No database writes and no HTTP here: ``selectors`` supplies rows, ``maps.core`` does the science, and this
module only chooses parameters and shapes the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from maps.core.ages import METHODS, AgeFit, ChronologySystem, fit_age, list_systems
from maps.core.csfd import BINNINGS, Binned, bin_craters, presentation
from maps.core.scc import CraterCount
from maps.core.stats import FeatureStats, compute_stats
from maps.stats.errors import InvalidParameters
from maps.stats.selectors import FeatureRow, Scope, feature_rows

PRESENTATIONS = ("cumulative", "differential", "R-plot")


@dataclass(frozen=True)
class CsfdParams:
    """What the user chose for the CSFD: chronology system, fit range (km), method and binning."""

    system: str = ""
    d_min: float | None = None
    d_max: float | None = None
    method: str = "poisson"
    binning: str = "pseudo-log"

    @property
    def has_range(self) -> bool:
        return self.d_min is not None and self.d_max is not None


def _opt_float(value: Any, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise InvalidParameters(f"{name} must be a number.") from None
    if not np.isfinite(f) or f <= 0:
        raise InvalidParameters(f"{name} must be a positive diameter in km.")
    return f


def csfd_params(data: Mapping[str, Any]) -> CsfdParams:
    """Parse and check CSFD parameters from query parameters or a JSON body."""
    method = str(data.get("method") or "poisson")
    binning = str(data.get("binning") or "pseudo-log")
    if method not in METHODS:
        raise InvalidParameters(f"Unknown method {method!r}.")
    if binning not in BINNINGS:
        raise InvalidParameters(f"Unknown binning {binning!r}.")
    d_min, d_max = _opt_float(data.get("d_min"), "d_min"), _opt_float(data.get("d_max"), "d_max")
    if d_min is not None and d_max is not None and d_min >= d_max:
        raise InvalidParameters("d_min must be smaller than d_max.")
    return CsfdParams(str(data.get("system") or ""), d_min, d_max, method, binning)


def systems_for(body_name: str) -> list[ChronologySystem]:
    """craterstats' chronology systems for a body (empty for a body craterstats has none for)."""
    return list_systems(body_name) if body_name else []


def choose_system(body_name: str, requested: str) -> ChronologySystem | None:
    """The requested system if it belongs to the body, else the body's first (craterstats' default order)."""
    systems = systems_for(body_name)
    if requested:
        for s in systems:
            if s.name == requested:
                return s
        raise InvalidParameters(f"{requested!r} is not a chronology system for {body_name}.")
    return systems[0] if systems else None


def crater_count(rows: list[FeatureRow], area_km2: float, name: str = "") -> CraterCount:
    """Craters after review (rejected out, relabels applied) with a diameter, as a plain count."""
    kept = [r for r in rows if not r.record.is_rejected and r.record.effective_class == "crater"]
    kept = [r for r in kept if r.record.diameter_km is not None and r.record.diameter_km > 0]
    return CraterCount(
        diameters_km=[float(r.record.diameter_km or 0.0) for r in kept],
        area_km2=area_km2,
        lon=[r.lon if r.lon is not None else float("nan") for r in kept],
        lat=[r.lat if r.lat is not None else float("nan") for r in kept],
        name=name,
    )


def _series(binned: Binned, kind: str, system: ChronologySystem | None) -> dict[str, Any]:
    p = presentation(binned, kind, system=system)
    return {"d": p.d.tolist(), "y": p.y.tolist(), "err": p.err.tolist()}


def _isochron(system: ChronologySystem, fit: AgeFit, kind: str) -> dict[str, Any]:
    lo, hi = fit.d_range_km
    d = np.logspace(np.log10(lo), np.log10(hi), 40)
    return {"d": d.tolist(), "y": system.production(kind, d, fit.a0[0]).tolist()}


def fit_dict(fit: AgeFit) -> dict[str, Any]:
    """A fit with its label and N(1), JSON-safe."""
    out = asdict(fit)
    out.update(label=fit.label(), n1=list(fit.n1), age_minus_ga=fit.age_minus_ga, age_plus_ga=fit.age_plus_ga)
    return out


@dataclass
class CsfdResult:
    """The binned count, the fit (if a range was chosen) and the system used."""

    count: CraterCount
    binned: Binned | None
    system: ChronologySystem | None
    fit: AgeFit | None
    fit_error: str = ""


def csfd_result(rows: list[FeatureRow], area_km2: float | None, params: CsfdParams, body: str, name: str) -> CsfdResult:
    """Bin the craters and, when a diameter range is chosen, fit a model age through craterstats."""
    system = choose_system(body, params.system)
    count = crater_count(rows, area_km2 or 1.0, name)
    if not count.diameters_km or not area_km2:
        return CsfdResult(count, None, system, None)
    binned = bin_craters(count.diameters_km, area_km2, params.binning)
    if not params.has_range or system is None:
        return CsfdResult(count, binned, system, None)
    try:
        fit = fit_age(count, system, (params.d_min or 0.0, params.d_max or 0.0), params.method, params.binning)
    except (ValueError, ZeroDivisionError, IndexError, FloatingPointError) as exc:
        return CsfdResult(count, binned, system, None, f"No age could be fitted over this range ({exc}).")
    if not np.isfinite(fit.age_ga):
        return CsfdResult(count, binned, system, None, "No age could be fitted over this range.")
    return CsfdResult(count, binned, system, fit)


def csfd_dict(res: CsfdResult) -> dict[str, Any]:
    """CSFD series per presentation (Poisson errors), the fitted isochron and the age."""
    out: dict[str, Any] = {
        "n_craters": len(res.count.diameters_km),
        "area_km2": res.binned.area_km2 if res.binned else None,
        "system": res.system.name if res.system else None,
        "fit": fit_dict(res.fit) if res.fit else None,
        "fit_error": res.fit_error,
        "series": {},
        "isochrons": {},
        "bins": [],
    }
    if res.binned is None:
        return out
    b = res.binned
    out["binning"] = b.binning
    out["bins"] = [
        {"d_min": float(lo), "d_max": float(hi), "n": float(n), "ncum": float(nc)}
        for lo, hi, n, nc in zip(b.d_min, b.d_max, b.n, b.ncum, strict=True)
        if n > 0
    ]
    for kind in PRESENTATIONS:
        out["series"][kind] = _series(b, kind, res.system)
        if res.fit and res.system:
            out["isochrons"][kind] = _isochron(res.system, res.fit, kind)
    return out


def stats_dict(stats: FeatureStats) -> dict[str, Any]:
    """Class statistics, lengths, histograms and the rose, JSON-safe."""
    return asdict(stats)


@dataclass
class Summary:
    """Everything shown for one scope; ``as_dict`` is the API answer."""

    scope: Scope
    stats: FeatureStats
    csfd: CsfdResult
    params: CsfdParams

    def as_dict(self) -> dict[str, Any]:
        s = self.scope
        return {
            "target": s.target.as_dict(),
            "token": s.target.token(),
            "title": s.title,
            "body": s.body_name,
            "area_km2": s.area_km2,
            "area_source": s.area_source,
            "analyses": [a.pk for a in s.analyses],
            "rasters": [r.pk for r in s.rasters],
            "stats": stats_dict(self.stats),
            "csfd": csfd_dict(self.csfd),
            "params": asdict(self.params),
            "systems": [x.name for x in systems_for(s.body.name if s.body else "")],
        }


def summarize(scope: Scope, params: CsfdParams) -> Summary:
    """Statistics and CSFD of a scope (reviews honoured by ``maps.core.stats``)."""
    rows = feature_rows(scope)
    stats = compute_stats([r.record for r in rows], total_area_km2=scope.area_km2 or None)
    body = scope.body.name if scope.body else ""
    res = csfd_result(rows, scope.area_km2, params, body, scope.title)
    return Summary(scope, stats, res, params)

