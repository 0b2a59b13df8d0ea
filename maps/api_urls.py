from django.urls import path

from maps import api

urlpatterns = [
    path("features/", api.feature_list, name="api-feature-list"),
    path("features/summary/", api.feature_summary, name="api-feature-summary"),
    path("features/export/", api.feature_export, name="api-feature-export"),
    path("features/tiles/<slug:body>/<int:z>/<int:x>/<int:y>.pbf", api.feature_tile, name="api-feature-tile"),
    path("features/<int:pk>/", api.feature_detail, name="api-feature-detail"),
    path("exports/<int:pk>/", api.export_detail, name="api-export-detail"),
    path("exports/<int:pk>/download/", api.export_download, name="api-export-download"),
]
