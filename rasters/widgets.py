"""django-leaflet's admin widget for geometry columns in a body's lon/lat (SRID 0, see ``rasters.fields``).

The map is lon/lat plate carree without base tiles (``LEAFLET_CONFIG``), made by ``static/js/planetmap.js`` from
the JSON the CSP-safe ``maps/templates/leaflet/widget.html`` leaves (django-leaflet's own template has an inline
script). Its Leaflet is the site's one copy, served at django-leaflet's path (``STATICFILES_DIRS``).

A geometry read back from the map is labelled SRID 0 again: Leaflet's degrees are the body's degrees (left as
EPSG:4326, GeoDjango would ask PostGIS to transform Earth degrees into the column's SRID 0 and fail).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.gis import forms as gis_forms
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from leaflet.admin import LeafletAdminWidget, LeafletGeoAdminMixin

from rasters.fields import BODY_LONLAT_SRID


class BodyLonLatWidget(LeafletAdminWidget):  # type: ignore[misc]
    """A Leaflet map of a geometry in its body's lon/lat; read-only unless ``modifiable``."""

    @property
    def media(self) -> forms.Media:
        # django-leaflet's Leaflet, map class and field editor (leaflet.js, leaflet.extras.js, Leaflet.draw,
        # leaflet.forms.js), then planetmap.js, which builds the map the inline script would have.
        media: forms.Media = super().media + forms.Media(js=["js/planetmap.js"])
        return media

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)
        context["widget_config_id"] = f"leaflet-widget-{context['id']}"
        context["widget_config"] = {
            "map_id": context["id_map"], "fieldid": context["id_css"], "modifiable": bool(context["modifiable"]),
            "geom_type": context["widget"]["attrs"]["geom_name"], "srid": 4326,
            "field_store_class": context["field_store_class"], "geometry_field_class": context["geometry_field_class"],
        }
        return context


class BodyLonLatFormField(gis_forms.GeometryField):
    """A geometry from the map, in the body's lon/lat: GeoDjango's field labels a geometry without SRID with the
    widget's 4326, which is put back to SRID 0 here."""

    def clean(self, value: Any) -> GEOSGeometry | None:
        geom: GEOSGeometry | None = super().clean(value)
        if geom is not None:
            geom.srid = BODY_LONLAT_SRID
        return geom


class BodyLonLatAdminMixin(LeafletGeoAdminMixin):  # type: ignore[misc]
    """django-leaflet's admin mixin for models whose geometry columns hold body lon/lat (SRID 0)."""

    widget = BodyLonLatWidget

    def formfield_for_dbfield(self, db_field: Any, request: Any = None, **kwargs: Any) -> Any:
        if isinstance(db_field, GeometryField) and db_field.srid == BODY_LONLAT_SRID:
            kwargs.setdefault("form_class", BodyLonLatFormField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
