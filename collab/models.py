"""Projects and their members, share links, shared regions, comments, reviews, notifications and activity.

Visibility itself lives on ``rasters.Raster`` (``project`` and ``visibility``); analyses and features inherit
their image's. Who may see or change what is decided in ``collab.access`` only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone

from collab.paths import site_path
from rasters.fields import BODY_LONLAT_SRID


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


class Project(models.Model):
    """A team's shared space: images put in it with visibility "project" are seen by its members."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="projects_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One user's role in one project (the creator is an owner member like any other)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user__username"]
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="uniq_membership")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"


class Invitation(models.Model):
    """A pending invitation by username or email; accepting it creates the membership."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    email = models.EmailField(blank=True, help_text="For someone without an account yet")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class SharedRegion(models.Model):
    """A saved region query: a geometry in a body's lon/lat (SRID 0) plus feature filters."""

    body = models.ForeignKey("rasters.Body", on_delete=models.PROTECT, related_name="shared_regions")
    geometry = models.GeometryField(srid=BODY_LONLAT_SRID, help_text="Body lon/lat")
    filters = models.JSONField(default=dict, blank=True, help_text="{classes: [...], min_confidence: 0.5}")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class ShareLink(models.Model):
    """A read-only link to exactly one image, analysis or region; revocable and optionally expiring."""

    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links")
    raster = models.ForeignKey("rasters.Raster", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    analysis = models.ForeignKey(
        "segmentation.Analysis", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    region = models.ForeignKey(SharedRegion, on_delete=models.CASCADE, null=True, blank=True, related_name="links")
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(raster__isnull=False, analysis__isnull=True, region__isnull=True)
                    | models.Q(raster__isnull=True, analysis__isnull=False, region__isnull=True)
                    | models.Q(raster__isnull=True, analysis__isnull=True, region__isnull=False)
                ),
                name="share_link_one_target",
            )
        ]

    @property
    def kind(self) -> str:
        return "raster" if self.raster_id else "analysis" if self.analysis_id else "region"

    @property
    def is_active(self) -> bool:
        """Neither revoked nor expired (whether its creator still backs it is ``works``)."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    @property
    def works(self) -> bool:
        """Whether the link opens its object now: the rule is ``collab.access.share_link_works``."""
        from collab.access import share_link_works

        return share_link_works(self)


class Comment(models.Model):
    """A comment on an image, an analysis or one feature; optionally pinned to a lon/lat on the body.

    ``raster`` is always set (the target's image) so visibility filters without joins.
    """

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    raster = models.ForeignKey("rasters.Raster", on_delete=models.CASCADE, related_name="comments")
    analysis = models.ForeignKey(
        "segmentation.Analysis", on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    feature = models.ForeignKey(
        "segmentation.Feature", on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    lon = models.FloatField(null=True, blank=True, help_text="Pin longitude on the body (degrees east)")
    lat = models.FloatField(null=True, blank=True)
    text = models.TextField(max_length=10000, help_text="Markdown as typed")
    html = models.TextField(help_text="Sanitised HTML rendered from text")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]


class FeatureReview(models.Model):
    """History of reviews: who confirmed, rejected, relabelled or redrew a feature, and what it was before."""

    class Action(models.TextChoices):
        CONFIRM = "confirm", "Confirm"
        REJECT = "reject", "Reject"
        RELABEL = "relabel", "Relabel"
        REDRAW = "redraw", "Redraw"
        RESET = "reset", "Reset"

    feature = models.ForeignKey("segmentation.Feature", on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    old_status = models.CharField(max_length=12, blank=True)
    old_class = models.CharField(max_length=40, blank=True)
    new_class = models.CharField(max_length=40, blank=True)
    old_geometry = models.GeometryField(srid=BODY_LONLAT_SRID, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Notification(models.Model):
    """An in-app message for one user (mention, invitation, review of their image...)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    verb = models.CharField(max_length=40)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    @property
    def link(self) -> str:
        """The stored URL if it is a path on this site, else "" (rows written before the rule are not trusted)."""
        return site_path(self.url)


class Activity(models.Model):
    """One line of a project's activity feed (or a user's own, without a project)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    verb = models.CharField(max_length=40)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True, related_name="activity")
    raster = models.ForeignKey(
        "rasters.Raster", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        help_text="The image the activity is about, so the feed only shows what the reader may see",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
