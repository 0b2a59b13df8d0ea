"""Mask -> measured vector features (no torch). Craters as instances, valleys/ridges with centre-line length.

Pixel geometry uses continuous pixel coords (pixel (row i, col j) covers [j, j+1) x [i, i+1)). With a
transform, CRS and body radius, geometries are returned in the body's lon/lat and measured on the sphere of
that radius; an Earth CRS is never involved.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage

from .classes import DEFAULT_CLASSES, ClassSpec
from .contrast_view import with_view_craters
from .instances import CraterDetection, crater_instances, ground_crater_instances, unit_confidence
from .light import LightInput

log = logging.getLogger(__name__)

# Craters are reported where a pixel is at least this wide on the ground as it is tall (cos(latitude) on a lon/lat
# grid: within 75.5 degrees of the equator); see :func:`stretched_out`.
MIN_GROUND_ASPECT = 0.25


@dataclass
class Feature:
    """One measured feature; ``*_km`` are None without georeference."""

    class_name: str
    geometry: Any
    pixel_geometry: Any
    confidence: float
    area_px: float
    area_km2: float | None = None
    perimeter_km: float | None = None
    centre: tuple[float, float] | None = None
    centre_px: tuple[float, float] | None = None
    diameter_px: float | None = None
    diameter_km: float | None = None
    length_px: float | None = None
    length_km: float | None = None
    orientation_deg: float | None = None
    # craters: correlation of their shading with a depression's under the scene's sun (see .light); None unchecked
    light_score: float | None = None


@dataclass
class Georef:
    """Pixel -> body lon/lat mapping plus the sphere used for measurements."""

    transform: Any  # affine.Affine
    crs: Any  # pyproj.CRS of the image
    radius_m: float
    geographic_crs: Any = None  # defaults to the same body's east-positive lon/lat (its IAU sphere)

    def __post_init__(self) -> None:
        from pyproj import CRS, Geod

        from rasters.core.geodesy import body_transformer, lonlat_crs_for

        self.crs = CRS.from_user_input(self.crs)
        geo = CRS.from_user_input(self.geographic_crs) if self.geographic_crs is not None else lonlat_crs_for(self.crs)
        self.geographic_crs = geo
        # axes ordered by direction: always_xy leaves west-positive and U/V axes as they are
        self._tr = body_transformer(self.crs, geo)
        self.geod = Geod(a=self.radius_m, b=self.radius_m)
        self.poles_px: dict[float, tuple[float, float]] = {}  # latitude -> (col, row) where the grid has it
        for pole in (90.0, -90.0):
            x, y = self._tr.transform(0.0, pole, errcheck=False, direction="INVERSE")
            if np.isfinite(x) and np.isfinite(y):
                col, row = ~self.transform * (float(x), float(y))
                self.poles_px[pole] = (float(col), float(row))

    def lonlat(self, cols: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Continuous pixel coords -> lon/lat degrees on the body."""
        t = self.transform
        x = t.a * cols + t.b * rows + t.c
        y = t.d * cols + t.e * rows + t.f
        lon, lat = self._tr.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        return np.asarray(lon), np.asarray(lat)

    def geometry(self, geom: Any) -> Any:
        """Transform a pixel-space shapely geometry to continuous lon/lat.

        A feature across the antimeridian keeps continuous longitudes (179.9 -> 180.1, not -179.9), so its
        outline stays a small shape; :func:`rasters.core.geodesy.split_at_antimeridian` then cuts it into
        parts within -180..180.
        """
        import shapely

        def to_lonlat(xy: np.ndarray) -> np.ndarray:
            lon, lat = self.lonlat(xy[:, 0], xy[:, 1])
            if lon.size and np.ptp(lon) > 180.0:
                lon = np.where(lon < 0.0, lon + 360.0, lon)
            return np.column_stack([lon, lat])

        return shapely.transform(geom, to_lonlat)

    def aspect(self, cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Ground width over ground height of the pixels at (cols, rows): cos(latitude) on a lon/lat grid."""
        cols, rows = np.asarray(cols, dtype=float), np.asarray(rows, dtype=float)
        ones, zeros = np.ones_like(cols), np.zeros_like(cols)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = self.steps_km(cols, rows, ones, zeros) / self.steps_km(cols, rows, zeros, ones)
        return np.where(np.isfinite(ratio) & (ratio > 0), ratio, 1.0)

    def row_km(self, cols: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Ground height (km) of the pixels at (cols, rows): the geodesic length of one step down a column."""
        cols = np.asarray(cols, dtype=float)
        return self.steps_km(cols, np.asarray(rows, dtype=float), np.zeros_like(cols), np.ones_like(cols))

    def steps_km(self, cols: np.ndarray, rows: np.ndarray, dcols: np.ndarray, drows: np.ndarray) -> np.ndarray:
        """Geodesic lengths (km) of pixel-space steps (dcols, drows) starting at (cols, rows), vectorised."""
        lon0, lat0 = self.lonlat(cols, rows)
        lon1, lat1 = self.lonlat(cols + dcols, rows + drows)
        _, _, dist = self.geod.inv(lon0, lat0, lon1, lat1)
        return np.asarray(dist, dtype=float) / 1000.0

    def step_km(self, col: float, row: float, dcol: float, drow: float) -> float:
        """Geodesic length (km) of one pixel-space step starting at (col, row)."""
        return float(self.steps_km(np.array([col]), np.array([row]), np.array([dcol]), np.array([drow]))[0])


def _skeleton_edges(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (row, col) of each step of an 8-connected skeleton, shape (n, 2) each.

    A diagonal step is skipped when an L-shaped 4-connected path spans the same two pixels, so corners are
    not counted twice.
    """
    p = np.pad(s, 1)
    c = p[1:-1, 1:-1]
    steps = (
        (c & p[1:-1, 2:], (0, 1)),
        (c & p[2:, 1:-1], (1, 0)),
        (c & p[2:, 2:] & ~(p[1:-1, 2:] | p[2:, 1:-1]), (1, 1)),
        (c & p[2:, :-2] & ~(p[1:-1, :-2] | p[2:, 1:-1]), (1, -1)),
    )
    starts = [np.argwhere(hit) for hit, _ in steps]
    ends = [a + np.array(off) for a, (_, off) in zip(starts, steps, strict=True)]
    return np.concatenate(starts).reshape(-1, 2), np.concatenate(ends).reshape(-1, 2)


def _skeleton_ends(s: np.ndarray) -> np.ndarray:
    nb = ndimage.convolve(s.astype(np.uint8), np.ones((3, 3), np.uint8), mode="constant") - 1
    return s & (nb == 1)


def skeleton_length(skel: np.ndarray, dist: np.ndarray | None = None) -> float:
    """Graph length of an 8-connected skeleton; ends are extended by the distance to the component edge.

    Diagonal steps count sqrt(2), but a diagonal is skipped when an L-shaped 4-connected path spans the same
    two pixels, so corners are not counted twice.
    """
    s = skel.astype(bool)
    a, b = _skeleton_edges(s)
    length = float(np.hypot(*(b - a).T).sum()) if len(a) else 0.0
    if dist is not None and s.any():
        length += float(dist[_skeleton_ends(s)].sum())
    elif s.sum() == 1:
        length = 1.0
    return float(length)


def skeleton_length_km(skel: np.ndarray, dist: np.ndarray, origin: tuple[int, int], georef: Georef) -> float:
    """:func:`skeleton_length` measured on the body: each step is a geodesic between pixel centres, and an
    end's extension uses the ground size of a pixel where it is. ``origin`` is (row, col) of ``skel[0, 0]``."""
    s = skel.astype(bool)
    a, b = _skeleton_edges(s)
    r0, c0 = origin
    km = 0.0
    if len(a):
        lon_a, lat_a = georef.lonlat(a[:, 1] + c0 + 0.5, a[:, 0] + r0 + 0.5)
        lon_b, lat_b = georef.lonlat(b[:, 1] + c0 + 0.5, b[:, 0] + r0 + 0.5)
        _, _, metres = georef.geod.inv(lon_a, lat_a, lon_b, lat_b)
        km = float(np.asarray(metres).sum()) / 1000.0
    ends = np.argwhere(_skeleton_ends(s))
    if len(ends):
        # an end's one neighbour, found in its 3x3 neighbourhood; the extension continues from it through the end
        padded = np.pad(s, 1)
        toward = np.zeros_like(ends)
        for dr, dc in ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)):
            hit = padded[ends[:, 0] + 1 + dr, ends[:, 1] + 1 + dc] & ~toward.any(1)
            toward[hit] = (dr, dc)
        away = -toward / np.hypot(toward[:, 0], toward[:, 1])[:, None]
        cols, rows = ends[:, 1] + c0 + 0.5, ends[:, 0] + r0 + 0.5
        step = georef.steps_km(cols, rows, away[:, 1], away[:, 0])
        # a step from a pole row toward the pole leaves the body (NaN): the step back is the same pixel's size
        back = ~np.isfinite(step)
        if back.any():
            step[back] = georef.steps_km(cols[back], rows[back], -away[back, 1], -away[back, 0])
        km += float((dist[ends[:, 0], ends[:, 1]] * np.nan_to_num(step, nan=0.0)).sum())
    elif not len(a) and s.sum() == 1:
        km = float(np.sqrt(georef.step_km(c0 + 0.5, r0 + 0.5, 1, 0) * georef.step_km(c0 + 0.5, r0 + 0.5, 0, 1)))
    return km


