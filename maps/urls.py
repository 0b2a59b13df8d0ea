"""Map pages under /map/ (namespace "maps"). Minimal: the explorer/features pages extend this list."""

from django.urls import include, path

app_name = "maps"

urlpatterns = [
    path("stats/", include("maps.stats.urls")),
]
