"""Analysis reports (multi-page PDF and self-contained HTML) from a plain :class:`ReportData`.

PDF pages are matplotlib figures collected with ``PdfPages`` so no external binary is needed.
The HTML embeds its images as data URIs (the platform must work offline) and every piece of
user-supplied text goes through ``html.escape``.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from dataclasses import dataclass, field
from typing import Any

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from maps.core.ages import AgeFit
from maps.core.csfd import Binned
from maps.core.plots import csfd_figure, figure_bytes, histogram_figure, new_figure, rose_figure
from maps.core.stats import FeatureStats

CSFD_KINDS = ("cumulative", "differential", "R-plot")


@dataclass
class CsfdSection:
    """One counted area: its binned CSFD and the ages fitted on it."""

    name: str
    binned: Binned
    fits: list[AgeFit] = field(default_factory=list)


@dataclass
class ReferenceSection:
    """Detections against one reference catalogue (``maps.reference.selectors.scope_against_catalogue``)."""

    name: str
    citation: str
    totals: dict[str, Any]
    bins: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReportData:
    """Everything a report shows; plain data so Django only has to fill it in."""

    title: str
    body: str  # planetary body, e.g. "Mars"
    description: str = ""  # region / analysis description
    map_png: bytes | None = None
    stats: FeatureStats | None = None
    csfd: list[CsfdSection] = field(default_factory=list)
    reference: list[ReferenceSection] = field(default_factory=list)
    model_version: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    credits: list[str] = field(default_factory=list)
    generated_at: str = ""  # caller formats a timezone-aware timestamp


def class_table_rows(stats: FeatureStats) -> list[list[str]]:
    """Class statistics as display strings (header row first)."""
    rows = [["Class", "Count", "Area [km²]", "Area fraction", "Density [km⁻²]", "Mean confidence"]]
    for c in stats.classes:
        rows.append(
            [
                c.class_name,
                str(c.count),
                f"{c.area_km2:.4g}",
                "" if c.area_fraction is None else f"{100 * c.area_fraction:.2f} %",
                "" if c.density_per_km2 is None else f"{c.density_per_km2:.3e}",
                "" if c.mean_confidence is None else f"{c.mean_confidence:.2f}",
            ]
        )
    return rows


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def reference_summary(sec: ReferenceSection) -> str:
    """One line: the totals of a catalogue comparison."""
    t = sec.totals
    return (f"{t['matched']} matched, {t['missed']} missed, {t['new']} new: completeness {_ratio(t['completeness'])}, "
            f"precision {_ratio(t['precision'])} ({t['detections']} detected craters, {t['reference']} catalogued)")


def reference_table_rows(sec: ReferenceSection) -> list[list[str]]:
    """Matched / missed / new per diameter bin as display strings (header row first)."""
    rows = [["D [km]", "Matched", "Missed", "New", "Completeness", "Precision"]]
    for b in sec.bins:
        rows.append([f"{b['min_km']:g}–{b['max_km']:g}", str(b["matched"]), str(b["missed"]), str(b["new"]),
                     _ratio(b["completeness"]), _ratio(b["precision"])])
    return rows


def fit_table_rows(sections: list[CsfdSection]) -> list[list[str]]:
    """Fitted ages as display strings (header row first)."""
    rows = [["Area", "System", "Method", "D range [km]", "N", "Age", "N(1) [km⁻²]"]]
    for s in sections:
        for f in s.fits:
            rows.append(
                [
                    s.name,
                    f.system,
                    f.method,
                    f"{f.d_range_km[0]:.3g}–{f.d_range_km[1]:.3g}",
                    f"{f.n_craters:g}",
                    f.label(),
                    f"{f.n1[0]:.3e}",
                ]
            )
    return rows


def _method_lines(data: ReportData) -> list[str]:
    lines = [f"Model version: {data.model_version or 'n/a'}"]
    lines += [f"{k}: {v}" for k, v in sorted(data.parameters.items())]
    versions = {f.craterstats_version for s in data.csfd for f in s.fits}
    if versions:
        lines.append("CSFD ages: craterstats " + ", ".join(sorted(versions)) + " (G. Michael, BSD-3)")
    return lines


def _plain(text: str) -> str:
    # matplotlib parses "$...$" as mathtext; user text must be shown literally (and an odd "$" would raise).
    return text.replace("$", r"\$")


def _text_page(title: str, blocks: list[tuple[str, list[str]]], image: bytes | None = None) -> Figure:
    fig = new_figure(8.27, 11.69)  # A4 portrait
    fig.text(0.08, 0.95, _plain(title), fontsize=16, weight="bold", va="top")
    y = 0.90
    for heading, lines in blocks:
        if not lines:
            continue
        fig.text(0.08, y, _plain(heading), fontsize=12, weight="bold", va="top")
        y -= 0.03
        for ln in lines:
            for wrapped in textwrap.wrap(ln, 95) or [""]:
                fig.text(0.08, y, _plain(wrapped), fontsize=9, va="top")
                y -= 0.018
        y -= 0.015
    if image:
        import matplotlib.image as mpimg

        ax = fig.add_axes((0.08, 0.05, 0.84, max(0.1, y - 0.07)))
        ax.imshow(mpimg.imread(io.BytesIO(image), format="png"))
        ax.set_axis_off()
    return fig


def _table_page(title: str, rows: list[list[str]]) -> Figure:
    fig = new_figure(11.69, 8.27)  # A4 landscape
    ax = fig.add_subplot(1, 1, 1)
    ax.set_axis_off()
    ax.set_title(_plain(title), fontsize=14, weight="bold")
    if len(rows) > 1:
        cells = [[_plain(c) for c in r] for r in rows[1:]]
        table = ax.table(cellText=cells, colLabels=rows[0], loc="upper center", cellLoc="left")
        table.auto_set_font_size(False)
        table.set_fontsize(10)
        table.scale(1.0, 1.4)
        table.auto_set_column_width(list(range(len(rows[0]))))
    return fig


def report_figures(data: ReportData) -> list[Figure]:
    """The report's pages as figures, in order (also used to preview page one as PNG)."""
    pages = [
        _text_page(
            data.title,
            [
                ("Body", [data.body]),
                ("Region and analysis", data.description.splitlines()),
                ("Generated", [data.generated_at] if data.generated_at else []),
            ],
            data.map_png,
        )
    ]
    if data.stats is not None:
        st = data.stats
        pages.append(_table_page(f"Feature classes ({st.n_features} features, {st.n_rejected} rejected)",
                                 class_table_rows(st)))  # fmt: skip
        if st.diameter_histogram.counts:
            pages.append(histogram_figure(st.diameter_histogram, "Diameter [km]", log_x=True, title="Diameters"))
        if sum(st.orientation_rose.counts):
            pages.append(rose_figure(st.orientation_rose))
        if sum(st.confidence_histogram.counts):
            pages.append(histogram_figure(st.confidence_histogram, "Confidence", title="Detection confidence"))
    for sec in data.csfd:
        for kind in CSFD_KINDS:
            pages.append(csfd_figure(sec.binned, kind, sec.fits, title=_plain(f"{sec.name} – {kind}")))
    if any(s.fits for s in data.csfd):
        pages.append(_table_page("Model ages", fit_table_rows(data.csfd)))
    for ref in data.reference:
        pages.append(_table_page(f"Against {ref.name}\n{reference_summary(ref)}", reference_table_rows(ref)))
    pages.append(_text_page("Method and credits", [("Method", _method_lines(data)), ("Data credits", data.credits)]))
    return pages


