"""Draw a model's detections over the real images, for the model card.

    .venv/bin/python scripts/render_detections.py --model segmentation/weights/<weights>.pt --out DIR

Writes, for the weights' version V:
- ``V_mola.jpg``: the global MOLA shaded relief (2x), detected craters >= 60 km (red circles), valleys (blue)
  and ridges (yellow) outlines, Robbins & Hynek >= 150 km within 28 degrees (cyan), the shield volcanoes'
  edifices (yellow dashes); the held-out west half is left of the white meridian.
- ``V_wac.jpg``: the Moon's WAC mosaic (2x), detected craters >= 32 km (red), Head + LROC >= 80 km (cyan);
  the held-out east half is right of the meridian.
- ``V_nac_<id>.jpg``: each held-out NAC image, detections (red) and hand labels >= 10 px (cyan); with
  ``--only nac-extra``, the same for each crop of ``$GEOPLANET_NAC_EXTRA`` of an observation never trained on.
The default pipeline draws them (multi-scale, light check, second view).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if TYPE_CHECKING:
    from segmentation.engine.datasets import NacImage

RED, CYAN, YELLOW, BLUE, WHITE = (235, 60, 40), (40, 220, 235), (250, 210, 40), (70, 140, 255), (255, 255, 255)


def _grey(path: Path, zoom: int) -> tuple[Image.Image, object]:
    import rasterio

    with rasterio.open(path) as src:
        band = src.read(1).astype(np.float32)
        transform = src.transform
    lo, hi = np.percentile(band[band > 0], [1, 99]) if (band > 0).any() else (0, 1)
    img = Image.fromarray((np.clip((band - lo) / max(hi - lo, 1e-6), 0, 1) * 255).astype(np.uint8)).convert("RGB")
    return img.resize((img.width * zoom, img.height * zoom), Image.Resampling.BILINEAR), transform


def _lonlat_to_px(lon: float, lat: float, width: int, height: int) -> tuple[float, float]:
    return (lon + 180.0) / 360.0 * width, (90.0 - lat) / 180.0 * height


def _circle(draw: ImageDraw.ImageDraw, x: float, y: float, rx: float, ry: float, colour: tuple[int, int, int],
            width: int = 2) -> None:
    draw.ellipse([x - rx, y - ry, x + rx, y + ry], outline=colour, width=width)


def _ring(draw: ImageDraw.ImageDraw, lon: float, lat: float, d_km: float, radius_km: float, size: tuple[int, int],
          colour: tuple[int, int, int], width: int = 2) -> None:
    x, y = _lonlat_to_px(lon, lat, *size)
    ry = np.degrees(d_km / 2 / radius_km) / 180.0 * size[1]
    _circle(draw, x, y, ry / max(np.cos(np.radians(lat)), 0.05), ry, colour, width)


def _outline(draw: ImageDraw.ImageDraw, geom: object, size: tuple[int, int], colour: tuple[int, int, int]) -> None:
    polys = getattr(geom, "geoms", [geom])
    for poly in polys:
        ring = getattr(poly, "exterior", None)
        if ring is None:
            continue
        draw.line([_lonlat_to_px(x, y, *size) for x, y in ring.coords], fill=colour, width=1)


def render_mosaic(model: object, which: str, out: Path) -> Path:
    """The MOLA ("mola") or WAC ("wac") global mosaic with detections and the catalogue."""
    from segmentation.engine import real_sets as rs
    from segmentation.engine.real_eval import mosaic_features

    relative = rs.MOLA_GLOBAL if which == "mola" else rs.MOON_WAC
    radius = rs.MARS_RADIUS_KM if which == "mola" else rs.MOON_RADIUS_KM
    img, _ = _grey(rs.data_path(relative), 2)
    size = img.size
    draw = ImageDraw.Draw(img)
    features, _ = mosaic_features(model, relative)
    if which == "mola":
        for f in features:
            if f.class_name in ("valley", "ridge") and f.geometry is not None:
                _outline(draw, f.geometry, size, BLUE if f.class_name == "valley" else YELLOW)
        ref = rs.robbins_craters(rs.MOLA_MIN_D_KM)
        ref = ref[np.abs(ref[:, 1]) <= rs.MOLA_MAX_ABS_LAT]
        for v in rs.VOLCANOES:
            _ring(draw, v.lon, v.lat, 2 * v.radius_km, radius, size, YELLOW, 1)
        min_det = rs.MOLA_DONT_CARE_D_KM
    else:
        ref = rs.moon_craters(rs.WAC_MIN_D_KM)
        ref = ref[np.abs(ref[:, 1]) <= rs.WAC_MAX_ABS_LAT]
        min_det = rs.WAC_DONT_CARE_D_KM
    for lon, lat, d in ref:
        _ring(draw, lon, lat, d, radius, size, CYAN, 2)
    for f in features:
        if f.class_name == "crater" and f.centre is not None and (f.diameter_km or 0) >= min_det:
            _ring(draw, f.centre[0], f.centre[1], f.diameter_km or 0, radius, size, RED, 2)
    x0, _ = _lonlat_to_px(0.0, 0.0, *size)
    draw.line([(x0, 0), (x0, size[1])], fill=WHITE, width=1)
    path = out / f"{model.version}_{which}.jpg"  # type: ignore[attr-defined]
    img.save(path, quality=85)
    return path


def render_nac(model: object, nac: NacImage, out: Path) -> Path:
    """One held-out NAC image or crop with the default pipeline's craters and the hand labels."""
    from segmentation.engine.real_eval import nac_detections

    dets = nac_detections(model, nac.image.astype(np.float32))
    img = Image.fromarray(nac.image).convert("RGB")
    draw = ImageDraw.Draw(img)
    for g in nac.labels:
        if g.diameter >= 10:
            _circle(draw, g.cx, g.cy, g.diameter / 2, g.diameter / 2, CYAN, 1)
    for d in dets:
        _circle(draw, d.cx, d.cy, d.diameter / 2, d.diameter / 2, RED, 1)
    path = out / f"{model.version}_nac_{nac.image_id}.jpg"  # type: ignore[attr-defined]
    img.save(path, quality=85)
    return path


def main(argv: list[str] | None = None) -> int:
    """CLI."""
    from segmentation.engine.datasets import NAC_HOLDOUT, extra_nac_dir, load_nac, nac_extra_groups
    from segmentation.engine.weights import load_model

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True)
    p.add_argument("--out", default="segmentation/weights/figures")
    p.add_argument("--only", choices=("mola", "wac", "nac", "nac-extra"), action="append",
                   help="nac-extra: the crops of $GEOPLANET_NAC_EXTRA of observations never trained on")
    args = p.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model = load_model(args.model, "cpu")
    todo = args.only or ["mola", "wac", "nac"]
    for which in ("mola", "wac"):
        if which in todo:
            print(render_mosaic(model, which, out), flush=True)
    if "nac" in todo:
        for image_id in NAC_HOLDOUT:
            print(render_nac(model, load_nac(image_id), out), flush=True)
    if "nac-extra" in todo:
        folder = extra_nac_dir()
        if folder is None:
            p.error("nac-extra needs $GEOPLANET_NAC_EXTRA")
        for crop in nac_extra_groups(folder)[0]:
            print(render_nac(model, crop, out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
