from django.urls import path

from segmentation import views

app_name = "segmentation"

urlpatterns = [
    path("start/<int:raster_pk>/", views.analysis_start, name="start"),
    path("<int:pk>/", views.analysis_detail, name="analysis"),
    path("<int:pk>/cancel/", views.analysis_cancel, name="cancel"),
    path("<int:pk>/retry/", views.analysis_retry, name="retry"),
    path("<int:pk>/delete/", views.analysis_delete, name="delete"),
    path("<int:pk>/features.geojson", views.features, name="features"),
    path("<int:pk>/mask.tif", views.mask, name="mask"),
    path("<int:pk>/confidence.tif", views.confidence, name="confidence"),
]
