from django.urls import path
from rest_framework.routers import SimpleRouter

from segmentation import api

router = SimpleRouter()
router.register("analyses", api.AnalysisViewSet, basename="api-analysis")
router.register("models", api.ModelVersionViewSet, basename="api-model")

urlpatterns = [
    path("rasters/<int:pk>/analyses/", api.raster_analyses, name="api-raster-analyses"),
    path("rasters/<int:pk>/manual-craters/", api.raster_manual_craters, name="api-raster-manual-craters"),
    path("analyses/<int:pk>/mask/<int:z>/<int:x>/<int:y>.png", api.mask_tile, name="api-analysis-mask-tile"),
    *router.urls,
]
