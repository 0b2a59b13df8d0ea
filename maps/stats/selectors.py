"""Reads for statistics: resolve a target to visible features and a counting area on the body.

Every query starts from ``segmentation.selectors.features_visible_to`` / ``analysis_for_user`` /
``rasters.selectors.raster_for_user``, so a user never counts a feature of an image they may not see; objects
they may not see are 404. Areas are measured on the body's sphere (``Body.mean_radius_m``), never on Earth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.db.models import PointField
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.db.models import F, Func, Max, QuerySet
from django.http import Http404
from shapely import wkb as shapely_wkb
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from maps.core.stats import FeatureRecord
from maps.stats.errors import InvalidTarget
from maps.stats.targets import Target
from rasters.core.geodesy import polygon_area_km2
from rasters.models import Body, Raster
from rasters.selectors import raster_for_user, rasters_visible_to
from segmentation.models import Analysis, Feature
from segmentation.selectors import analysis_for_user, features_visible_to

# Measures a statistic needs, read in one query (no geometries: they are only needed for the map snapshot).
_FIELDS = (
    "class_name", "reviewed_class", "review_status", "area_km2", "length_km", "orientation_deg",
    "diameter_km", "confidence", "center_lon", "center_lat",
)  # fmt: skip


@dataclass
class Scope:
    """A resolved target: its features (visibility applied), body and counting area."""

    target: Target
    title: str
    body: Body | None
    features: QuerySet[Feature]
    area_km2: float | None
    area_source: str
    analyses: list[Analysis] = field(default_factory=list)
    rasters: list[Raster] = field(default_factory=list)
    region: BaseGeometry | None = None  # lon/lat polygon of a region query

    @property
    def body_name(self) -> str:
        return self.body.name if self.body else "Unknown body"


@dataclass(frozen=True)
class FeatureRow:
    """A feature as statistics see it: the core record plus its centre, for region and crater filters."""

    record: FeatureRecord
    lon: float | None
    lat: float | None


def latest_done_analysis_ids(rasters: QuerySet[Raster]) -> QuerySet[Any]:
    """Ids of the newest finished analysis of each raster, as a subquery: one count per image, never two runs
    added up. Statistics, the region summary and the exports all count by this rule. A manual count (craters
    digitised by hand) is counted when named, never in place of the newest detection."""
    return (
        Analysis.objects.filter(
            raster__in=rasters.values("pk"), status=Analysis.Status.DONE, kind=Analysis.Kind.DETECTION
        )
        .values("raster")
        .annotate(latest=Max("pk"))
        .values("latest")
    )


def latest_done_analyses(rasters: QuerySet[Raster]) -> list[int]:
    """:func:`latest_done_analysis_ids`, evaluated."""
    return list(latest_done_analysis_ids(rasters).values_list("latest", flat=True))


def region_area_km2(region: BaseGeometry, body: Body) -> float:
    """Area of a lon/lat region on the body's sphere, its edges straight in lon/lat.

    Features are selected in lon/lat (a bbox's top follows a parallel), so the counting area is measured the
    same way: a lon/lat box is a spherical zone segment, R² Δλ (sin φ2 − sin φ1). Great-circle edges would cut
    a high-latitude box short (a third of 0-90° E, 60-85° N on Mars).
    """
    return polygon_area_km2(region, body.mean_radius_m, edges="lonlat")


def centres_inside(features: QuerySet[Feature], region: GEOSGeometry) -> QuerySet[Feature]:
    """The features whose centre lies inside ``region`` (lon/lat, SRID 0): the crater-counting rule.

    A crater whose outline only touches the region is not counted, so adjacent regions never share one.
    Features without a centre are left out.
    """
    centre = Func(F("center_lon"), F("center_lat"), function="ST_MakePoint", output_field=PointField(srid=0))
    return features.annotate(counted_centre=centre).filter(counted_centre__within=region)


def _scope_analysis(user: Any, target: Target) -> Scope:
    analysis = analysis_for_user(user, target.pk or 0)
    raster = analysis.raster
    return Scope(
        target=target,
        title=f"Analysis {analysis.pk} of {raster.title}",
        body=raster.body,
        features=features_visible_to(user).filter(analysis=analysis),
        area_km2=raster.footprint_area_km2,
        area_source="image footprint",
        analyses=[analysis],
        rasters=[raster],
    )


def _scope_image(user: Any, target: Target) -> Scope:
    raster = raster_for_user(user, target.pk or 0)
    ids = latest_done_analyses(Raster.objects.filter(pk=raster.pk))
    analyses = list(Analysis.objects.select_related("model_version").filter(pk__in=ids))
    return Scope(
        target=target,
        title=raster.title,
        body=raster.body,
        features=features_visible_to(user).filter(analysis__in=ids),
        area_km2=raster.footprint_area_km2,
        area_source="image footprint",
        analyses=analyses,
        rasters=[raster],
    )


def _union_area(rasters: list[Raster], body: Body) -> float | None:
    from shapely.ops import unary_union

    shapes = [shapely_wkb.loads(bytes(r.footprint.wkb)) for r in rasters if r.footprint is not None]
    if not shapes:
        return None
    return polygon_area_km2(unary_union(shapes), body.mean_radius_m)


def _scope_project(user: Any, target: Target) -> Scope:
    try:
        from collab.access import project_for_user
    except ImportError:  # the collaboration app is optional
        raise Http404("No such project.") from None
    project = project_for_user(user, target.pk or 0)
    rasters_qs = rasters_visible_to(user).filter(project=project).select_related("body")
    rasters = list(rasters_qs)
    bodies = {r.body_id for r in rasters if r.body_id}
    if len(bodies) > 1:
        raise InvalidTarget("This project spans several bodies: use a region query on one body instead.")
    body = next((r.body for r in rasters if r.body), None)
    ids = latest_done_analyses(rasters_qs)
    return Scope(
        target=target,
        title=f"Project {project.name}",
        body=body,
        features=features_visible_to(user).filter(analysis__in=ids),
        area_km2=_union_area(rasters, body) if body else None,
        area_source="union of image footprints",
        analyses=list(Analysis.objects.select_related("model_version").filter(pk__in=ids)),
        rasters=rasters,
    )


def region_geometry(target: Target) -> BaseGeometry:
    """The region's lon/lat polygon, validated (no Earth CRS is attached: SRID 0 on the body)."""
    try:
        geom = shape(target.geometry or {})
    except (ValueError, TypeError, AttributeError, KeyError):
        raise InvalidTarget("geometry must be a GeoJSON Polygon or MultiPolygon in lon/lat degrees.") from None
    if geom.is_empty or not geom.is_valid:
        raise InvalidTarget("The region polygon is empty or self-intersecting.")
    minx, miny, maxx, maxy = geom.bounds
    if miny < -90 or maxy > 90 or minx < -360 or maxx > 360:
        raise InvalidTarget("Region coordinates must be lon/lat degrees.")
    return geom


def _scope_region(user: Any, target: Target) -> Scope:
    body = Body.objects.filter(slug=target.body).first()
    if body is None:
        raise InvalidTarget(f"Unknown body {target.body!r}.")
    geom = region_geometry(target)
    try:
        geos = GEOSGeometry(geom.wkt, srid=0)
    except (GEOSException, ValueError):
        raise InvalidTarget("Unreadable region geometry.") from None
    visible = rasters_visible_to(user).filter(body=body)
    analysis_ids = list(target.analyses) or latest_done_analyses(visible)
    features = features_visible_to(user).filter(body=body, analysis__in=analysis_ids, geom__intersects=geos)
    if target.min_confidence:
        features = features.filter(confidence__gte=target.min_confidence)
    analyses = list(
        Analysis.objects.select_related("model_version", "raster").filter(
            pk__in=analysis_ids, raster__in=visible.values("pk")
        )
    )
    measured = region_area_km2(geom, body)
    return Scope(
        target=target,
        title=target.name or f"Region on {body.name}",
        body=body,
        features=features,
        area_km2=target.area_km2 or measured,
        area_source="stated by the user" if target.area_km2 else f"region polygon on the {body.name} sphere",
        analyses=analyses,
        rasters=sorted({a.raster for a in analyses}, key=lambda r: r.pk),
        region=geom,
    )


def scope_for_target(user: Any, target: Target) -> Scope:
    """Resolve a target for ``user``: 404 for an analysis, image or project they may not see."""
    resolver = {
        "analysis": _scope_analysis,
        "image": _scope_image,
        "project": _scope_project,
        "region": _scope_region,
    }.get(target.kind)
    if resolver is None:
        raise InvalidTarget("Unknown statistics target.")
    return resolver(user, target)


def feature_rows(scope: Scope) -> list[FeatureRow]:
    """The scope's features as plain rows, reviews not yet applied (``maps.core.stats`` applies them).

    A region counts a feature when its centre lies inside the polygon (the crater-counting convention), and
    a class filter applies to the class after review.
    """
    features = scope.features
    if scope.region is not None:
        features = centres_inside(features, GEOSGeometry(memoryview(scope.region.wkb), srid=0))
    wanted = set(scope.target.classes)
    out = []
    for v in features.values_list(*_FIELDS).iterator(chunk_size=5000):
        cls, reviewed, status, area, length, orient, diam, conf, lon, lat = v
        if wanted and (reviewed or cls) not in wanted:
            continue
        # Measures follow the class after review: a diameter belongs to craters, a length and an orientation
        # to linear features, so a crater relabelled as a ridge leaves the diameter histogram (and vice versa).
        if (reviewed or cls) == "crater":
            length = orient = None
        else:
            diam = None
        rec = FeatureRecord(
            class_name=cls, area_km2=area, length_km=length, orientation_deg=orient, diameter_km=diam,
            confidence=conf, review_status=status, relabelled_to=reviewed or None,
        )  # fmt: skip
        out.append(FeatureRow(rec, lon, lat))
    return out


def feature_outlines(scope: Scope, limit: int = 5000) -> list[tuple[str, str, bytes]]:
    """(effective class, review status, geometry WKB) for the map snapshot; pixel outlines for one image.

    Rejected features are left out, as everywhere in statistics.
    """
    single_image = scope.target.kind in ("analysis", "image")
    column = "pixel_geom" if single_image else "geom"
    qs = scope.features.exclude(review_status=Feature.Review.REJECTED).exclude(**{f"{column}__isnull": True})
    rows = []
    for cls, reviewed, status, geom in qs.values_list("class_name", "reviewed_class", "review_status", column)[:limit]:
        rows.append((reviewed or cls, status, bytes(geom.wkb)))
    return rows


def report_for_user(user: Any, job_id: str) -> dict[str, Any]:
    """A report job the user asked for, if they may still see its target; else 404."""
    from maps.stats.services import job_get
    from maps.stats.targets import target_from_dict

    job = job_get(job_id)
    if job is None or job.get("user_id") != getattr(user, "pk", None):
        raise Http404("No such report.")
    scope_for_target(user, target_from_dict(job["target"]))  # access may have been revoked since
    return job
