"""The "against a reference catalogue" section of the results and statistics pages."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import make_analysis, make_features
from tests.maps.catalogue_sample import known_sample
from tests.maps.helpers import raster_row

pytestmark = pytest.mark.django_db
BOX = (20.0, -10.0, 40.0, 10.0)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def totals(html: str) -> tuple[int, int, int]:
    found = re.search(r"<strong>(\d+)</strong> matched, <strong>(\d+)</strong> missed,\s*<strong>(\d+)</strong> new",
                      html)
    assert found, html[:2000]
    return int(found[1]), int(found[2]), int(found[3])


def test_results_and_statistics_pages_show_the_comparison(cast: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    call_command("load_reference_catalogues", "robbins2012", "head2010", stdout=StringIO())
    sample = known_sample(BOX)
    analysis = make_analysis(raster_row(cast.owner, bbox=BOX))
    make_features(analysis, [{"lon": lon, "lat": lat, "diameter_km": d} for lon, lat, d in sample.detections])
    expected = (sample.matched, len(sample.reference) - sample.matched, len(sample.displaced))
    owner = client_for(cast.owner)
    for url in (f"/analyses/{analysis.pk}/", f"/map/stats/analysis/{analysis.pk}/"):
        page = owner.get(url).content.decode()
        assert 'id="reference-select"' in page and "Robbins &amp; Hynek (2012)" in page
        assert 'id="reference-totals"' not in page  # nothing computed until a catalogue is chosen
        chosen = owner.get(url, {"reference": "robbins2012"})
        assert chosen.status_code == 200
        html = chosen.content.decode()
        assert totals(html) == expected
        assert 'id="reference-data"' in html and "reference_compare.js" in html
        assert "<script>" not in html  # data through json_script only (CSP)
        wrong = owner.get(url, {"reference": "head2010"}).content.decode()
        assert "is of Moon, not of these images" in wrong
    for user in (cast.collaborator, cast.stranger):
        c = client_for(user)
        assert c.get(f"/analyses/{analysis.pk}/", {"reference": "robbins2012"}).status_code == 404
        assert c.get(f"/map/stats/analysis/{analysis.pk}/", {"reference": "robbins2012"}).status_code == 404
