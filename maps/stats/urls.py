"""Statistics pages, included by maps/urls.py under /map/stats/ (namespace "maps")."""

from django.urls import path, re_path

from maps.stats import views

urlpatterns = [
    path("analysis/<int:pk>/", views.object_stats, {"kind": "analysis"}, name="stats-analysis"),
    path("image/<int:pk>/", views.object_stats, {"kind": "image"}, name="stats-image"),
    path("project/<int:pk>/", views.object_stats, {"kind": "project"}, name="stats-project"),
    path("region/", views.region_stats, name="stats-region"),
    path("compare/", views.compare, name="stats-compare"),
    re_path(r"^csfd\.(?P<fmt>svg|png)$", views.csfd_image, name="stats-csfd-plot"),
    path("reports/", views.report_create, name="stats-report-create"),
    path("reports/<str:job_id>/", views.report_status, name="stats-report"),
    re_path(r"^reports/(?P<job_id>[0-9a-f]{32})/report\.(?P<fmt>pdf|html)$", views.report_file,
            name="stats-report-file"),
]
