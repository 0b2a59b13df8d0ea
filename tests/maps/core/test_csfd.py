"""CSFD binning and model ages, checked against craterstats 3.2.1 run on the same files."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

import numpy as np
import pytest

from maps.core._craterstats_compat import craterstats, functions
from maps.core.csfd import AgeFit, bin_craters, bin_edges, fit_age, get_system, list_systems, presentation, read_scc
from tests.maps.core.conftest import read_stat, read_summary_csv, run_craterstats

PICKERING_FITS = [
    ("d-fit", (2.0, 5.0)),
    ("c-fit", (0.2, 0.7)),
    ("c-fit", (2.0, 5.0)),
    ("d-fit", (0.2, 0.7)),
]
PICKERING_POISSON = [("poisson", (0.2, 0.7)), ("poisson", (2.0, 5.0))]


class CliPickering(TypedDict):
    fits: list[dict[str, str]]
    pois: list[dict[str, str]]
    stat: list[list[float]]


def _plot_args(src: Path, fits: list[tuple[str, tuple[float, float]]]) -> list[str]:
    args = ["-p", f"source={src}"]
    for method, (lo, hi) in fits:
        args += ["-p", f"type={method},range=[{lo},{hi}]"]
    return args


@pytest.fixture(scope="module")
def cli_pickering(csfd_ref: Path, tmp_path_factory: pytest.TempPathFactory) -> CliPickering:
    """craterstats' own summary tables and stat export for Pickering (Mars, Neukum-Ivanov)."""
    out = tmp_path_factory.mktemp("cst")
    src = csfd_ref / "Pickering.scc"
    # One csv per method family: craterstats 3.2.1 picks the range column from the last row's type.
    run_craterstats(["-cs", "neukumivanov", "-f", "csv", "stat", "-o", "fits", *_plot_args(src, PICKERING_FITS)], out)
    run_craterstats(["-cs", "neukumivanov", "-f", "csv", "-o", "pois", *_plot_args(src, PICKERING_POISSON)], out)
    return {
        "fits": read_summary_csv(out / "fits.csv"),
        "pois": read_summary_csv(out / "pois.csv"),
        "stat": read_stat(out / "Pickering_pseudo-log.stat"),
    }


def test_binned_table_matches_craterstats_stat_export(csfd_ref: Path, cli_pickering: CliPickering) -> None:
    c = read_scc(csfd_ref / "Pickering.scc")
    b = bin_craters(c.diameters_km, c.area_km2)
    q = b.n > 0
    stat = np.array(cli_pickering["stat"])
    # columns: D_min, n, n/A, err, ncum, ncum/A, err, D_mean, N_diff, err, N_event (printed to 4-5 s.f.)
    np.testing.assert_allclose(b.d_min[q], stat[:, 0], rtol=1e-6)
    np.testing.assert_array_equal(b.n[q], stat[:, 1])
    np.testing.assert_array_equal(b.ncum[q], stat[:, 4])
    inc = presentation(b, "incremental")
    cum = presentation(b, "cumulative")
    np.testing.assert_allclose(inc.y, stat[:, 2], rtol=1e-3)
    np.testing.assert_allclose(inc.err, stat[:, 3], rtol=1e-3)
    np.testing.assert_allclose(cum.y, stat[:, 5], rtol=1e-3)
    np.testing.assert_allclose(cum.err, stat[:, 6], rtol=1e-3)
    np.testing.assert_allclose(b.d_mean[q], stat[:, 7], rtol=1e-3)
    np.testing.assert_allclose(b.n[q] / b.bin_width[q] / b.area_km2, stat[:, 8], rtol=1e-3)
    assert cum.n_event == 1707 and b.ncum[0] == 1707


@pytest.mark.parametrize("binning", ["pseudo-log", "root-2", "10/decade", "20/decade", "x2", "4th root-2"])
@pytest.mark.parametrize("kind", ["cumulative", "differential", "R-plot", "incremental"])
def test_presentations_match_craterstats_api(csfd_ref: Path, binning: str, kind: str) -> None:
    cst = craterstats()
    src = csfd_ref / "Pickering.scc"
    cc = cst.Cratercount(str(src))
    system = get_system("Mars, Neukum-Ivanov (2001)")
    pf = cst.Productionfn(functions(), system.production_function)
    ref = cc.getplotdata(kind, binning, pf=pf)
    c = read_scc(src)
    ours = presentation(bin_craters(c.diameters_km, c.area_km2, binning), kind, system=system)
    np.testing.assert_allclose(ours.d, ref["d"], rtol=1e-12)
    np.testing.assert_allclose(ours.y, ref["y"], rtol=1e-10)
    np.testing.assert_allclose(ours.err, ref["err"], rtol=1e-10)
    assert ours.n == pytest.approx(ref["n"])


def _check_row(fit: AgeFit, row: dict[str, str]) -> None:
    # craterstats prints ages with .3g, a0 with .4g and N(1) with .2e.
    assert f"{fit.age_ga:.3g}" == row["Age"]
    assert f"{fit.age_lower_ga:.3g}" == row["Age-"]
    assert f"{fit.age_upper_ga:.3g}" == row["Age+"]
    assert f"{fit.a0[0]:.4g}" == row["a0"]
    assert f"{fit.a0[1]:.4g}" == row["a0-"] and f"{fit.a0[2]:.4g}" == row["a0+"]
    assert f"{fit.n1[0]:.2e}" == row["N(1)"]
    assert fit.n_event == float(row["N_event"])


