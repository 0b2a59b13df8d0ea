"""File-level pipeline used by the ``segment`` command: raster -> masks -> features -> GeoJSON + crater CSV."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .postprocess import Feature, Georef, extract_features, to_geojson

CSV_HEADER = ("x_px", "y_px", "diameter_px", "lon", "lat", "diameter_km", "confidence")
# mean radii (m) for --body overrides; IAU 2015 values, as PROJ's IAU_2015 spheres
BODY_RADII_M: dict[str, float] = {
    "moon": 1737400.0, "mars": 3396190.0, "mercury": 2440530.0, "venus": 6051800.0,
    "ceres": 470000.0, "vesta": 262700.0, "europa": 1560800.0, "ganymede": 2631200.0, "callisto": 2410300.0,
    "titan": 2575000.0, "enceladus": 252100.0, "io": 1821490.0, "phobos": 11080.0, "deimos": 6200.0,
}


@dataclass
class SegmentOutput:
    """What ``segment_file`` wrote and found."""

    geojson_path: Path
    catalog_path: Path | None
    features: list[Feature]
    body: str
    radius_m: float | None
    model_version: str


def body_from_crs(crs: Any, slug: str | None = None) -> tuple[str, float | None]:
    """Body name and sphere radius: an explicit slug wins, else the CRS ellipsoid (semi-major axis)."""
    if slug:
        key = slug.lower()
        if key not in BODY_RADII_M:
            raise ValueError(f"unknown body {slug!r}; known: {', '.join(sorted(BODY_RADII_M))}")
        return key, BODY_RADII_M[key]
    if crs is None:
        return "unknown", None
    ell = crs.ellipsoid
    name = (ell.name if ell is not None else crs.name) or "unknown"
    return name, (float(ell.semi_major_metre) if ell is not None else None)


def segment_file(
    input_path: str | os.PathLike[str], out_geojson: str | os.PathLike[str], *,
    catalog_csv: str | os.PathLike[str] | None = None, model: Any = None, model_path: str | None = None,
    body: str | None = None, tile: int | None = None, overlap: int = 64, batch_size: int = 4,
    min_area_px: int = 16, progress: Any = None, tta: int | None = None, contrast_view: bool = True,
    multiscale: bool = True, light_check: bool = True, sun_azimuth_deg: float | None = None,
) -> SegmentOutput:
    """Run the (shipped) model on any GeoTIFF or plain image and write features; no database involved.

    ``contrast_view`` also detects craters on a local-contrast copy (see :mod:`.contrast_view`);
    ``multiscale`` at the other pyramid levels of :func:`.multiscale.level_scales`; ``light_check`` drops
    craters lit like domes under the sun (``sun_azimuth_deg``, toward the sun clockwise from up; estimated
    from the image when None).
    """
    import rasterio
    from pyproj import CRS

    from .inference import segment_raster, small_block_cache
    from .weights import load_model

    loaded = model if model is not None else load_model(model_path, tta=tta)
    card = getattr(loaded, "card", None)
    tile = tile or (card.tile_size if card is not None else 512)
    overlap = min(overlap, tile // 4)  # small-tile models: keep the stride useful
    with tempfile.TemporaryDirectory(prefix="geoplanet-seg-") as tmp:
        res = segment_raster(input_path, Path(tmp) / "mask.tif", Path(tmp) / "conf.tif", loaded, tile=tile,
                             overlap=overlap, batch_size=batch_size, progress=progress,
                             dst_crater_view_path=Path(tmp) / "crater-view.tif" if contrast_view else None)
        # postprocessing needs whole-image connectivity; the uint8 rasters are small next to the probabilities
        with small_block_cache(), rasterio.open(res.mask_path) as m, rasterio.open(res.conf_path) as c:
            mask, conf = m.read(1), c.read(1)
            transform = m.transform
        view = None
        if res.crater_view_path is not None:
            with small_block_cache(), rasterio.open(res.crater_view_path) as v:
                view = v.read(1)
    georef = None
    crs = CRS.from_wkt(res.crs_wkt) if res.crs_wkt else None
    name, radius = body_from_crs(crs, body)
    if crs is not None and radius is not None:
        georef = Georef(transform, crs, radius)
    levels = None
    if multiscale:
        from .classes import model_class_index
        from .multiscale import fuse_level_classes, multiscale_craters

        coarse: list[Any] = []
        levels, _ = multiscale_craters(input_path, loaded, tile=tile, overlap=overlap, batch_size=batch_size,
                                       min_area_px=min_area_px, aspect_at=georef.aspect if georef else None,
                                       classes_out=coarse)
        fuse_level_classes(mask, conf, coarse, model_class_index(loaded))
    light = None
    if light_check:
        from .light import light_input_for

        light = light_input_for(input_path, sun_azimuth_deg)
    feats = extract_features(mask, conf, georef=georef, min_area_px=min_area_px, crater_view=view, levels=levels,
                             light=light)
    out = Path(out_geojson)
    out.parent.mkdir(parents=True, exist_ok=True)
    fc = to_geojson(feats, name, res.model_version)
    if crs is not None:
        fc["crs_wkt"] = (georef.geographic_crs.to_wkt() if georef else crs.to_wkt())
    out.write_text(json.dumps(fc, default=_json_default))
    cat = None
    if catalog_csv:
        cat = Path(catalog_csv)
        write_crater_catalog(feats, cat)
    return SegmentOutput(out, cat, feats, name, radius, res.model_version)


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(type(o))


def write_crater_catalog(features: list[Feature], path: Path) -> None:
    """CSV with the exact header ``x_px,y_px,diameter_px,lon,lat,diameter_km,confidence``."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def fmt(v: float | None, nd: int) -> str:
        return "" if v is None else f"{v:.{nd}f}"

    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_HEADER)
        for f in features:
            if f.class_name != "crater" or f.centre_px is None:
                continue
            georef = f.diameter_km is not None and f.centre is not None
            lon, lat = (f.centre if georef and f.centre else (None, None))
            w.writerow([fmt(f.centre_px[0], 2), fmt(f.centre_px[1], 2), fmt(f.diameter_px, 2), fmt(lon, 6),
                        fmt(lat, 6), fmt(f.diameter_km, 4), fmt(f.confidence, 3)])
