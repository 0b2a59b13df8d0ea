from django.urls import path

from maps.reference import api

urlpatterns = [
    path("reference/catalogues/", api.catalogue_list, name="api-reference-catalogues"),
    path("reference/tiles/<slug:body>/<int:z>/<int:x>/<int:y>.pbf", api.reference_tile, name="api-reference-tile"),
    path("reference/compare/", api.comparison, name="api-reference-compare"),
]
