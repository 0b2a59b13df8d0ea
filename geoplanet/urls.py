"""Root URL configuration: each app owns its own ``urls.py``."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("accounts/", include("accounts.urls")),
    path("images/", include("rasters.urls")),
    path("map/", include("maps.urls")),
    path("projects/", include("collab.urls")),
    path("analyses/", include("segmentation.urls")),
    path("api/v1/", include("accounts.api_urls")),
    path("api/v1/", include("rasters.api_urls")),
    path("api/v1/", include("maps.api_urls")),
    path("ogc/", include("maps.ogc.urls")),
    path("api/v1/", include("maps.stats.api_urls")),
    path("api/v1/", include("maps.reference.api_urls")),
    path("api/v1/", include("collab.api_urls")),
    path("api/v1/", include("segmentation.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "geoplanet.errors.page_not_found"
