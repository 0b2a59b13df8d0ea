"""Pickering's crater count loaded as Feature rows gives craterstats' own CSFD, N(1) and model age.

The path is the production one: DB rows -> maps.stats.selectors (visibility, region polygon, reviews) ->
maps.stats.summary -> maps.core (binning, craterstats fit). The reference numbers come from craterstats' CLI
run on Pickering.scc itself, as in tests/maps/core.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from shapely.geometry import Polygon, mapping
from shapely.ops import unary_union

from maps.core.csfd import presentation
from maps.core.scc import CraterCount
from maps.stats.selectors import scope_for_target
from maps.stats.summary import CsfdParams, summarize
from maps.stats.targets import parse_token, region_target

pytestmark = pytest.mark.slow


def pickering_region(count: CraterCount, **extra: Any) -> dict[str, Any]:
    ext = unary_union([Polygon(r.lonlat) for r in count.rings if r.tag == "ext"])
    holes = unary_union([Polygon(r.lonlat) for r in count.rings if r.tag == "int"])
    return {"body": "mars", "geometry": mapping(ext.difference(holes)), "name": "Pickering", **extra}


def _check_row(fit: Any, row: dict[str, str]) -> None:
    # craterstats prints ages with .3g, a0 with .4g and N(1) with .2e.
    assert f"{fit.age_ga:.3g}" == row["Age"]
    assert f"{fit.age_lower_ga:.3g}" == row["Age-"] and f"{fit.age_upper_ga:.3g}" == row["Age+"]
    assert f"{fit.a0[0]:.4g}" == row["a0"]
    assert f"{fit.n1[0]:.2e}" == row["N(1)"]
    assert fit.n_event == float(row["N_event"])


def test_region_query_reproduces_craterstats(
    cast: Any, pickering_analysis: Any, pickering: CraterCount, craterstats_pickering: dict[str, Any]
) -> None:
    # The counting area CraterTools stated (3036.6 km², its own projection) is given explicitly so the
    # numbers can be compared digit for digit; the measured-area case is the next test.
    target = region_target(pickering_region(pickering, area_km2=pickering.area_km2))
    target = parse_token(target.token())  # survives the URL round trip
    scope = scope_for_target(cast.owner, target)
    rows = craterstats_pickering["pois"]
    for (lo, hi), row in zip(((0.2, 0.7), (2.0, 5.0)), rows, strict=True):
        summary = summarize(scope, CsfdParams(system="Mars, Neukum-Ivanov (2001)", d_min=lo, d_max=hi))
        assert summary.csfd.fit is not None
        _check_row(summary.csfd.fit, row)
    assert summary.csfd.count.diameters_km and len(summary.csfd.count.diameters_km) == 1707
    # Binned CSFD = craterstats' .stat export (D_min, n, ncum, n/A, ncum/A and their errors)
    b = summary.csfd.binned
    assert b is not None
    q = b.n > 0
    stat = np.array(craterstats_pickering["stat"])
    np.testing.assert_allclose(b.d_min[q], stat[:, 0], rtol=1e-6)
    np.testing.assert_array_equal(b.n[q], stat[:, 1])
    np.testing.assert_array_equal(b.ncum[q], stat[:, 4])
    cum = presentation(b, "cumulative")
    np.testing.assert_allclose(cum.y, stat[:, 5], rtol=1e-3)
    np.testing.assert_allclose(cum.err, stat[:, 6], rtol=1e-3)
    young = summarize(scope, CsfdParams(d_min=0.2, d_max=0.7))  # Neukum-Ivanov is Mars' default
    assert young.csfd.fit is not None and young.csfd.fit.label() == "\u03bc630 +37 -35 Ma"


def test_region_area_is_measured_on_mars(
    cast: Any, pickering_analysis: Any, pickering: CraterCount, craterstats_pickering: dict[str, Any]
) -> None:
    scope = scope_for_target(cast.owner, region_target(pickering_region(pickering)))
    # Geodesic area of the boundary (holes out) on the Mars sphere (Body.mean_radius_m), close to CraterTools' figure.
    assert scope.area_km2 is not None
    assert scope.area_km2 == pytest.approx(pickering.area_km2, rel=0.03)
    assert "Mars sphere" in scope.area_source
    summary = summarize(scope, CsfdParams(d_min=0.2, d_max=0.7))
    ref = float(craterstats_pickering["pois"][0]["N(1)"])
    # Poisson likelihood depends on N(1) * area only, so N(1) scales exactly with 1 / area.
    assert summary.csfd.fit is not None
    assert summary.csfd.fit.n1[0] == pytest.approx(ref * pickering.area_km2 / scope.area_km2, rel=6e-3)


def test_analysis_scope_uses_footprint_area(cast: Any, pickering_analysis: Any) -> None:
    scope = scope_for_target(cast.owner, parse_token(f"analysis:{pickering_analysis.pk}"))
    assert scope.area_km2 is not None
    assert scope.area_km2 == pytest.approx(pickering_analysis.raster.footprint_area_km2)
    summary = summarize(scope, CsfdParams())
    assert summary.stats.n_features == 1707 and summary.stats.classes[0].class_name == "crater"
    assert summary.stats.classes[0].density_per_km2 == pytest.approx(1707 / scope.area_km2)
    assert summary.csfd.binned is not None and summary.csfd.binned.area_km2 == scope.area_km2
