"""Reads of the collab app; every read of image-bound data derives from ``collab.access``."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.selectors import email_is_verified
from collab.access import editable_raster_q, visible_raster_q
from collab.models import Activity, Comment, FeatureReview, Invitation, Notification, Project, ShareLink
from rasters.models import Raster

TRAINING_STATUSES = ("confirmed", "relabelled", "redrawn")


def _visible_raster_ids(user: Any) -> QuerySet[Raster, Any]:
    return Raster.objects.filter(visible_raster_q(user)).values("pk")


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("actor")


def invitations_for(user: Any) -> QuerySet[Invitation]:
    """Pending invitations to ``user`` by account, or by email once they proved that address is theirs.

    An unverified address proves nothing: anyone may register with an address before its owner does.
    """
    by_email = Q(user__isnull=True, email__iexact=user.email) if email_is_verified(user) else Q(pk__in=[])
    return (
        Invitation.objects.filter(Q(user=user) | by_email, status=Invitation.Status.PENDING)
        .select_related("project", "invited_by")
    )


def invitation_for_user(user: Any, pk: int) -> Invitation:
    invitation = invitations_for(user).filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def project_activity(user: Any, project: Project, limit: int = 50) -> list[Activity]:
    """The project's feed, without lines about images the reader may not see."""
    queryset = project.activity.filter(Q(raster__isnull=True) | Q(raster__in=_visible_raster_ids(user)))
    return list(queryset.select_related("actor")[:limit])


def project_rasters(user: Any, project: Project) -> QuerySet[Raster]:
    return Raster.objects.filter(visible_raster_q(user), project=project).select_related("body", "owner")


def comments_on(user: Any, *, raster: Any = None, analysis: Any = None, feature: Any = None) -> QuerySet[Comment]:
    """Comments on one target that ``user`` may see (comments on an image exclude its analyses' threads)."""
    queryset = Comment.objects.filter(raster__in=_visible_raster_ids(user)).select_related("author")
    if feature is not None:
        return queryset.filter(feature=feature)
    if analysis is not None:
        return queryset.filter(analysis=analysis)
    if raster is not None:
        return queryset.filter(raster=raster, analysis__isnull=True, feature__isnull=True)
    return queryset.none()


def comment_for_user(user: Any, pk: int | str) -> Comment:
    comment = Comment.objects.filter(raster__in=_visible_raster_ids(user), pk=pk).select_related("author").first()
    if comment is None:
        raise Http404("No such comment.")
    return comment


def feature_for_user(user: Any, pk: int | str) -> Any:
    """The feature if its image is visible to ``user``; else 404."""
    from segmentation.selectors import features_visible_to

    try:
        pk_int = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such feature.") from None
    feature = (
        features_visible_to(user).select_related("raster", "body", "analysis__model_version").filter(pk=pk_int).first()
    )
    if feature is None:
        raise Http404("No such feature.")
    return feature


def reviews_of(feature: Any) -> QuerySet[FeatureReview]:
    return feature.reviews.select_related("user")


def share_links_of(user: Any) -> QuerySet[ShareLink]:
    """Links ``user`` made, and every link to an image of theirs or one of its analyses (the owner may revoke)."""
    if not getattr(user, "is_authenticated", False):
        return ShareLink.objects.none()
    mine = Q(created_by=user) | Q(raster__owner=user) | Q(analysis__raster__owner=user)
    return ShareLink.objects.filter(mine).select_related(
        "created_by", "raster", "analysis", "analysis__raster", "region", "region__body"
    )


def share_links_to_raster(user: Any, raster: Any) -> QuerySet[ShareLink]:
    """The links of ``share_links_of`` that reach ``raster``, directly or through one of its analyses."""
    return share_links_of(user).filter(Q(raster=raster) | Q(analysis__raster=raster))


def share_link_for_user(user: Any, pk: int | str) -> ShareLink:
    link = share_links_of(user).filter(pk=pk).first()
    if link is None:
        raise Http404("No such share link.")
    return link


def feature_properties(feature: Any) -> dict[str, Any]:
    """Properties a map popup needs, review status included."""
    return {
        "id": feature.pk,
        "class_name": feature.class_name,
        "effective_class": feature.effective_class,
        "review_status": feature.review_status,
        "reviewed_class": feature.reviewed_class,
        "confidence": round(feature.confidence, 3),
        "area_km2": feature.area_km2,
        "diameter_km": feature.diameter_km,
        "center_lon": feature.center_lon,
        "center_lat": feature.center_lat,
    }


def features_geojson(features: Any, body: Any = None, **extra: Any) -> dict[str, Any]:
    """A FeatureCollection in the body's lon/lat; the body and its IAU CRS are named in ``properties``.

    There is deliberately no ``crs`` member: GeoJSON readers would take the coordinates as Earth's.
    """
    rows = [
        {"type": "Feature", "id": f.pk, "geometry": json.loads(f.geom.geojson), "properties": feature_properties(f)}
        for f in features
        if f.geom is not None
    ]
    properties = {"body": body.name if body else None, "crs": body.crs_code if body else None, **extra}
    return {"type": "FeatureCollection", "properties": properties, "features": rows}


def training_labels(analysis: Any) -> dict[str, Any]:
    """Reviewed features of an analysis as labels for the next model: confirmed, relabelled, redrawn."""
    features = analysis.features.filter(review_status__in=TRAINING_STATUSES).order_by("pk")
    collection = features_geojson(
        features, analysis.raster.body, analysis=analysis.pk, raster=analysis.raster_id,
        model_version=analysis.model_version.label, statuses=list(TRAINING_STATUSES),
    )
    for row, feature in zip(collection["features"], [f for f in features if f.geom is not None], strict=True):
        row["properties"]["label"] = feature.effective_class
        row["properties"]["pixel_geometry"] = json.loads(feature.pixel_geom.geojson)
    return collection


def region_features(link: ShareLink) -> QuerySet[Any]:
    """Features in a shared region on images its author may change (owns, or edits in their project), now.

    Reading is not enough: a viewer must not publish the images they only read to anyone holding the link.
    """
    from segmentation.models import Feature

    region = link.region
    assert region is not None  # noqa: S101 - only called for region links
    editable = Raster.objects.filter(editable_raster_q(link.created_by)).values("pk")
    queryset = Feature.objects.filter(raster__in=editable, body=region.body, geom__intersects=region.geometry)
    queryset = queryset.exclude(review_status="rejected")
    classes = region.filters.get("classes")
    if classes:
        queryset = queryset.filter(Q(reviewed_class__in=classes) | Q(reviewed_class="", class_name__in=classes))
    if region.filters.get("min_confidence") is not None:
        queryset = queryset.filter(confidence__gte=float(region.filters["min_confidence"]))
    return queryset.order_by("pk")


def shared_features(link: ShareLink) -> dict[str, Any]:
    """The GeoJSON a share link grants: the analysis' features, or the region's (none for an image)."""
    if link.analysis is not None:
        raster = link.analysis.raster
        return features_geojson(link.analysis.features.exclude(review_status="rejected").order_by("pk"), raster.body)
    if link.region is not None:
        return features_geojson(region_features(link), link.region.body)
    return features_geojson([], link.raster.body if link.raster else None)
