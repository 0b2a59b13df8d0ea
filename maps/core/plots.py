"""Matplotlib figures for CSFDs and feature statistics, returned as PNG/SVG bytes.

Figures are built with ``matplotlib.figure.Figure`` and the Agg canvas, never ``pyplot``: pyplot
keeps global state that is not thread-safe, and these run inside web and Celery workers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.projections.polar import PolarAxes

from maps.core.ages import AgeFit, ChronologySystem, get_system
from maps.core.csfd import Binned, presentation
from maps.core.stats import Histogram

_Y_LABELS = {
    "cumulative": "Cumulative crater density N(D) [km$^{-2}$]",
    "differential": "Differential crater density [km$^{-3}$]",
    "R-plot": "Relative crater density R",
    "incremental": "Incremental crater density [km$^{-2}$]",
}
_FIT_COLOURS = ("#a00000", "#0050c8", "#008200", "#8748bd", "#e1af00")


def new_figure(width_in: float = 6.0, height_in: float = 5.0) -> Figure:
    """A Figure attached to an Agg canvas (safe outside the main thread)."""
    fig = Figure(figsize=(width_in, height_in), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = 150) -> bytes:
    """Serialise a figure to ``png`` or ``svg`` bytes."""
    if fmt not in ("png", "svg"):
        raise ValueError("fmt must be 'png' or 'svg'")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def csfd_figure(
    binned: Binned,
    kind: str = "cumulative",
    fits: Sequence[AgeFit] = (),
    title: str = "",
    system: ChronologySystem | None = None,
) -> Figure:
    """CSFD in one presentation with Poisson error bars and, for each fit, its isochron.

    The whole isochron is drawn thin and grey; the fitted diameter range is drawn in colour and
    labelled with the age, as craterstats draws it.
    """
    fig = new_figure()
    ax = fig.add_subplot(1, 1, 1)
    sysobj = system or (get_system(fits[0].system) if fits else None)
    p = presentation(binned, kind, system=sysobj)
    ax.errorbar(p.d, p.y, yerr=p.err, fmt="o", ms=3.5, mfc="none", color="black", ecolor="0.6", lw=0.8)
    for i, fit in enumerate(fits):
        fsys = sysobj if sysobj and sysobj.name == fit.system else get_system(fit.system)
        lo, hi = fsys.diameter_range_km
        dd = np.logspace(np.log10(max(lo, p.d.min() / 2)), np.log10(min(hi, p.d.max() * 2)), 200)
        ax.plot(dd, fsys.production(kind, dd, fit.a0[0]), color="0.6", lw=0.6)
        df = np.logspace(np.log10(fit.d_range_km[0]), np.log10(fit.d_range_km[1]), 100)
        colour = _FIT_COLOURS[i % len(_FIT_COLOURS)]
        ax.plot(df, fsys.production(kind, df, fit.a0[0]), color=colour, lw=1.6, label=f"{fit.method}: {fit.label()}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Crater diameter D [km]")
    ax.set_ylabel(_Y_LABELS.get(kind, kind))
    ax.grid(True, which="major", color="0.9", lw=0.5)
    if title:
        ax.set_title(title)
    if fits:
        ax.legend(fontsize=8, loc="upper right" if kind != "R-plot" else "lower left")
    fig.text(0.99, 0.01, f"{binned.area_km2:.5g} km², {binned.binning} bins", ha="right", fontsize=7, color="0.4")
    return fig


def csfd_plot(
    binned: Binned,
    kind: str = "cumulative",
    fits: Sequence[AgeFit] = (),
    fmt: str = "png",
    title: str = "",
) -> bytes:
    """CSFD plot (``cumulative``, ``differential``, ``R-plot``) as PNG or SVG bytes."""
    return figure_bytes(csfd_figure(binned, kind, fits, title), fmt)


def histogram_figure(hist: Histogram, xlabel: str, log_x: bool = False, title: str = "") -> Figure:
    """Bar chart of a :class:`Histogram` (log x for diameter bins)."""
    fig = new_figure(6.0, 4.0)
    ax = fig.add_subplot(1, 1, 1)
    if hist.counts:
        e = np.asarray(hist.edges)
        ax.bar(e[:-1], hist.counts, width=np.diff(e), align="edge", color="#476788", edgecolor="white", lw=0.5)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Count")
    if title:
        ax.set_title(title)
    return fig


def diameter_histogram_plot(hist: Histogram, fmt: str = "png") -> bytes:
    """Diameter histogram on log bins as image bytes."""
    return figure_bytes(histogram_figure(hist, "Diameter [km]", log_x=True, title="Crater diameters"), fmt)


def confidence_histogram_plot(hist: Histogram, fmt: str = "png") -> bytes:
    """Detector confidence histogram as image bytes."""
    return figure_bytes(histogram_figure(hist, "Confidence", title="Detection confidence"), fmt)


def rose_figure(hist: Histogram, title: str = "Orientation (axial)") -> Figure:
    """Rose diagram of an axial 0-180 degree histogram, mirrored to 180-360 so it reads as lines."""
    fig = new_figure(5.0, 5.0)
    ax = fig.add_subplot(1, 1, 1, projection="polar")
    if not isinstance(ax, PolarAxes):  # add_subplot is typed as plain Axes
        raise TypeError("expected polar axes")
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)  # azimuths run clockwise from north
    if hist.counts:
        e = np.radians(np.asarray(hist.edges))
        w = np.diff(e)
        for offset in (0.0, np.pi):
            ax.bar(e[:-1] + offset, hist.counts, width=w, align="edge", color="#7b5c33", edgecolor="white", lw=0.5)
    ax.set_title(title)
    return fig


def rose_plot(hist: Histogram, fmt: str = "png") -> bytes:
    """Rose diagram as image bytes."""
    return figure_bytes(rose_figure(hist), fmt)
