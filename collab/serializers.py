"""API shapes of the collab app. Input serializers only validate; writes go through ``collab.services``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from collab.models import Activity, Comment, FeatureReview, Invitation, Membership, Notification, Project, ShareLink


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name", "description", "created_at"]
        read_only_fields = ["id", "created_at"]


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["user", "username", "role", "created_at"]
        read_only_fields = fields


class InviteSerializer(serializers.Serializer):
    who = serializers.CharField(max_length=254, help_text="Username or email")
    role = serializers.ChoiceField(choices=["owner", "editor", "viewer"], default="viewer")


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["owner", "editor", "viewer"])


class InvitationSerializer(serializers.ModelSerializer):
    project = ProjectSerializer(read_only=True)
    invited_by = serializers.CharField(source="invited_by.username", read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "project", "invited_by", "role", "status", "created_at"]
        read_only_fields = fields


class SharingSerializer(serializers.Serializer):
    project = serializers.IntegerField(required=False, allow_null=True)
    visibility = serializers.ChoiceField(choices=["private", "project", "public"])


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "raster", "analysis", "feature", "lon", "lat", "text", "html", "created_at",
                  "updated_at"]
        read_only_fields = fields


class CommentCreateSerializer(serializers.Serializer):
    raster = serializers.IntegerField(required=False)
    analysis = serializers.IntegerField(required=False)
    feature = serializers.IntegerField(required=False)
    text = serializers.CharField(max_length=10_000)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if sum(1 for key in ("raster", "analysis", "feature") if attrs.get(key) is not None) != 1:
            raise serializers.ValidationError("Give exactly one of raster, analysis or feature.")
        return attrs


class CommentUpdateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10_000)


class ReviewSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True, default=None)

    class Meta:
        model = FeatureReview
        fields = ["id", "feature", "user", "action", "old_status", "old_class", "new_class", "created_at"]
        read_only_fields = fields


class ReviewCreateSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[a.value for a in FeatureReview.Action])
    new_class = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    geometry = serializers.JSONField(required=False, allow_null=True, help_text="GeoJSON in the body's lon/lat")


class ShareLinkSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    active = serializers.BooleanField(
        source="works", read_only=True, help_text="Opens its object now: not revoked or expired, creator still allowed"
    )
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ShareLink
        fields = ["id", "kind", "token", "url", "raster", "analysis", "region", "created_by", "expires_at",
                  "revoked_at", "created_at", "active"]
        read_only_fields = fields

    def get_url(self, link: ShareLink) -> str:
        from django.urls import reverse

        return reverse("collab:share", kwargs={"token": link.token})


class ShareLinkCreateSerializer(serializers.Serializer):
    raster = serializers.IntegerField(required=False)
    analysis = serializers.IntegerField(required=False)
    region = serializers.JSONField(required=False, help_text="{body: slug, geometry: GeoJSON, filters: {...}}")
    expires_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if sum(1 for key in ("raster", "analysis", "region") if attrs.get(key) is not None) != 1:
            raise serializers.ValidationError("Give exactly one of raster, analysis or region.")
        region = attrs.get("region")
        if region is not None and not (isinstance(region, dict) and "body" in region and "geometry" in region):
            raise serializers.ValidationError("A region needs a body and a geometry.")
        return attrs


class NotificationSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, default=None)
    url = serializers.CharField(source="link", read_only=True, help_text="A path of this site, or empty")

    class Meta:
        model = Notification
        fields = ["id", "actor", "verb", "text", "url", "read_at", "created_at"]
        read_only_fields = fields


class NotificationsReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=1000,
        help_text="Notifications to mark read (at most 1000); leave it out to mark them all",
    )


class ActivitySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, default=None)

    class Meta:
        model = Activity
        fields = ["id", "actor", "verb", "target_type", "target_id", "target_repr", "created_at"]
        read_only_fields = fields
