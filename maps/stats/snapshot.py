"""A map snapshot for reports, drawn by matplotlib (no browser): the image thumbnail with feature outlines.

For one image the outlines are the features' pixel geometries scaled onto the thumbnail. A region or project
is drawn in the body's lon/lat degrees (x stretched by 1/cos(latitude) so shapes are not squashed), with the
region boundary, since several images with different grids cannot share one thumbnail.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.image as mpimg
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from shapely import wkb
from shapely.geometry.base import BaseGeometry

from maps.core.plots import figure_bytes, new_figure
from maps.stats.selectors import Scope, feature_outlines

CLASS_COLOURS = {"crater": "#e8443a", "valley": "#2f7fe0", "ridge": "#33b34a"}
OTHER_COLOUR = "#e0a000"


def _rings(geom: BaseGeometry) -> list[list[tuple[float, float]]]:
    if geom.geom_type == "Polygon":
        return [list(geom.exterior.coords), *[list(i.coords) for i in geom.interiors]]  # type: ignore[attr-defined]
    if geom.geom_type in ("LineString", "LinearRing"):
        return [list(geom.coords)]
    if hasattr(geom, "geoms"):
        return [ring for part in geom.geoms for ring in _rings(part)]  # type: ignore[attr-defined]
    return []


def _draw_outlines(ax: Axes, outlines: list[tuple[str, str, bytes]], sx: float, sy: float) -> set[str]:
    seen = set()
    for cls, _status, raw in outlines:
        colour = CLASS_COLOURS.get(cls, OTHER_COLOUR)
        seen.add(cls)
        for ring in _rings(wkb.loads(raw)):
            xs = [x * sx for x, _ in ring]
            ys = [y * sy for _, y in ring]
            ax.plot(xs, ys, color=colour, lw=0.7)
    return seen


def _legend(ax: Axes, classes: set[str]) -> None:
    if classes:
        handles = [Line2D([], [], color=CLASS_COLOURS.get(c, OTHER_COLOUR), lw=2, label=c) for c in sorted(classes)]
        ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.8)


def image_snapshot(scope: Scope) -> bytes | None:
    """PNG of the image's thumbnail with its feature outlines, or None when there is no thumbnail."""
    raster = scope.rasters[0] if scope.rasters else None
    if raster is None or not Path(raster.thumbnail_path).exists():
        return None
    thumb = mpimg.imread(str(raster.thumbnail_path), format="png")
    h, w = thumb.shape[:2]
    fig = new_figure(6.0, 6.0 * h / max(w, 1))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(thumb, cmap="gray", extent=(0, w, h, 0), interpolation="bilinear")
    classes = _draw_outlines(ax, feature_outlines(scope), w / raster.width, h / raster.height)
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)
    ax.set_axis_off()
    _legend(ax, classes)
    return figure_bytes(fig, "png", dpi=120)


def region_snapshot(scope: Scope) -> bytes:
    """PNG of the region on the body's lon/lat grid: boundary, image footprints and feature outlines."""
    fig = new_figure(6.0, 5.0)
    ax = fig.add_subplot(1, 1, 1)
    for raster in scope.rasters:
        if raster.footprint is not None:
            for ring in _rings(wkb.loads(bytes(raster.footprint.wkb))):
                ax.plot(*zip(*ring, strict=True), color="0.6", lw=0.6, ls="--")
    classes = _draw_outlines(ax, feature_outlines(scope), 1.0, 1.0)
    if scope.region is not None:
        for ring in _rings(scope.region):
            ax.plot(*zip(*ring, strict=True), color="black", lw=1.2)
        minx, miny, maxx, maxy = scope.region.bounds
        pad = 0.05 * max(maxx - minx, maxy - miny, 1e-6)
        ax.set_xlim(minx - pad, maxx + pad)
        ax.set_ylim(miny - pad, maxy + pad)
        mid = math.radians((miny + maxy) / 2)
        ax.set_aspect(1 / max(math.cos(mid), 0.05))
    ax.set_xlabel(f"Longitude [° east, {scope.body_name}]")
    ax.set_ylabel("Latitude [°]")
    ax.grid(True, color="0.92", lw=0.5)
    _legend(ax, classes)
    return figure_bytes(fig, "png", dpi=120)


def snapshot(scope: Scope) -> bytes | None:
    """The right snapshot for the scope's kind."""
    if scope.target.kind in ("analysis", "image"):
        return image_snapshot(scope)
    return region_snapshot(scope)
