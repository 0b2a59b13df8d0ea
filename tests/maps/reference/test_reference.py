"""Reference catalogues in PostGIS: the COPY loader, their vector tiles, and detections compared with them."""

from __future__ import annotations

import math
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from maps.models import ReferenceCatalogue, ReferenceCrater
from maps.stats.targets import Target
from tests.factories import make_analysis, make_features
from tests.maps.catalogue_sample import known_sample
from tests.maps.gdal import feature_count, ogrinfo
from tests.maps.helpers import api_for, raster_row

pytestmark = pytest.mark.django_db

BOX = (20.0, -10.0, 40.0, 10.0)


@pytest.fixture
def robbins_loaded() -> ReferenceCatalogue:
    call_command("load_reference_catalogues", "robbins2012", stdout=StringIO())
    return ReferenceCatalogue.objects.get(slug="robbins2012")


def test_command_loads_every_catalogue_and_a_reload_replaces_it(tmp_path: Path) -> None:
    out = StringIO()
    started = time.monotonic()
    call_command("load_reference_catalogues", stdout=out)
    assert time.monotonic() - started < 60
    counts = dict(ReferenceCatalogue.objects.values_list("slug", "crater_count"))
    assert counts == {"robbins2012": 225_352, "head2010": 5_185, "lroc-5-20km": 19_335}
    assert ReferenceCrater.objects.filter(catalogue__slug="robbins2012", body__slug="mars").count() == 225_352
    robbins = ReferenceCatalogue.objects.get(slug="robbins2012")
    assert "Robbins" in robbins.citation and robbins.body.slug == "mars"
    assert robbins.min_diameter_km == pytest.approx(1.0, abs=0.05)
    crater = ReferenceCrater.objects.filter(catalogue=robbins).order_by("-diameter_km").first()
    assert crater is not None and crater.geom.x == pytest.approx(crater.lon) and crater.geom.y == crater.lat
    head = ReferenceCatalogue.objects.get(slug="head2010")
    assert head.body.slug == "moon" and (head.min_diameter_km or 0) >= 20

    call_command("load_reference_catalogues", "head2010", stdout=StringIO())
    assert ReferenceCatalogue.objects.get(slug="head2010").pk == head.pk
    assert ReferenceCrater.objects.filter(catalogue=head).count() == 5_185

    bad = tmp_path / "bad.csv"
    bad.write_text("Lon,Lat,Diam_km\n10,20,30\n10,20,thirty\n")
    with pytest.raises(CommandError, match="head2010: line 3: Diam_km is 'thirty'"):
        call_command("load_reference_catalogues", "head2010", "--file", str(bad), stdout=StringIO())
    assert ReferenceCrater.objects.filter(catalogue=head).count() == 5_185  # the reload lost nothing
    with pytest.raises(CommandError, match="No catalogue 'nope'"):
        call_command("load_reference_catalogues", "nope", stdout=StringIO())


def _detections(analysis: Any, rows: list[tuple[float, float, float]]) -> None:
    make_features(analysis, [{"lon": lon, "lat": lat, "diameter_km": d} for lon, lat, d in rows])


def test_comparison_of_an_analysis_counts_exactly(cast: Any, robbins_loaded: ReferenceCatalogue) -> None:
    sample = known_sample(BOX)
    analysis = make_analysis(raster_row(cast.owner, bbox=BOX))
    _detections(analysis, sample.detections)
    # A rejected copy of an omitted crater is left out, as everywhere in statistics.
    omitted = sample.omitted[0]
    ref = sample.reference
    make_features(analysis, [{"lon": ref.lon[omitted], "lat": ref.lat[omitted],
                              "diameter_km": ref.diameter_km[omitted], "review_status": "rejected"}])
    url = reverse("api-reference-compare")
    params = {"target": f"analysis:{analysis.pk}", "catalogue": "robbins2012", "layer": "1"}
    response = api_for(cast.owner).get(url, params)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["reference"] == len(ref)
    assert data["detections"] == len(sample.detections)
    assert (data["matched"], data["new"], data["missed"]) == (
        sample.matched, len(sample.displaced), len(ref) - sample.matched)
    assert data["completeness"] == pytest.approx(sample.matched / len(ref))
    assert data["precision"] == pytest.approx(sample.matched / len(sample.detections))
    assert sum(b["matched"] for b in data["bins"]) == sample.matched
    kinds = [f["properties"]["kind"] for f in data["layer"]["features"]]
    assert kinds.count("matched") == sample.matched and kinds.count("new") == len(sample.displaced)
    assert data["catalogue"]["citation"].startswith("Robbins")
    assert data["area_km2"] == pytest.approx(1.39e6, rel=0.05)  # 20 x 20 degrees at the Mars equator

    for user in (cast.collaborator, cast.stranger):
        assert api_for(user).get(url, params).status_code == 404
    assert api_for(cast.owner).get(url, {**params, "catalogue": "head2010"}).status_code == 400  # a Moon one
    assert api_for(cast.owner).get(url, {**params, "catalogue": "nope"}).status_code == 400
    assert api_for(cast.owner).get(url, {**params, "catalogue": "no\x00pe"}).status_code == 400
    assert api_for(cast.owner).get(url, {**params, "target": "analysis:x"}).status_code == 400
    assert api_for(None).get(url, params).status_code in (401, 403)


