from django.urls import path

from maps.stats import api

urlpatterns = [
    path("stats/", api.stats_for_token, name="api-stats"),
    path("stats/analyses/<int:pk>/", api.stats_for_object, {"kind": "analysis"}, name="api-stats-analysis"),
    path("stats/images/<int:pk>/", api.stats_for_object, {"kind": "image"}, name="api-stats-image"),
    path("stats/projects/<int:pk>/", api.stats_for_object, {"kind": "project"}, name="api-stats-project"),
    path("stats/region/", api.stats_for_region, name="api-stats-region"),
    path("stats/compare/", api.compare, name="api-stats-compare"),
    path("stats/systems/", api.systems, name="api-stats-systems"),
    path("stats/reports/", api.report_create, name="api-stats-reports"),
    path("stats/reports/<str:job_id>/", api.report_detail, name="api-stats-report"),
]