def test_fitted_ages_match_craterstats(csfd_ref: Path, cli_pickering: CliPickering) -> None:
    c = read_scc(csfd_ref / "Pickering.scc")
    for (method, rng), row in zip(PICKERING_FITS, cli_pickering["fits"], strict=True):
        fit = fit_age(c, "neukumivanov", rng, method=method)
        assert row["Method"] == method
        assert f"{fit.d_range_km[0]:.2g}" == row["d_min"] and f"{fit.d_range_km[1]:.2g}" == row["d_max"]
        _check_row(fit, row)


def test_poisson_ages_match_craterstats(csfd_ref: Path, cli_pickering: CliPickering) -> None:
    c = read_scc(csfd_ref / "Pickering.scc")
    for (method, rng), row in zip(PICKERING_POISSON, cli_pickering["pois"], strict=True):
        fit = fit_age(c, "Mars, Neukum-Ivanov (2001)", rng, method=method)
        _check_row(fit, row)
    young = fit_age(c, "neukumivanov", (0.2, 0.7))
    assert young.n_craters == 313 and young.label() == "\u03bc630 +37 -35 Ma"


def test_moon_buffered_poisson_matches_craterstats(csfd_ref: Path, tmp_path: Path) -> None:
    src = csfd_ref / "c7_Michael-et-al-2021.scc"
    fits = [("b-poisson", (0.25, 2.0)), ("poisson", (0.25, 2.0))]
    run_craterstats(["-cs", "neukum83", "-f", "csv", "-o", "c7", *_plot_args(src, fits)], tmp_path)
    rows = read_summary_csv(tmp_path / "c7.csv")
    c = read_scc(src)
    for (method, rng), row in zip(fits, rows, strict=True):
        fit = fit_age(c, "neukum83", rng, method=method)
        assert fit.system == "Moon, Neukum (1983)"
        _check_row(fit, row)


def test_hand_computed_binning_and_errors() -> None:
    # 4 craters on 100 km²: pseudo-log bins [1,1.1), [1.1,1.2), ..., [2,2.5) ...
    d = [1.05, 1.05, 1.15, 2.2]
    b = bin_craters(d, 100.0)
    np.testing.assert_allclose(b.d_min[:3], [1.0, 1.1, 1.2])
    q = b.n > 0
    np.testing.assert_allclose(b.d_min[q], [1.0, 1.1, 2.0])
    np.testing.assert_array_equal(b.n[q], [2, 1, 1])
    np.testing.assert_array_equal(b.ncum[q], [4, 2, 1])
    cum = presentation(b, "cumulative")
    np.testing.assert_allclose(cum.y, [0.04, 0.02, 0.01])
    np.testing.assert_allclose(cum.err, [np.sqrt(4) / 100, np.sqrt(2) / 100, 1 / 100])
    inc = presentation(b, "incremental")
    np.testing.assert_allclose(inc.err, [np.sqrt(2) / 100, 0.01, 0.01])
    # R = D^3 * n / (width * A) at the geometric bin centre
    r = presentation(b, "R-plot")
    dm = np.sqrt(1.0 * 1.1)
    assert r.d[0] == pytest.approx(dm)
    assert r.y[0] == pytest.approx(dm**3 * 2 / (0.1 * 100))
    assert r.err[0] == pytest.approx(r.y[0] / np.sqrt(2))
    # fractions weight n but not the Poisson event count
    bw = bin_craters(d, 100.0, fractions=[0.5, 1, 1, 1])
    assert bw.n[0] == 1.5 and bw.n_event[0] == 2


def test_root2_edges_are_powers_of_sqrt2() -> None:
    e = bin_edges([1.0, 3.0], "root-2")
    np.testing.assert_allclose(np.log2(e) * 2, np.round(np.log2(e) * 2))
    assert e[0] <= 1.0 < e[1] and e[-1] > 3.0


def test_range_selection_and_errors() -> None:
    b = bin_craters([1.05, 1.15, 2.2], 10.0)
    assert presentation(b, "cumulative", d_range=(1.1, 3.0)).n == 2
    with pytest.raises(ValueError):
        presentation(b, "bogus")
    with pytest.raises(ValueError):
        bin_craters([1.0], 0.0)
    with pytest.raises(ValueError):
        bin_edges([1.0], "nope")


def test_list_systems() -> None:
    mars = [s.name for s in list_systems("Mars")]
    assert "Mars, Neukum-Ivanov (2001)" in mars and "Mars, Hartmann 2004 iteration" in mars
    assert "Mars, Ivanov (2001)" in mars
    moon = list_systems("moon")
    assert moon[0].name == "Moon, Neukum (1983)" and all(s.body == "Moon" for s in moon)
    ni = get_system("neukumivanov")
    assert ni.production_function == "Mars, Ivanov (2001)"
    assert ni.chronology_function == "Mars, Hartmann & Neukum (2001)"
    with pytest.raises(KeyError):
        get_system("zzzz")


@pytest.mark.parametrize(
    "system", ["Mars, Hartmann 2004 iteration", "Mars, Ivanov (2001)", "Mars, Hartmann & Daubar (2016)"]
)
def test_other_mars_systems_give_sane_ages(csfd_ref: Path, system: str) -> None:
    c = read_scc(csfd_ref / "Pickering.scc")
    fit = fit_age(c, system, (0.2, 0.7))
    assert 0.05 < fit.age_ga < 4.5 and fit.age_lower_ga < fit.age_ga < fit.age_upper_ga


def test_fit_age_rejects_bad_input(csfd_ref: Path) -> None:
    c = read_scc(csfd_ref / "Pickering.scc")
    with pytest.raises(ValueError, match="perimeter"):
        fit_age(c, "neukumivanov", (0.2, 0.7), method="buffered-poisson")
    with pytest.raises(ValueError, match="method"):
        fit_age(c, "neukumivanov", (0.2, 0.7), method="magic")
