from django.urls import path

from rasters import views

app_name = "rasters"

urlpatterns = [
    path("", views.raster_list, name="list"),
    path("upload/", views.raster_upload, name="upload"),
    path("<int:pk>/", views.raster_detail, name="detail"),
    path("<int:pk>/edit/", views.raster_edit, name="edit"),
    path("<int:pk>/delete/", views.raster_delete, name="delete"),
    path("<int:pk>/retry/", views.raster_retry, name="retry"),
    path("<int:pk>/thumbnail.png", views.thumbnail, name="thumbnail"),
    path("<int:pk>/original/", views.original, name="original"),
]
