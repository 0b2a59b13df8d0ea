"""Map pages under /map/ (namespace "maps")."""

from django.urls import include, path

from maps import views

app_name = "maps"

urlpatterns = [
    path("", views.explorer_index, name="index"),
    path("compare/", views.compare, name="compare"),
    path("exports/<int:pk>/", views.export_job, name="export-job"),
    path("stats/", include("maps.stats.urls")),
    path("<slug:body>/", views.explorer, name="explorer"),
]