def principal_orientation(rows: np.ndarray, cols: np.ndarray) -> float:
    """Principal-axis angle in degrees [0, 180) clockwise from north (image up)."""
    if rows.size < 2:
        return 0.0
    cov = np.cov(np.vstack([cols - cols.mean(), rows - rows.mean()]))
    w, v = np.linalg.eigh(cov)
    vx, vy = v[:, int(np.argmax(w))]
    return float(np.degrees(np.arctan2(vx, -vy)) % 180.0)


def _component_polygon(region: np.ndarray, r0: int, c0: int, simplify_px: float) -> Any:
    import shapely
    from rasterio.features import shapes
    from shapely.geometry import shape

    polys = [shape(g) for g, v in shapes(region.astype(np.uint8), mask=region) if v == 1]
    geom = shapely.union_all(polys) if len(polys) > 1 else polys[0]
    geom = shapely.affinity.translate(geom, c0, r0)
    return geom.simplify(simplify_px, preserve_topology=True) if simplify_px > 0 else geom


def extract_features(
    mask: np.ndarray, conf: np.ndarray | None = None, *,
    classes: tuple[ClassSpec, ...] | list[ClassSpec] = DEFAULT_CLASSES,
    georef: Georef | None = None, min_area_px: int = 16, simplify_px: float = 0.75,
    crater_view: np.ndarray | None = None, levels: dict[float, list[CraterDetection]] | None = None,
    light: LightInput | None = None,
) -> list[Feature]:
    """Vectorise and measure every crater instance and every valley/ridge component of ``mask``.

    ``conf`` is float in [0, 1] or uint8 in [0, 255]. Specks under ``min_area_px`` are dropped.
    ``crater_view`` (same scales) is the second view's crater confidence; its craters join the mask's
    through :func:`contrast_view.with_view_craters`, so craters nested in bigger ones are found too.
    ``levels`` are the crater detections of other pyramid levels (:mod:`.multiscale`), merged with these.
    ``light`` (the image's luminance and sun) checks every crater's shading (:mod:`.light`): those lit like
    domes, filled by a cast shadow or bright from edge to edge (a sunlit face) are dropped, and with
    ``georef`` also those of edifice size whose middle stands above their surroundings or with no bowl's
    shading under them; the others keep their score.
    """
    import shapely
    from shapely.geometry import Point
    from skimage.morphology import skeletonize

    feats: list[Feature] = []
    by_name = {c.name: c.index for c in classes}
    if "crater" in by_name:
        # on a georeferenced grid craters are split and fitted where pixels are square on the ground
        aspect = georef.aspect if georef is not None else None
        if aspect is not None:
            dets = ground_crater_instances(mask, conf, by_name["crater"], min_area_px, aspect)
        else:
            dets = crater_instances(mask, conf, by_name["crater"], min_area_px=min_area_px)
        if crater_view is not None:
            dets = with_view_craters(dets, crater_view, min_area_px=min_area_px, aspect_at=aspect)
        if aspect is not None:
            # before the merge, so a detection left out never stands in for one of the same crater that is kept
            dets = stretched_out(dets, aspect)
            levels = {scale: stretched_out(found, aspect) for scale, found in (levels or {}).items()}
        if levels:
            from .multiscale import merge_levels

            dets = merge_levels({1.0: dets, **levels})
        scores: list[float | None] = [None] * len(dets)
        if light is not None:
            dets, scores = light.check(dets, aspect, georef.row_km if georef is not None else None)
        for d, score in zip(dets, scores, strict=True):
            pix = Point(d.cx, d.cy).buffer(d.diameter / 2.0, quad_segs=16)
            if d.aspect != 1.0:
                pix = shapely.affinity.scale(pix, xfact=1.0 / d.aspect, yfact=1.0, origin=(d.cx, d.cy))
            f = Feature("crater", pix, pix, d.confidence, float(d.area_px), centre=(d.cx, d.cy),
                        centre_px=(d.cx, d.cy), diameter_px=d.diameter, light_score=score)
            feats.append(f)
    for name in ("valley", "ridge"):
        if name not in by_name:
            continue
        binary = mask == by_name[name]
        comp, _ = ndimage.label(binary, structure=np.ones((3, 3)))
        for lab, sl in enumerate(ndimage.find_objects(comp), start=1):
            if sl is None:
                continue
            region = comp[sl] == lab
            area = int(region.sum())
            if area < min_area_px:
                continue
            dist = ndimage.distance_transform_edt(np.pad(region, 1))[1:-1, 1:-1]
            skel = skeletonize(region)
            rows, cols = np.nonzero(skel)
            orient = principal_orientation(rows.astype(float), cols.astype(float))
            pix = _component_polygon(region, sl[0].start, sl[1].start, simplify_px)
            c = float(unit_confidence(conf[sl])[region].mean()) if conf is not None else 1.0
            cen = pix.centroid
            feat = Feature(name, pix, pix, c, float(area), centre=(cen.x, cen.y), centre_px=(cen.x, cen.y),
                           length_px=skeleton_length(skel, dist), orientation_deg=orient)
            if georef is not None:
                feat.length_km = skeleton_length_km(skel, dist, (sl[0].start, sl[1].start), georef)
            feats.append(feat)
    if georef is not None:
        for f in feats:
            _georeference(f, georef, shapely)
        kept = [f for f in feats if on_the_body(f)]
        if len(kept) < len(feats):
            log.info("dropped %d features past a pole of the grid", len(feats) - len(kept))
        feats = kept
    return feats


