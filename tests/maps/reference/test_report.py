"""The PDF/HTML report holds the scope's craters against every reference catalogue of its body."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from maps.core.report import render_html, render_pdf, report_figures
from maps.stats.selectors import scope_for_target
from maps.stats.services import report_data
from maps.stats.summary import csfd_params
from maps.stats.targets import Target
from tests.factories import make_analysis, make_features
from tests.maps.catalogue_sample import known_sample
from tests.maps.helpers import raster_row

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
BOX = (20.0, -10.0, 40.0, 10.0)


def test_report_compares_with_the_loaded_catalogues(cast: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    sample = known_sample(BOX)
    analysis = make_analysis(raster_row(cast.owner, bbox=BOX))
    make_features(analysis, [{"lon": lon, "lat": lat, "diameter_km": d} for lon, lat, d in sample.detections])
    scope = scope_for_target(cast.owner, Target(kind="analysis", pk=analysis.pk))
    assert report_data(scope, csfd_params({})).reference == []  # no catalogue loaded, no section

    call_command("load_reference_catalogues", stdout=StringIO())  # Mars and Moon: only Mars' applies
    data = report_data(scope, csfd_params({}))
    assert [r.name for r in data.reference] == ["Robbins & Hynek (2012), 30°S–30°N"]
    totals = data.reference[0].totals
    assert (totals["matched"], totals["new"]) == (sample.matched, len(sample.displaced))
    doc = render_html(data)
    assert "<h2>Against Robbins &amp; Hynek (2012), 30°S–30°N</h2>" in doc
    assert f"{sample.matched} matched, {len(sample.reference) - sample.matched} missed" in doc
    assert "Robbins, S. J. &amp; Hynek, B. M. (2012)" in doc
    titles = [f.axes[0].get_title() for f in report_figures(data) if f.axes]
    assert any(t.startswith("Against Robbins") and f"{sample.matched} matched" in t for t in titles)
    assert render_pdf(data).startswith(b"%PDF")
