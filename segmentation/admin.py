from django.contrib import admin

from segmentation.models import Analysis, ModelVersion


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "weights_sha256", "created_at"]


@admin.register(Analysis)
class AnalysisAdmin(admin.ModelAdmin):
    list_display = ["id", "raster", "model_version", "status", "progress_done", "progress_total", "created_at"]
    list_filter = ["status"]