def render_pdf(data: ReportData) -> bytes:
    """Multi-page PDF report as bytes."""
    buf = io.BytesIO()
    with PdfPages(buf, metadata={"Title": data.title, "Creator": "GeoPlanet"}) as pdf:
        for fig in report_figures(data):
            pdf.savefig(fig)
    return buf.getvalue()


def _img(png: bytes, alt: str) -> str:
    b64 = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{b64}">'


def _table(rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(data: ReportData) -> str:
    """Self-contained HTML report (inline CSS, images as data URIs, all text escaped)."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(data.title)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px}img{max-width:100%}</style></head><body>",
        f"<h1>{e(data.title)}</h1>",
        f"<p><strong>Body:</strong> {e(data.body)}</p>",
    ]
    if data.generated_at:
        parts.append(f"<p><strong>Generated:</strong> {e(data.generated_at)}</p>")
    if data.description:
        parts.append("<h2>Region and analysis</h2>")
        parts += [f"<p>{e(p)}</p>" for p in data.description.split("\n\n")]
    if data.map_png:
        parts.append(_img(data.map_png, "Map snapshot"))
    if data.stats is not None:
        st = data.stats
        parts.append(f"<h2>Feature classes</h2><p>{st.n_features} features ({st.n_rejected} rejected in review)</p>")
        parts.append(_table(class_table_rows(st)))
        if st.diameter_histogram.counts:
            fig = histogram_figure(st.diameter_histogram, "Diameter [km]", log_x=True, title="Diameters")
            parts.append(_img(figure_bytes(fig), "Diameter histogram"))
        if sum(st.orientation_rose.counts):
            parts.append(_img(figure_bytes(rose_figure(st.orientation_rose)), "Orientation rose diagram"))
        if sum(st.confidence_histogram.counts):
            fig = histogram_figure(st.confidence_histogram, "Confidence", title="Detection confidence")
            parts.append(_img(figure_bytes(fig), "Confidence histogram"))
    if data.csfd:
        parts.append("<h2>Crater size-frequency distributions</h2>")
        for sec in data.csfd:
            parts.append(f"<h3>{e(sec.name)}</h3>")
            for kind in CSFD_KINDS:
                parts.append(_img(figure_bytes(csfd_figure(sec.binned, kind, sec.fits)), f"{sec.name} {kind}"))
        if any(s.fits for s in data.csfd):
            parts.append("<h3>Model ages</h3>" + _table(fit_table_rows(data.csfd)))
    for ref in data.reference:
        parts.append(f"<h2>Against {e(ref.name)}</h2><p>{e(reference_summary(ref))}</p>")
        parts.append(_table(reference_table_rows(ref)) + f"<p><small>{e(ref.citation)}</small></p>")
    parts.append("<h2>Method</h2><ul>" + "".join(f"<li>{e(ln)}</li>" for ln in _method_lines(data)) + "</ul>")
    if data.credits:
        parts.append("<h2>Data credits</h2><ul>" + "".join(f"<li>{e(c)}</li>" for c in data.credits) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)
