"""REST API of the collab app under /api/v1/: thin views over collab.selectors and collab.services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from collab import access, selectors, services
from collab import serializers as s
from geoplanet.pagination import PAGE_PARAMETERS, page_of, paginate
from rasters.models import Body
from rasters.selectors import raster_for_user
from segmentation.selectors import analysis_for_user


def _valid(serializer: Any, request: Request) -> dict[str, Any]:
    form = serializer(data=request.data)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


# A page is not a list to drf-spectacular: the paged GETs name their operation ids ``_list`` themselves.
@extend_schema(
    methods=["GET"], operation_id="api_v1_projects_list", parameters=PAGE_PARAMETERS,
    responses=page_of(s.ProjectSerializer),
)  # fmt: skip
@extend_schema(
    methods=["POST"], operation_id="api_v1_projects_create", request=s.ProjectSerializer,
    responses={201: s.ProjectSerializer},
)  # fmt: skip
@api_view(["GET", "POST"])
def projects(request: Request) -> Response:
    """Your projects; POST creates one with you as owner."""
    if request.method == "POST":
        data = _valid(s.ProjectSerializer, request)
        project = services.project_create(owner=request.user, **data)
        return Response(s.ProjectSerializer(project).data, status=status.HTTP_201_CREATED)
    return paginate(request, access.projects_visible_to(request.user), s.ProjectSerializer)


@extend_schema(operation_id="api_v1_projects_retrieve", responses=s.ProjectSerializer)
@api_view(["GET"])
def project_detail(request: Request, pk: int) -> Response:
    return Response(s.ProjectSerializer(access.project_for_user(request.user, pk)).data)


@extend_schema(request=s.InviteSerializer, responses=s.MembershipSerializer(many=True))
@api_view(["GET", "POST"])
def members(request: Request, pk: int) -> Response:
    """Members of a project; POST (owners) invites by username or email."""
    project = access.project_for_user(request.user, pk)
    if request.method == "POST":
        data = _valid(s.InviteSerializer, request)
        invitation = services.invitation_create(project=project, by=request.user, **data)
        return Response({"invitation": invitation.pk}, status=status.HTTP_201_CREATED)
    return Response(s.MembershipSerializer(project.memberships.select_related("user"), many=True).data)


@extend_schema(request=s.RoleSerializer, responses=s.MembershipSerializer)
@api_view(["PATCH", "DELETE"])
def member_detail(request: Request, pk: int, user_id: int) -> Response:
    """Owners change a member's role or remove them."""
    project = access.project_for_user(request.user, pk)
    user = get_object_or_404(get_user_model(), pk=user_id, memberships__project=project)
    if request.method == "DELETE":
        services.member_remove(by=request.user, project=project, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    role = _valid(s.RoleSerializer, request)["role"]
    membership = services.member_set_role(by=request.user, project=project, user=user, role=role)
    return Response(s.MembershipSerializer(membership).data)


@extend_schema(request=None, responses={204: None})
@api_view(["POST"])
def project_leave(request: Request, pk: int) -> Response:
    services.project_leave(user=request.user, project=access.project_for_user(request.user, pk))
    return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(responses=s.ActivitySerializer(many=True))
@api_view(["GET"])
def project_activity(request: Request, pk: int) -> Response:
    project = access.project_for_user(request.user, pk)
    return Response(s.ActivitySerializer(selectors.project_activity(request.user, project), many=True).data)


@extend_schema(responses=s.InvitationSerializer(many=True))
@api_view(["GET"])
def invitations(request: Request) -> Response:
    return Response(s.InvitationSerializer(selectors.invitations_for(request.user), many=True).data)


@extend_schema(request=None, responses={200: s.MembershipSerializer})
@api_view(["POST"])
def invitation_answer(request: Request, pk: int, answer: str) -> Response:
    invitation = selectors.invitation_for_user(request.user, pk)
    if answer == "accept":
        membership = services.invitation_accept(user=request.user, invitation=invitation)
        return Response(s.MembershipSerializer(membership).data)
    services.invitation_decline(user=request.user, invitation=invitation)
    return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(request=s.SharingSerializer, responses=s.SharingSerializer)
@api_view(["POST"])
def raster_sharing(request: Request, pk: int) -> Response:
    """The image's owner puts it in a project and sets its visibility."""
    raster = raster_for_user(request.user, pk, write=True)
    data = _valid(s.SharingSerializer, request)
    project = access.project_for_user(request.user, data["project"]) if data.get("project") else None
    services.raster_share_settings(by=request.user, raster=raster, project=project, visibility=data["visibility"])
    return Response({"project": raster.project_id, "visibility": raster.visibility})


def _comment_target(user: Any, data: dict[str, Any]) -> Any:
    if data.get("feature") is not None:
        return selectors.feature_for_user(user, data["feature"])
    if data.get("analysis") is not None:
        return analysis_for_user(user, data["analysis"])
    return raster_for_user(user, data["raster"])


@extend_schema(
    methods=["GET"], operation_id="api_v1_comments_list", parameters=PAGE_PARAMETERS,
    responses=page_of(s.CommentSerializer),
)  # fmt: skip
@extend_schema(methods=["POST"], request=s.CommentCreateSerializer, responses={201: s.CommentSerializer})
@api_view(["GET", "POST"])
def comments(request: Request) -> Response:
    """Comments on one image, analysis or feature (``?raster=``, ``?analysis=`` or ``?feature=``); POST adds one."""
    if request.method == "POST":
        data = _valid(s.CommentCreateSerializer, request)
        target = _comment_target(request.user, data)
        comment = services.comment_create(
            author=request.user, target=target, text=data["text"], lon=data.get("lon"), lat=data.get("lat")
        )
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
    params = request.query_params
    keys = {k: params[k] for k in ("raster", "analysis", "feature") if params.get(k)}
    if len(keys) != 1:
        return Response({"detail": "Filter by one of raster, analysis or feature."}, status=400)
    target = _comment_target(request.user, keys)
    kind = next(iter(keys))
    return paginate(request, selectors.comments_on(request.user, **{kind: target}), s.CommentSerializer)


@extend_schema(request=s.CommentUpdateSerializer, responses=s.CommentSerializer)
@api_view(["GET", "PATCH", "DELETE"])
def comment_detail(request: Request, pk: int) -> Response:
    comment = selectors.comment_for_user(request.user, pk)
    if request.method == "DELETE":
        services.comment_delete(user=request.user, comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)
    if request.method == "PATCH":
        services.comment_update(user=request.user, comment=comment, **_valid(s.CommentUpdateSerializer, request))
    return Response(s.CommentSerializer(comment).data)


@extend_schema(request=s.ReviewCreateSerializer,
               responses={200: s.ReviewSerializer(many=True), 201: OpenApiTypes.OBJECT})
@api_view(["GET", "POST"])
def feature_reviews(request: Request, pk: int) -> Response:
    """Review history of a feature; POST (owners and editors) confirms, rejects, relabels or redraws it."""
    feature = selectors.feature_for_user(request.user, pk)
    if request.method == "POST":
        data = _valid(s.ReviewCreateSerializer, request)
        feature = services.feature_review(user=request.user, feature=feature, **data)
        return Response(selectors.feature_properties(feature), status=status.HTTP_201_CREATED)
    return Response(s.ReviewSerializer(selectors.reviews_of(feature), many=True).data)


@extend_schema(responses={(200, "application/json"): dict})
@api_view(["GET"])
def training_labels(request: Request, pk: int) -> Response:
    """Confirmed, relabelled and redrawn features of an analysis as GeoJSON training labels."""
    analysis = analysis_for_user(request.user, pk)
    response = Response(selectors.training_labels(analysis))
    response["Content-Disposition"] = f'attachment; filename="analysis-{analysis.pk}-labels.geojson"'
    return response


def _share_target(user: Any, data: dict[str, Any]) -> Any:
    if data.get("raster") is not None:
        return raster_for_user(user, data["raster"])
    if data.get("analysis") is not None:
        return analysis_for_user(user, data["analysis"])
    region = data["region"]
    body = Body.objects.filter(slug=str(region["body"])).first()
    if body is None:
        raise Http404("No such body.")
    return services.shared_region_create(
        user=user, body=body, geometry=region["geometry"], filters=region.get("filters") or {}
    )


@extend_schema(
    methods=["GET"], operation_id="api_v1_share_links_list", parameters=PAGE_PARAMETERS,
    responses=page_of(s.ShareLinkSerializer),
)  # fmt: skip
@extend_schema(methods=["POST"], request=s.ShareLinkCreateSerializer, responses={201: s.ShareLinkSerializer})
@api_view(["GET", "POST"])
def share_links(request: Request) -> Response:
    """Links you made and every link to your images; POST creates one to an image, an analysis or a region."""
    if request.method == "POST":
        data = _valid(s.ShareLinkCreateSerializer, request)
        target = _share_target(request.user, data)
        link = services.share_link_create(user=request.user, target=target, expires_at=data.get("expires_at"))
        return Response(s.ShareLinkSerializer(link).data, status=status.HTTP_201_CREATED)
    return paginate(request, selectors.share_links_of(request.user), s.ShareLinkSerializer)


@extend_schema(responses=s.ShareLinkSerializer)
@api_view(["GET", "DELETE"])
def share_link_detail(request: Request, pk: int) -> Response:
    """One of ``share_links``; DELETE (its creator or the image's owner) revokes it (it stays listed, inactive)."""
    link = selectors.share_link_for_user(request.user, pk)
    if request.method == "DELETE":
        services.share_link_revoke(user=request.user, link=link)
    return Response(s.ShareLinkSerializer(link).data)


@extend_schema(
    operation_id="api_v1_notifications_list", parameters=PAGE_PARAMETERS,
    responses=page_of(s.NotificationSerializer, unread=serializers.IntegerField()),
)  # fmt: skip
@api_view(["GET"])
def notifications(request: Request) -> Response:
    response = paginate(request, selectors.notifications_for(request.user), s.NotificationSerializer)
    response.data["unread"] = selectors.unread_count(request.user)
    return response


@extend_schema(request=s.NotificationsReadSerializer, responses={200: dict})
@api_view(["POST"])
def notifications_read(request: Request) -> Response:
    """Mark notifications read: all (no ``ids``), or only ``{"ids": [...]}`` (an empty list marks none)."""
    ids = _valid(s.NotificationsReadSerializer, request).get("ids")
    changed = services.notifications_mark_read(request.user, ids)
    return Response({"marked": changed, "unread": selectors.unread_count(request.user)})
