"""OGC API - Features at /ogc/: documents, paging, visibility, and GDAL's own OAPIF client against a live server."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from tests.maps.gdal import feature_count, ogrinfo
from tests.maps.helpers import analysis_with, api_for

FEATURES = [{"lon": 10 + i, "lat": 5, "diameter_km": 10 + i} for i in range(5)]


@pytest.mark.parametrize("params", [
    {"limit": "x"}, {"offset": "-"}, {"offset": "99999999999999999999"}, {"bbox": "a,b,c,d,e,f"}, {"bbox": "1,2,3,4,5"},
])
@pytest.mark.django_db
def test_bad_item_queries_are_400(cast: Any, params: dict[str, str]) -> None:
    mine = analysis_with(cast.owner, FEATURES)
    r = api_for(cast.owner).get(f"/ogc/collections/analysis-{mine.pk}/items", params)
    assert r.status_code == 400 and r.json()["detail"]


@pytest.mark.django_db
def test_documents_paging_and_visibility(cast: Any) -> None:
    mine = analysis_with(cast.owner, FEATURES)
    theirs = analysis_with(cast.stranger, [{"lon": 10, "lat": 5}])
    client = api_for(cast.owner)
    landing = client.get("/ogc/").json()
    assert {link["rel"] for link in landing["links"]} >= {"self", "conformance", "data", "service-desc"}
    conforms = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conforms
    collections = client.get("/ogc/collections").json()["collections"]
    assert [c["id"] for c in collections] == [f"analysis-{mine.pk}"]
    assert collections[0]["storageCrs"] == "http://www.opengis.net/def/crs/IAU/2015/49900"
    assert collections[0]["body"] == "Mars"
    first_two: dict[str, str | int] = {"limit": 2, "bbox": "9,0,20,10"}
    items = client.get(f"/ogc/collections/analysis-{mine.pk}/items", first_two)
    assert items["Content-Type"] == "application/geo+json"
    page = items.json()
    assert page["numberMatched"] == 5 and page["numberReturned"] == 2
    nxt = next(link["href"] for link in page["links"] if link["rel"] == "next")
    assert "offset=2" in nxt and "bbox=" in nxt
    narrow = client.get(f"/ogc/collections/analysis-{mine.pk}/items", {"bbox": "12.5,0,20,10"}).json()
    assert narrow["numberMatched"] == 2
    fid = page["features"][0]["id"]
    assert client.get(f"/ogc/collections/analysis-{mine.pk}/items/{fid}").json()["properties"]["body"] == "Mars"
    # The stranger's collection and feature are 404 for the owner; anonymous is refused.
    assert client.get(f"/ogc/collections/analysis-{theirs.pk}").status_code == 404
    assert client.get(f"/ogc/collections/analysis-{theirs.pk}/items").status_code == 404
    other_fid = theirs.features.get().pk
    assert client.get(f"/ogc/collections/analysis-{mine.pk}/items/{other_fid}").status_code == 404
    assert api_for(None).get("/ogc/collections").status_code in {401, 403}
    html = client.get("/ogc/collections", {"f": "html"})
    assert html["Content-Type"].startswith("text/html") and b"Collections" in html.content


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gdal_oapif_lists_collections_and_reads_by_bbox(cast: Any, live_server: Any) -> None:
    mine = analysis_with(cast.owner, FEATURES)
    analysis_with(cast.stranger, [{"lon": 10, "lat": 5}])
    key = Token.objects.create(user=cast.owner).key
    config = {"GDAL_HTTP_HEADERS": f"Authorization: Token {key}", "GDAL_HTTP_UNSAFESSL": "YES",
              "CPL_CURL_VERBOSE": "NO", "GDAL_HTTP_TIMEOUT": "30"}
    url = f"OAPIF:{live_server.url}/ogc/"
    listing = ogrinfo(url, config=config)
    assert f"analysis-{mine.pk}" in listing and listing.count("analysis-") == 1
    everything = ogrinfo(url, f"analysis-{mine.pk}", "-so", config=config)
    assert feature_count(everything) == 5
    by_bbox = ogrinfo(url, f"analysis-{mine.pk}", "-spat", "12.5", "0", "20", "10", config=config)
    assert by_bbox.count("OGRFeature(") == 2
    assert "effective_class (String) = crater" in by_bbox


@pytest.mark.django_db
def test_each_collection_offers_its_body_crs(cast: Any) -> None:
    # OGC API - Features Part 2 in its simplest form: one CRS per collection, the body's, named everywhere
    mine = analysis_with(cast.owner, FEATURES)
    client = api_for(cast.owner)
    mars = "http://www.opengis.net/def/crs/IAU/2015/49900"
    conforms = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conforms
    assert not any(c.endswith("/conf/oas30") for c in conforms)  # the OGC endpoints are not in the OpenAPI
    url = f"/ogc/collections/analysis-{mine.pk}/items"
    for params in ({}, {"crs": mars}, {"crs": f"<{mars}>", "bbox": "9,0,20,10", "bbox-crs": mars}):
        r = client.get(url, params)
        assert r.status_code == 200 and r["Content-Crs"] == f"<{mars}>", params
    fid = r.json()["features"][0]["id"]
    assert client.get(f"{url}/{fid}", {"crs": mars})["Content-Crs"] == f"<{mars}>"
    earth = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    for params in ({"crs": earth}, {"bbox": "9,0,20,10", "bbox-crs": earth}):
        r = client.get(url, params)
        assert r.status_code == 400 and "49900" in r.json()["detail"], params
    assert client.get(f"{url}/{fid}", {"crs": earth}).status_code == 400
    crossing = client.get(url, {"bbox": "175,-5,-175,5"})  # minlon > maxlon crosses the antimeridian: valid
    assert crossing.status_code == 200 and crossing.json()["numberMatched"] == 0


@pytest.mark.django_db
def test_items_are_the_rest_lists_features(cast: Any) -> None:
    """One statement serves both feature lists: the same Features, properties and order, page by page."""
    mine = analysis_with(cast.owner, FEATURES)
    client = api_for(cast.owner)
    for offset in (0, 2, 4):
        ogc = client.get(f"/ogc/collections/analysis-{mine.pk}/items", {"limit": 2, "offset": offset})
        rest = client.get("/api/v1/features/", {"analysis": str(mine.pk), "limit": 2, "offset": offset})
        assert ogc.status_code == rest.status_code == 200
        assert ogc.json()["features"] == rest.json()["features"]
        assert ogc.json()["numberMatched"] == rest.json()["numberMatched"] == 5
    html = client.get(f"/ogc/collections/analysis-{mine.pk}/items", {"f": "html", "limit": "3"})
    assert html["Content-Type"].startswith("text/html")
    first = client.get("/api/v1/features/", {"analysis": str(mine.pk), "limit": "3"}).json()["features"]
    assert all(str(feature["id"]).encode() in html.content for feature in first)