def test_region_of_two_analyses_counts_like_one(cast: Any, robbins_loaded: ReferenceCatalogue) -> None:
    sample = known_sample(BOX)
    west = make_analysis(raster_row(cast.owner, bbox=(BOX[0], BOX[1], 30.0, BOX[3])))
    east = make_analysis(raster_row(cast.owner, bbox=(30.0, BOX[1], BOX[2], BOX[3])))
    _detections(west, [r for r in sample.detections if r[0] < 30])
    _detections(east, [r for r in sample.detections if r[0] >= 30])
    ring = [[BOX[0], BOX[1]], [BOX[2], BOX[1]], [BOX[2], BOX[3]], [BOX[0], BOX[3]], [BOX[0], BOX[1]]]
    target = Target(kind="region", body="mars", geometry={"type": "Polygon", "coordinates": [ring]},
                    analyses=(west.pk, east.pk))
    data = api_for(cast.owner).get(reverse("api-reference-compare"),
                                   {"target": target.token(), "catalogue": "robbins2012"}).json()
    assert (data["matched"], data["new"], data["missed"]) == (
        sample.matched, len(sample.displaced), len(sample.reference) - sample.matched)
    assert "layer" not in data


def test_catalogue_list_and_tiles(cast: Any, robbins_loaded: ReferenceCatalogue, tmp_path: Path) -> None:
    client = api_for(cast.stranger)  # a published catalogue is everyone's
    listed = client.get(reverse("api-reference-catalogues"), {"body": "mars"}).json()
    assert [c["slug"] for c in listed] == ["robbins2012"] and listed[0]["crater_count"] == 225_352
    assert client.get(reverse("api-reference-catalogues"), {"body": "moon"}).json() == []
    assert client.get(reverse("api-reference-catalogues"), {"body": "pluto-x"}).status_code == 404
    assert client.get(reverse("api-reference-catalogues"), {"body": "ma\x00rs"}).status_code == 404
    assert client.get("/api/v1/reference/tiles/mars/3/9/3.pbf", {"catalogue": "a\x00"}).status_code == 404
    assert client.get("/api/v1/reference/tiles/mars/3/9/3.pbf", {"catalogue": "head2010"}).content == b""
    tile = client.get("/api/v1/reference/tiles/mars/3/9/3.pbf")  # 22.5..45 E, 0..22.5 N
    assert tile.status_code == 200 and tile["Content-Type"] == "application/vnd.mapbox-vector-tile"
    path = tmp_path / "tile.pbf"
    path.write_bytes(tile.content)
    info = ogrinfo("-so", "-oo", "Z=3", "-oo", "X=9", "-oo", "Y=3", path, "reference")
    expected = ReferenceCrater.objects.filter(
        lon__gt=22.5, lon__lt=45, lat__gt=0, lat__lt=22.5, diameter_km__gte=22.5 / 1024 * 3396.19 * math.pi / 180,
    ).count()
    assert abs(feature_count(info) - expected) <= 5  # the craters on the tile's edges
    assert client.get("/api/v1/reference/tiles/moon/3/9/3.pbf").content == b""
    assert client.get("/api/v1/reference/tiles/mars/1/9/3.pbf").status_code == 404
    schema = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/reference/compare/" in schema and "CatalogueComparison" in schema
