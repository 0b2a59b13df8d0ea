"""Reads for maps: every feature set starts from ``segmentation.selectors.features_visible_to``."""

from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import Polygon
from django.db.models import Avg, Count, Max, Min, QuerySet, Sum
from django.http import Http404
from django.urls import reverse

from maps.filters import FeatureQuery
from maps.stats.selectors import centres_inside, latest_done_analysis_ids
from maps.stats.selectors import region_area_km2 as stats_region_area_km2
from rasters.models import Body, Raster
from rasters.selectors import rasters_visible_to
from segmentation.models import Analysis, Feature
from segmentation.selectors import analyses_visible_to, features_visible_to

# Exports that are crater counts: each crater once, by centre (see export_features).
CRATER_COUNT_FORMATS = frozenset({"csv", "scc", "diam", "cratershp"})


def body_by_slug(slug: str) -> Body:
    body = Body.objects.filter(slug=slug).first()
    if body is None:
        raise Http404("No such body.")
    return body


def features_matching(user: Any, query: FeatureQuery) -> QuerySet[Feature]:
    """The features ``user`` may see that match ``query`` (annotated with ``effective``): every analysis."""
    return query.apply(features_visible_to(user))


def features_counted(user: Any, query: FeatureQuery) -> QuerySet[Feature]:
    """What a crater count holds: :func:`features_matching`, one analysis per image.

    Without ``analysis=`` only the newest finished analysis of each image counts (the statistics page's rule,
    ``maps.stats.selectors.latest_done_analysis_ids``), as the counting area counts each image once; named
    analyses are taken as asked.
    """
    features = features_matching(user, query)
    if query.analyses:
        return features
    return features.filter(analysis__in=latest_done_analysis_ids(rasters_visible_to(user)))


def features_by_centre(user: Any, query: FeatureQuery) -> QuerySet[Feature]:
    """:func:`features_counted`, a region keeping only the features whose centre lies inside it.

    The crater-counting rule of the statistics page, used by the ``.scc`` count and the CSV catalogue: a large
    crater centred outside the region is not counted because its rim reaches in.
    """
    features = features_counted(user, query)
    region = query.region()
    return features if region is None else centres_inside(features, region)


def export_features(user: Any, query: FeatureQuery, fmt: str) -> QuerySet[Feature]:
    """What an export in ``fmt`` holds.

    The crater counts (``.scc`` and the CSV catalogue) take :func:`features_by_centre`, so no crater is counted
    twice; the map formats (GeoJSON, GeoPackage, Shapefile) hold what the map and the region summary show:
    every analysis the query matches (``analysis=`` picks one) and every outline the region touches.
    """
    if fmt in CRATER_COUNT_FORMATS:
        return features_by_centre(user, query)
    return features_matching(user, query)


def feature_for_user(user: Any, pk: int | str, query: FeatureQuery | None = None) -> Feature:
    """One visible feature (also matching ``query`` when given); 404 otherwise."""
    try:
        pk_int = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such feature.") from None
    qs = features_matching(user, query or FeatureQuery(include_rejected=True))
    feature = qs.select_related("body").filter(pk=pk_int).first()
    if feature is None:
        raise Http404("No such feature.")
    return feature


def bodies_with_images(user: Any) -> list[dict[str, Any]]:
    """Bodies on which ``user`` sees at least one georeferenced image, with counts, for the map index."""
    rows = (
        rasters_visible_to(user).filter(body__isnull=False, georeferenced=True)
        .values("body__slug", "body__name").annotate(images=Count("id")).order_by("body__name")
    )
    return [{"slug": r["body__slug"], "name": r["body__name"], "images": r["images"]} for r in rows]


def busiest_body(user: Any) -> str | None:
    """Slug of the body with the most features the user may see (None without any feature)."""
    from segmentation.selectors import features_visible_to

    top = (
        features_visible_to(user).filter(body__isnull=False).values("body__slug")
        .annotate(n=Count("id")).order_by("-n").first()
    )
    return top["body__slug"] if top else None


def region_area_km2(query: FeatureQuery, body: Body | None) -> float | None:
    """Area of the query's region on the body's sphere (never Earth's), as the statistics page measures it."""
    region = query.region()
    if region is None or body is None:
        return None
    from shapely import wkb

    return stats_region_area_km2(wkb.loads(bytes(region.wkb)), body)


