"""The features page as PostGIS writes it (``maps.serializers.feature_page``) against the ORM's rows and Python's
own JSON: the same Features, whatever the strings and numbers in them."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

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