def stretched_out(dets: list[CraterDetection], aspect_at: Any) -> list[CraterDetection]:
    """The crater detections where the grid's pixels are at least :data:`MIN_GROUND_ASPECT` as wide as tall.

    On a lon/lat grid a round crater spans 1/cos(latitude) times as many columns as rows: over four times beyond
    75.5 degrees. The network learnt craters on grids stretched at most about 1.3 times (the training mosaics'
    labels stop at 30 degrees; the synthetic scenes are square), and on the global MOLA image 1 of its 16
    detections of 60 km and more beyond 75.5 degrees lay on an IAU-named crater, against 31-40% nearer the
    equator. A polar region is mapped from a polar (stereographic) grid, where its pixels are square.
    """
    if not dets:
        return dets
    cx = np.array([d.cx for d in dets], dtype=float)
    cy = np.array([d.cy for d in dets], dtype=float)
    wide = np.asarray(aspect_at(cx, cy), dtype=float) >= MIN_GROUND_ASPECT
    if not wide.all():
        log.info("dropped %d craters where the grid stretches them over %g times", int((~wide).sum()),
                 1 / MIN_GROUND_ASPECT)
    return [d for d, ok in zip(dets, wide, strict=True) if ok]


def on_the_body(f: Feature) -> bool:
    """Whether a georeferenced feature's outline lies within latitudes -90..90 and its area, perimeter and
    diameter are finite.

    On a lon/lat grid a pixel has no width at the pole rows, so a crater fitted there is a circle stretched
    across every column, reaching past the pole (latitude 90.2 in the global MOLA image) with no area that
    can be measured. Such a feature is not kept: its outline would be stored off the body, its diameter NaN.
    """
    _, miny, _, maxy = f.geometry.bounds
    measured = (f.area_km2, f.perimeter_km, f.diameter_km)
    return -90.0 - 1e-9 <= miny and maxy <= 90.0 + 1e-9 and all(v is None or math.isfinite(v) for v in measured)


