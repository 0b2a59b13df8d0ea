"""Plots and PDF / HTML reports render, and the HTML is escaped."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest

from maps.core.csfd import bin_craters, fit_age, read_scc
from maps.core.plots import (
    confidence_histogram_plot,
    csfd_plot,
    diameter_histogram_plot,
    figure_bytes,
    rose_plot,
)
from maps.core.report import CsfdSection, ReportData, render_html, render_pdf, report_figures
from maps.core.stats import compute_stats

EVIL = "<script>alert(1)</script>"


def _not_blank(png: bytes) -> None:
    img = mpimg.imread(io.BytesIO(png), format="png")
    assert img.ndim == 3 and img.shape[0] > 100
    grey = img[..., :3].mean(axis=2)
    assert (grey < 0.5).mean() > 0.001  # some dark ink on the white page
    assert grey.std() > 0.01


@pytest.fixture(scope="module")
def report_data(csfd_ref: Path) -> ReportData:
    c = read_scc(csfd_ref / "Pickering.scc")
    fits = [fit_age(c, "neukumivanov", (0.2, 0.7)), fit_age(c, "neukumivanov", (2.0, 5.0), method="c-fit")]
    stats = compute_stats(
        [{"class": "crater", "area_km2": 1.0, "diameter_km": d, "confidence": 0.9} for d in c.diameters_km[:200]]
        + [{"class": "ridge", "length_km": 30.0, "orientation_deg": 20.0 + i, "confidence": 0.6} for i in range(9)]
        + [{"class": EVIL, "area_km2": 2.0, "review_status": "accepted"}],
        total_area_km2=c.area_km2,
    )
    return ReportData(
        title=EVIL,
        body="Mars",
        description=f"Pickering count region\n\n{EVIL} & more",
        map_png=diameter_histogram_plot(stats.diameter_histogram),
        stats=stats,
        csfd=[CsfdSection(EVIL, bin_craters(c.diameters_km, c.area_km2), fits)],
        model_version="crater-unet v1 (sha256 abc)",
        parameters={"threshold": "0.5", EVIL: EVIL},
        credits=["Pickering count: craterstats sample data (G. Michael, BSD-3)", EVIL],
        generated_at="2025-01-01T00:00:00+00:00",
    )


def test_plots_are_png_and_svg(csfd_ref: Path, report_data: ReportData) -> None:
    sec = report_data.csfd[0]
    for kind in ("cumulative", "differential", "R-plot"):
        png = csfd_plot(sec.binned, kind, sec.fits)
        assert png.startswith(b"\x89PNG")
        _not_blank(png)
    svg = csfd_plot(sec.binned, "cumulative", sec.fits, fmt="svg")
    assert b"<svg" in svg[:500]
    st = report_data.stats
    assert st is not None
    for png in (rose_plot(st.orientation_rose), confidence_histogram_plot(st.confidence_histogram)):
        _not_blank(png)
    with pytest.raises(ValueError):
        csfd_plot(sec.binned, fmt="gif")


def test_pdf_report_renders(report_data: ReportData, tmp_path: Path) -> None:
    pdf = render_pdf(report_data)
    assert pdf.startswith(b"%PDF")
    n_pages = len(report_figures(report_data))
    assert n_pages >= 8
    counts = [int(m) for m in re.findall(rb"/Count (\d+)", pdf)]
    assert n_pages in counts
    exe = shutil.which("pdftoppm")
    if exe:
        # Rasterise the first page with poppler, as a PDF viewer would.
        (tmp_path / "r.pdf").write_bytes(pdf)
        subprocess.run([exe, "-png", "-r", "50", "-f", "1", "-l", "1", "r.pdf", "page"], cwd=tmp_path, check=True)
        pngs = sorted(tmp_path.glob("page*.png"))
        assert pngs, "pdftoppm produced no page"
        _not_blank(pngs[0].read_bytes())
    else:
        _not_blank(figure_bytes(report_figures(report_data)[0]))


def test_html_report_is_escaped(report_data: ReportData) -> None:
    doc = render_html(report_data)
    assert "<script>" not in doc.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
    assert "<title>&lt;script&gt;" in doc
    assert "&amp; more" in doc
    assert doc.count("data:image/png;base64,") >= 6  # map, 3 stats plots, 3 CSFD plots
    assert "craterstats 3.2.1" in doc and "Mars, Neukum-Ivanov (2001)" in doc
    assert "μ630 +37 -35 Ma" in doc


def test_minimal_report() -> None:
    data = ReportData(title="Cost $5 and 50% of $", body="Moon", description="a_b $x")
    assert render_pdf(data).startswith(b"%PDF")
    assert "<h1>Cost $5 and 50% of $</h1>" in render_html(data)
    assert np.isfinite(len(report_figures(data)))