def class_counts(features: QuerySet[Feature]) -> list[dict[str, Any]]:
    """Counts, areas and diameters by effective class of an annotated (``effective``) feature set."""
    rows = (
        features.order_by().values("effective")  # type: ignore[misc]  # the caller's annotation, unknown to the stubs
        .annotate(
            count=Count("id"), area_km2=Sum("area_km2"), min_diameter_km=Min("diameter_km"),
            max_diameter_km=Max("diameter_km"), mean_diameter_km=Avg("diameter_km"), length_km=Sum("length_km"),
            mean_confidence=Avg("confidence"),
        )
        .order_by("effective")
    )
    return [{"class_name": r.pop("effective"), **r} for r in rows]


def region_summary(user: Any, query: FeatureQuery) -> dict[str, Any]:
    """Counts and statistics of the features of a region query, by class and by image.

    They describe what the map shows and its map-format exports (every analysis the query matches, every
    outline the region touches); the ``.scc`` and CSV count craters once each (:func:`features_by_centre`).
    """
    body = body_by_slug(query.body) if query.body else None  # an unknown body is the list's 404, not a silent 0
    features = features_matching(user, query)
    classes = class_counts(features)
    per_raster = list(
        features.order_by().values("raster_id", "raster__title").annotate(count=Count("id")).order_by("raster_id")
    )
    qs = query.querystring()
    return {
        "body": body.name if body else None,
        "count": sum(c["count"] for c in classes),
        "region_area_km2": region_area_km2(query, body),
        "classes": classes,
        "rasters": [{"id": r["raster_id"], "title": r["raster__title"], "count": r["count"]} for r in per_raster],
        "share_url": (reverse("maps:explorer", kwargs={"body": body.slug}) + "?" + qs) if body else "",
        "exports": {fmt: reverse("api-feature-export") + f"?{qs}&format={fmt}" for fmt in EXPORT_FORMATS},
    }


EXPORT_FORMATS = ("geojson", "gpkg", "shp", "csv", "scc", "diam", "cratershp")


def explorer_data(user: Any, body: Body) -> dict[str, Any]:
    """Everything the explorer page needs in one document: images, analyses, classes and URLs (no N+1)."""
    from collab.access import editable_raster_q

    visible = rasters_visible_to(user).filter(body=body, status=Raster.Status.READY, georeferenced=True)
    rasters = list(visible.order_by("title", "id").values("id", "title", "footprint", "project__name"))
    # The crater tool offers the images whose count the user may add to (the API decides again on each save).
    editable = set(visible.filter(editable_raster_q(user)).values_list("pk", flat=True))
    analyses = list(
        analyses_visible_to(user).filter(raster__body=body)
        .order_by("-id").values("id", "raster_id", "raster__title", "status", "model_version__name")
    )
    classes = sorted(
        set(features_visible_to(user).filter(body=body).values_list("class_name", flat=True).distinct())
        | {"crater", "valley", "ridge"}
    )
    tile = reverse("api-raster-tile", kwargs={"pk": 0, "z": 0, "x": 0, "y": 0})
    vtile = reverse("api-feature-tile", kwargs={"body": body.slug, "z": 0, "x": 0, "y": 0})
    return {
        "body": {"slug": body.slug, "name": body.name, "radius_m": body.mean_radius_m, "crs": body.crs_code},
        "rasters": [
            {
                "id": r["id"], "title": r["title"],
                "footprint": r["footprint"].extent if r["footprint"] else None,
                "tiles": tile.replace("/0/tiles/0/0/0.png", f"/{r['id']}/tiles/{{z}}/{{x}}/{{y}}.png"),
                "url": reverse("rasters:detail", kwargs={"pk": r["id"]}),
                "editable": r["id"] in editable,
                "project": r["project__name"],
            }
            for r in rasters
        ],
        "analyses": [
            {"id": a["id"], "raster": a["raster_id"], "status": a["status"],
             "title": f"#{a['id']} {a['model_version__name']} on {a['raster__title']}"}
            for a in analyses
        ],
        "classes": classes,
        "projects": [],
        "urls": {
            "vector_tiles": vtile.replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf"),
            "features": reverse("api-feature-list"),
            "summary": reverse("api-feature-summary"),
            "export": reverse("api-feature-export"),
            "compare": reverse("maps:compare"),
            "manual_craters": reverse("api-raster-manual-craters", kwargs={"pk": 0}).replace("/0/", "/{id}/"),
            "stats_analysis": reverse("maps:stats-analysis", kwargs={"pk": 0}).replace("/0/", "/{id}/"),
        },
    }


