"""Review of detected features: confirm, reject, relabel or redraw, with a history row per change."""

from __future__ import annotations

import json
import math
from typing import Any

from django.db import transaction
from shapely.geometry import shape

from collab.access import can_edit_raster
from collab.errors import InvalidInput, NotAllowed
from collab.geometry import parse_polygon
from collab.models import FeatureReview
from collab.services.activity import activity_record, notify
from rasters.core.geodesy import line_length_km, polygon_area_km2

DEFAULT_CLASSES = ("crater", "valley", "ridge")
STATUS_BY_ACTION: dict[str, str] = {  # keyed by the str-valued Action choices
    FeatureReview.Action.CONFIRM: "confirmed",
    FeatureReview.Action.REJECT: "rejected",
    FeatureReview.Action.RELABEL: "relabelled",
    FeatureReview.Action.REDRAW: "redrawn",
    FeatureReview.Action.RESET: "unreviewed",
}


def feature_classes(feature: Any) -> list[str]:
    """The classes a feature may be relabelled to: its model's, without the background."""
    names = [n for n in feature.analysis.model_version.class_names if n != "background"]
    return names or list(DEFAULT_CLASSES)


def _redraw(feature: Any, geometry: Any) -> None:
    if feature.body is None or feature.geom is None:
        raise InvalidInput("Only features of a georeferenced image can be redrawn on the map.")
    geom = parse_polygon(geometry)
    outline = shape(json.loads(geom.geojson))
    radius_m = feature.body.mean_radius_m
    feature.geom = geom
    feature.area_km2 = polygon_area_km2(outline, radius_m)
    feature.perimeter_km = line_length_km(outline.boundary, radius_m)
    centre = outline.centroid
    feature.center_lon, feature.center_lat = centre.x, centre.y
    if feature.effective_class == "crater":
        feature.diameter_km = 2 * math.sqrt(feature.area_km2 / math.pi)


@transaction.atomic
def feature_review(*, user: Any, feature: Any, action: str, new_class: str = "", geometry: Any = None) -> Any:
    """Apply one review to ``feature`` (``user`` needs edit rights on its image) and record it.

    Redraw takes GeoJSON in the body's lon/lat and re-measures area and perimeter on the body's radius.
    """
    if not can_edit_raster(user, feature.raster):
        raise NotAllowed("Only the image's owner and project editors can review features.")
    if action not in STATUS_BY_ACTION:
        raise InvalidInput("Action is confirm, reject, relabel, redraw or reset.")
    review = FeatureReview(
        feature=feature, user=user, action=action, old_status=feature.review_status,
        old_class=feature.effective_class, new_class=feature.effective_class,
    )
    if action == FeatureReview.Action.RELABEL:
        if new_class not in feature_classes(feature):
            raise InvalidInput(f"Unknown class “{new_class}”.")
        feature.reviewed_class = "" if new_class == feature.class_name else new_class
        review.new_class = new_class
    elif action == FeatureReview.Action.REDRAW:
        review.old_geometry = feature.geom
        _redraw(feature, geometry)
    elif action == FeatureReview.Action.RESET:
        feature.reviewed_class = ""
        review.new_class = feature.class_name
    feature.review_status = STATUS_BY_ACTION[action]
    feature.save()
    review.save()
    activity_record(user, f"{feature.review_status} feature", feature)
    if feature.raster.owner_id != user.pk:
        text = f"{user.get_username()} {feature.review_status} {review.old_class} {feature.pk} in “{feature.raster}”."
        notify([feature.raster.owner], user, "reviewed", text)
    return feature
