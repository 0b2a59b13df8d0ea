"""The JSON documents of OGC API - Features, built from plain data (no request handling here).

Coordinates are lon/lat degrees on the collection's body. Each collection names its body's IAU 2015 CRS in
``crs`` and ``storageCrs`` (``http://www.opengis.net/def/crs/IAU/2015/<code>``): that URI does not resolve
online, but it is the OGC naming of the IAU authority that PROJ and GDAL know (``IAU_2015:<code>``).
"""

from __future__ import annotations

from typing import Any

from maps.serializers import crs_uri
from rasters.models import Body

# oas30 is not claimed: the OGC endpoints are not in the platform's OpenAPI document. Part 2 (crs) is met in its
# simplest form: each collection offers one CRS, its body's, as storageCrs, crs, bbox-crs and Content-Crs.
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"


def link(href: str, rel: str, media_type: str, title: str = "") -> dict[str, str]:
    out = {"href": href, "rel": rel, "type": media_type}
    if title:
        out["title"] = title
    return out


def collection_id(analysis_id: int) -> str:
    return f"analysis-{analysis_id}"


def analysis_id_of(collection: str) -> str:
    """The analysis id in a collection id (validated by the access helper that receives it)."""
    return collection.removeprefix("analysis-")


def collection_doc(base: str, analysis: dict[str, Any], body: Body | None) -> dict[str, Any]:
    """One collection: an analysis' features on its image's body."""
    cid = collection_id(analysis["id"])
    url = f"{base}collections/{cid}"
    extent = analysis.get("extent")
    crs = [crs_uri(body)] if body else []
    doc: dict[str, Any] = {
        "id": cid,
        "title": f"Analysis {analysis['id']}: {analysis['raster_title']}" + (f" ({body.name})" if body else ""),
        "description": "Craters, valleys and ridges found by the analysis, reviews applied (rejected ones out). "
                       f"Coordinates are longitude/latitude in degrees on {body.name if body else 'the body'}.",
        "itemType": "feature",
        "crs": crs,
        "storageCrs": crs[0] if crs else None,
        "body": body.name if body else None,
        "links": [
            link(f"{url}?f=json", "self", JSON, "This collection"),
            link(f"{url}?f=html", "alternate", HTML, "This collection as HTML"),
            link(f"{url}/items?f=json", "items", GEOJSON, "Features"),
            link(f"{url}/items?f=html", "items", HTML, "Features as HTML"),
        ],
    }
    if extent:
        doc["extent"] = {"spatial": {"bbox": [list(extent)], "crs": crs[0] if crs else None}}
    return doc


def landing_doc(base: str) -> dict[str, Any]:
    return {
        "title": "GeoPlanet features",
        "description": "Planetary surface features as OGC API - Features. Each collection is one analysis; "
                       "coordinates are lon/lat on that collection's body, never Earth.",
        "links": [
            link(f"{base}?f=json", "self", JSON, "This document"),
            link(f"{base}?f=html", "alternate", HTML, "This document as HTML"),
            link(f"{base}conformance?f=json", "conformance", JSON, "Conformance classes"),
            link(f"{base}collections?f=json", "data", JSON, "Collections"),
            link(f"{base}collections?f=html", "data", HTML, "Collections as HTML"),
            link(base.removesuffix("ogc/") + "api/v1/schema/?format=json", "service-desc",
                 "application/vnd.oai.openapi+json;version=3.0", "OpenAPI definition"),
            link(base.removesuffix("ogc/") + "api/v1/docs/", "service-doc", HTML, "API documentation"),
        ],
    }
