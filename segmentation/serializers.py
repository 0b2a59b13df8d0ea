"""API representations of model versions and analyses (no business logic: writes go through services)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from rasters.models import Raster
from segmentation.engine.weights import TTA_FLIPS
from segmentation.models import Analysis, ModelVersion


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
            "id", "raster", "model_version", "parameters", "status", "progress", "progress_done", "progress_total",
            "timings", "error", "summary", "attempts", "started_by", "code_version", "created_at", "started_at",
            "finished_at", "links",
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
        queryset=ModelVersion.objects.all(), required=False, allow_null=True
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
