"""The features page as PostGIS writes it (``maps.serializers.feature_page``) against the ORM's rows and Python's
own JSON: the same Features, whatever the strings and numbers in them."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from django.contrib.gis.geos import GEOSGeometry

from maps import selectors
from maps.filters import FeatureQuery
from maps.serializers import PROPERTY_TYPES, feature_dict, feature_page, feature_rows
from segmentation.models import Feature
from tests.maps.helpers import analysis_with

pytestmark = pytest.mark.django_db

AWKWARD = ['crater "rim"', "back\\slash", "Ω crater — ünïcode", "line\nbreak", "</script><b>x</b>", "tab\there"]


def _orm_page(user: Any, query: FeatureQuery, limit: int, offset: int) -> list[dict[str, Any]]:
    rows = feature_rows(selectors.features_matching(user, query))[offset:offset + limit]
    features = []
    for row in rows:
        feature = feature_dict(row)
        for name, kind in PROPERTY_TYPES.items():  # JSON has no NaN or infinity: the page writes null
            value = feature["properties"][name]
            if kind == "Real" and value is not None and not math.isfinite(value):
                feature["properties"][name] = None
        features.append(feature)
    return features


def test_the_page_is_the_orms_rows_with_awkward_strings_and_numbers(cast: Any) -> None:
    analysis = analysis_with(cast.owner, [{"lon": 10 + i, "lat": 5, "reviewed_class": name}
                                          for i, name in enumerate(AWKWARD)])
    odd = list(Feature.objects.filter(analysis=analysis).order_by("id")[:3])
    for feature, value in zip(odd, (math.nan, math.inf, -math.inf), strict=True):
        feature.confidence = value
        feature.area_km2 = value
        feature.save(update_fields=["confidence", "area_km2"])
    query = FeatureQuery.from_params({"analysis": str(analysis.pk), "body": "mars", "bbox": "0,0,30,10"})
    for offset in (0, 4):
        page = feature_page(cast.owner, query, 4, offset=offset, body="mars")
        features = json.loads(page.text)  # valid JSON, NaN and infinity included
        assert features == _orm_page(cast.owner, query, 4, offset)
        assert page.matched == len(AWKWARD) and page.body is not None and page.body.name == "Mars"
    written = {f["properties"]["effective_class"] for f in json.loads(feature_page(cast.owner, query, 10).text)}
    assert written == set(AWKWARD)


def test_a_stranger_gets_an_empty_page(cast: Any) -> None:
    analysis = analysis_with(cast.owner, [{"lon": 10, "lat": 5}])
    query = FeatureQuery.from_params({"analysis": str(analysis.pk)})
    page = feature_page(cast.stranger, query, 10)
    assert (page.text, page.matched, page.returned) == ("[]", 0, 0)


# Outlines around a bbox (0, 0, 10, 10): the page must keep exactly those the exact test keeps.
EDGE_CASES = {
    "inside": "POLYGON((4 4, 5 4, 5 5, 4 5, 4 4))",
    "across the east edge": "POLYGON((9.5 4, 10.5 4, 10.5 5, 9.5 5, 9.5 4))",
    "box overlaps, outline does not": "POLYGON((9.5 11, 11 9.5, 11 11, 9.5 11))",  # x + y >= 20.5
    "just outside": "POLYGON((10.00005 4, 10.5 4, 10.5 5, 10.00005 5, 10.00005 4))",
    "inside, within the margin of the edge": "POLYGON((9.99995 4, 9.99999 4, 9.99999 5, 9.99995 5, 9.99995 4))",
    "touching the corner": "POLYGON((10 10, 11 10, 11 11, 10 11, 10 10))",
}


@pytest.mark.parametrize("bbox", ["0,0,10,10", "9.99994,4,10.00001,5", "-170,0,190,10"])
def test_the_bbox_keeps_what_the_exact_test_keeps(cast: Any, bbox: str) -> None:
    analysis = analysis_with(cast.owner, [{"lon": 1, "lat": 1} for _ in EDGE_CASES])
    for feature, wkt in zip(Feature.objects.filter(analysis=analysis).order_by("id"), EDGE_CASES.values(),
                            strict=True):
        Feature.objects.filter(pk=feature.pk).update(geom=GEOSGeometry(wkt, srid=0))
    query = FeatureQuery.from_params({"analysis": str(analysis.pk), "body": "mars", "bbox": bbox})
    page = feature_page(cast.owner, query, 50)
    expected = [row["id"] for row in feature_rows(selectors.features_matching(cast.owner, query))]
    assert [f["id"] for f in json.loads(page.text)] == expected and page.matched == len(expected)
    if bbox == "0,0,10,10":
        names = dict(zip(Feature.objects.filter(analysis=analysis).order_by("id").values_list("id", flat=True),
                         EDGE_CASES, strict=True))
        assert {names[i] for i in expected} == {"inside", "across the east edge",
                                                 "inside, within the margin of the edge", "touching the corner"}


def test_float4_boxes_near_180_do_not_widen_the_bbox(cast: Any) -> None:
    """PostGIS keeps boxes in float4 (steps of 1.5e-5 degrees near 180): a box test alone would keep this sliver."""
    analysis = analysis_with(cast.owner, [{"lon": 1, "lat": 1}])
    sliver = "POLYGON((179.999995 4, 179.999999 4, 179.999999 5, 179.999995 5, 179.999995 4))"
    Feature.objects.filter(analysis=analysis).update(geom=GEOSGeometry(sliver, srid=0))
    outside = FeatureQuery.from_params({"analysis": str(analysis.pk), "body": "mars", "bbox": "170,0,179.99999,10"})
    inside = FeatureQuery.from_params({"analysis": str(analysis.pk), "body": "mars", "bbox": "170,0,179.999997,10"})
    assert feature_page(cast.owner, outside, 10).matched == 0
    assert feature_page(cast.owner, inside, 10).matched == 1


def test_a_property_type_the_page_cannot_write_is_refused(monkeypatch: Any) -> None:
    """Only strings, reals and integers have a JSON writer in the page's SQL; a date would be written unquoted."""
    from maps import serializers

    monkeypatch.setitem(serializers.PROPERTY_TYPES, "center_lat", "Date")
    with pytest.raises(ValueError, match="no JSON writer for a Date property"):
        serializers._properties_sql()