def _georeference(f: Feature, g: Georef, shapely: Any) -> None:
    """Fill lon/lat geometry and spherical measurements of one feature."""
    from rasters.core.geodesy import polar_cap, split_at_antimeridian

    geom = g.geometry(f.pixel_geometry)
    f.geometry = split_at_antimeridian(geom)
    for pole, (col, row) in g.poles_px.items():
        if not f.pixel_geometry.contains(shapely.Point(col, row)):
            continue
        # a ring around the pole is a cap in lon/lat, closed along the pole (its uncut outline is no polygon);
        # other parts of a multipart feature are cut at the antimeridian as usual
        parts = []
        for part in getattr(f.pixel_geometry, "geoms", [f.pixel_geometry]):
            lonlat = g.geometry(part)
            if part.contains(shapely.Point(col, row)):
                lon, lat = np.asarray(lonlat.exterior.coords).T
                parts.append(polar_cap(lon[:-1], lat[:-1], north=pole > 0))
            else:
                parts.append(split_at_antimeridian(lonlat))
        f.geometry = shapely.union_all(parts)
    # measured on the uncut outline: the cut along the antimeridian is not part of the perimeter
    area_m2, perim_m = g.geod.geometry_area_perimeter(geom)
    f.area_km2, f.perimeter_km = abs(area_m2) / 1e6, perim_m / 1000.0
    if f.centre_px is not None:
        lon, lat = g.lonlat(np.array([f.centre_px[0]]), np.array([f.centre_px[1]]))
        f.centre = over_the_pole(float(lon[0]), float(lat[0]))
    if f.diameter_px is not None:
        f.diameter_km = 2.0 * float(np.sqrt(f.area_km2 / np.pi))  # equal-area diameter of the small circle