def compare_side(user: Any, spec: str) -> dict[str, Any] | None:
    """One side of a comparison from ``analysis:ID`` or ``raster:ID`` (its latest finished analysis)."""
    from segmentation.selectors import analysis_for_user, class_summary

    kind, _, pk = (spec or "").partition(":")
    analysis: Analysis | None
    if kind == "analysis":
        analysis = analysis_for_user(user, pk)
        raster = analysis.raster
    elif kind == "raster":
        from rasters.selectors import raster_for_user

        raster = raster_for_user(user, pk)
        analysis = (
            raster.analyses.filter(status=Analysis.Status.DONE, kind=Analysis.Kind.DETECTION).order_by("-id").first()
        )
    else:
        return None
    tile = reverse("api-raster-tile", kwargs={"pk": raster.pk, "z": 0, "x": 0, "y": 0})
    tile = tile.replace("/0/0/0.png", "/{z}/{x}/{y}.png")
    body = raster.body
    return {
        "spec": spec,
        "raster": {"id": raster.pk, "title": raster.title, "tiles": tile, "georeferenced": raster.georeferenced,
                   "footprint": raster.footprint.extent if raster.footprint else None,
                   "width": raster.width, "height": raster.height},
        "body": {"slug": body.slug, "name": body.name, "radius_m": body.mean_radius_m} if body else None,
        "analysis": analysis.pk if analysis else None,
        "summary": class_summary(analysis) if analysis else [],
        "features": (reverse("api-feature-list") + f"?analysis={analysis.pk}&limit=5000") if analysis else None,
    }


def compare_choices(user: Any) -> list[dict[str, Any]]:
    """Visible analyses and images to pick from on the compare page."""
    choices = [
        {"value": f"analysis:{a['id']}", "label": f"Analysis #{a['id']} of {a['raster__title']}"}
        for a in analyses_visible_to(user).order_by("-id").values("id", "raster__title")[:500]
    ]
    choices += [
        {"value": f"raster:{r['id']}", "label": f"Image {r['title']}"}
        for r in rasters_visible_to(user).order_by("title").values("id", "title")[:500]
    ]
    return choices


def export_body(user: Any, query: FeatureQuery) -> Body:
    """The one body an export's coordinates are on: the query's, or the single body of its features."""
    from maps.filters import BadQuery

    if query.body:
        return body_by_slug(query.body)
    ids = list(features_matching(user, query).order_by().values_list("body_id", flat=True).distinct()[:2])
    if len(ids) != 1 or ids[0] is None:
        raise BadQuery("These features are on several bodies (or none): add body=<slug> to export them.")
    return Body.objects.get(pk=ids[0])


def export_metadata(query: FeatureQuery) -> dict[str, Any]:
    """Members describing the export's filters, written beside the features."""
    return {"query": query.to_params(), "coordinates": "longitude, latitude in degrees (planetocentric, east)"}


def counting_area(user: Any, query: FeatureQuery, body: Body) -> tuple[float, list[tuple[float, float]] | None]:
    """Counting area of a crater count: the query's region, else the footprints of the images counted."""
    from maps.filters import BadQuery

    area = region_area_km2(query, body)
    if area is not None:
        region = query.region()
        ring = None
        if isinstance(region, Polygon):
            ring = [(float(x), float(y)) for x, y in region.exterior_ring.coords]
        return area, ring
    raster_ids = features_counted(user, query).order_by().values("raster_id").distinct()
    total = rasters_visible_to(user).filter(pk__in=raster_ids).aggregate(a=Sum("footprint_area_km2"))["a"]
    if not total:
        raise BadQuery("No counting area: draw a region or export features of georeferenced images.")
    return float(total), None


def counting_geometry(user: Any, query: FeatureQuery) -> Any:
    """The counting area as a shapely lon/lat geometry: the query's region, else the union of the footprints
    of the images counted (the craterstats ``_AREA`` shapefile)."""
    from shapely import wkb as shapely_wkb
    from shapely.ops import unary_union

    from maps.filters import BadQuery

    region = query.region()
    if region is not None:
        return shapely_wkb.loads(bytes(region.wkb))
    raster_ids = features_counted(user, query).order_by().values("raster_id").distinct()
    footprints = rasters_visible_to(user).filter(pk__in=raster_ids, footprint__isnull=False)
    shapes = [shapely_wkb.loads(bytes(r.footprint.wkb)) for r in footprints if r.footprint is not None]
    if not shapes:
        raise BadQuery("No counting area: draw a region or export features of georeferenced images.")
    return unary_union(shapes)
