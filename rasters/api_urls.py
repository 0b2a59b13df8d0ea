from django.urls import path
from rest_framework.routers import SimpleRouter

from rasters import api

router = SimpleRouter()
router.register("rasters", api.RasterViewSet, basename="api-raster")
router.register("bodies", api.BodyViewSet, basename="api-body")

urlpatterns = [
    path("rasters/<int:pk>/tiles/<int:z>/<int:x>/<int:y>.png", api.tile, name="api-raster-tile"),
    *router.urls,
]