def over_the_pole(lon: float, lat: float) -> tuple[float, float]:
    """A point of a lon/lat grid read past a pole (a crater's fitted centre just beyond a global map's edge) as
    the point it is on the sphere: latitude -90.3 is -89.7 on the opposite meridian. Longitude in -180..180."""
    if lat > 90.0:
        lat, lon = 180.0 - lat, lon + 180.0
    elif lat < -90.0:
        lat, lon = -180.0 - lat, lon + 180.0
    if not -180.0 <= lon <= 180.0:
        lon = (lon + 180.0) % 360.0 - 180.0
    return lon, lat


def to_geojson(features: list[Feature], body_name: str, model_version: str | None = None) -> dict[str, Any]:
    """GeoJSON FeatureCollection; coordinates are body lon/lat (or pixels when not georeferenced).

    A GeoJSON reader assumes Earth WGS84 without a CRS member, so the body is named explicitly.
    """
    from shapely.geometry import mapping

    out = []
    for f in features:
        props = {k: v for k, v in f.__dict__.items() if k not in ("geometry", "pixel_geometry")}
        props["centre"] = list(f.centre) if f.centre else None
        props["centre_px"] = list(f.centre_px) if f.centre_px else None
        out.append({"type": "Feature", "geometry": mapping(f.geometry), "properties": props})
    fc: dict[str, Any] = {"type": "FeatureCollection", "body": body_name, "features": out}
    if model_version:
        fc["model_version"] = model_version
    return fc
