"""API representations of model versions and analyses (no business logic: writes go through services)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from rasters.models import Raster
from segmentation.engine.weights import TTA_FLIPS
from segmentation.models import MANUAL_MODEL_KEY, Analysis, ModelVersion


class ModelVersionSerializer(serializers.ModelSerializer):
    metrics = serializers.SerializerMethodField()

    class Meta:
        model = ModelVersion
        fields = ["id", "name", "version", "label", "weights_sha256", "classes", "metrics", "created_at"]

    def get_metrics(self, version: ModelVersion) -> dict[str, Any]:
        return dict(version.card.get("metrics", {}))


class AnalysisSerializer(serializers.ModelSerializer):
    raster: serializers.PrimaryKeyRelatedField[Raster] = serializers.PrimaryKeyRelatedField(read_only=True)
    model_version = ModelVersionSerializer(read_only=True)
    started_by = serializers.CharField(source="started_by.username", default=None, read_only=True)
    progress = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Analysis
        fields = [
            "id", "raster", "kind", "model_version", "parameters", "status", "progress", "progress_done",
            "progress_total", "timings", "error", "summary", "attempts", "started_by", "code_version", "created_at",
            "started_at", "finished_at", "links",
        ]
        read_only_fields = fields

    def get_progress(self, analysis: Analysis) -> int:
        return analysis.progress_percent

    def get_links(self, analysis: Analysis) -> dict[str, str]:
        return {
            "page": reverse("segmentation:analysis", kwargs={"pk": analysis.pk}),
            "features": reverse("segmentation:features", kwargs={"pk": analysis.pk}),
            "mask": reverse("segmentation:mask", kwargs={"pk": analysis.pk}),
            "mask_tiles": reverse("api-analysis-mask-tile", kwargs={"pk": analysis.pk, "z": 0, "x": 0, "y": 0}).replace(
                "/0/0/0.png", "/{z}/{x}/{y}.png"
            ),
        }


class AnalysisStartSerializer(serializers.Serializer):
    model_version = serializers.PrimaryKeyRelatedField(
        queryset=ModelVersion.objects.exclude(weights_sha256=MANUAL_MODEL_KEY), required=False, allow_null=True
    )
    tile = serializers.IntegerField(required=False, allow_null=True, min_value=64, max_value=2048)
    overlap = serializers.IntegerField(required=False, min_value=0, max_value=512)
    batch_size = serializers.IntegerField(required=False, min_value=1, max_value=64)
    min_area_px = serializers.IntegerField(required=False, min_value=1, max_value=100_000)
    tta = serializers.ChoiceField(
        choices=sorted(TTA_FLIPS), required=False, allow_null=True,
        help_text="Forward passes per window with mirrored copies (default: the model card's)",
    )
    contrast_view = serializers.BooleanField(
        required=False, allow_null=True,
        help_text="Also detect craters on a local-contrast copy of the image, which finds craters nested in "
        "bigger ones; twice the forward passes (default: true)",
    )
    multiscale = serializers.BooleanField(
        required=False, allow_null=True,
        help_text="Also look for craters at other pyramid levels (up to 4x for small images, down to 1/16 for big "
        "ones), so craters far from the 10-100 px the model was trained on are found; about 20x the forward passes "
        "of a 1024 x 512 image, a few percent more on big ones (default: true)",
    )
    light_check = serializers.BooleanField(
        required=False, allow_null=True,
        help_text="Drop craters whose shading under the scene's sun is a dome's, or that a cast shadow fills "
        "(default: true)",
    )


_LONLAT = serializers.ListField(
    child=serializers.FloatField(), min_length=2, max_length=2, help_text="[longitude, latitude] in degrees, east"
)


class ManualCraterSerializer(serializers.Serializer):
    """A crater digitised by hand: three rim points, or a centre and a radius, in the body's lon/lat."""

    body = serializers.SlugField(max_length=50, help_text="Slug of the body the client measured on: the image's")
    method = serializers.ChoiceField(
        choices=[("rim", "three rim points"), ("centre", "centre and radius")],
        help_text="'rim': the circle through the three points of 'rim'; 'centre': 'centre' and 'radius_km'",
    )
    rim = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        min_length=3, max_length=3, required=False,
        help_text="Three [lon, lat] points on the rim (method 'rim')",
    )
    centre = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, required=False,
        help_text="[lon, lat] of the crater's centre (method 'centre')",
    )
    radius_km = serializers.FloatField(
        required=False, help_text="Great-circle radius on the body, km (method 'centre'); positive, under 45°"
    )


class ManualCraterResultSerializer(serializers.Serializer):
    """The stored crater: its feature id, the manual count (analysis) it joined, and its measures on the body."""

    id = serializers.IntegerField()
    analysis = serializers.IntegerField(source="analysis_id")
    raster = serializers.IntegerField(source="raster_id")
    body = serializers.CharField(source="body.slug")
    class_name = serializers.CharField()
    center_lon = serializers.FloatField()
    center_lat = serializers.FloatField()
    diameter_km = serializers.FloatField()
    area_km2 = serializers.FloatField()
    perimeter_km = serializers.FloatField()
    diameter_px = serializers.FloatField()
    review_status = serializers.CharField()
