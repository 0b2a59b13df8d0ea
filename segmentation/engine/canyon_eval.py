"""The canyon scale target, measured on a generated scene (:func:`.terrain_extras.canyon_scene`)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np


def canyon_scores(model: Any, *, size: int = 2048, width: float = 300.0, seed: int = 0) -> dict[str, Any]:
    """Share of the canyon mapped as valley (own level, then fused with the coarser levels), share of the
    plateau called valley, and crater detections (every one is false: the scene has no craters)."""
    import rasterio

    from .inference import segment_raster
    from .instances import crater_instances
    from .multiscale import fuse_level_classes, model_class_index, multiscale_craters
    from .terrain_extras import VALLEY, canyon_scene

    image, truth = canyon_scene(size, width, seed)
    idx = model_class_index(model)
    with tempfile.TemporaryDirectory(prefix="geoplanet-canyon-") as tmp:
        src = Path(tmp) / "scene.tif"
        with rasterio.open(src, "w", driver="GTiff", width=size, height=size, count=1, dtype="uint8") as dst:
            dst.write((image * 255).astype(np.uint8), 1)
        res = segment_raster(src, Path(tmp) / "mask.tif", Path(tmp) / "conf.tif", model,
                             tile=model.card.tile_size, overlap=64, batch_size=4)
        with rasterio.open(res.mask_path) as m, rasterio.open(res.conf_path) as c:
            mask, conf = m.read(1), c.read(1)
        coarse: list[Any] = []
        levels, runs = multiscale_craters(src, model, tile=model.card.tile_size, overlap=64, batch_size=4,
                                          classes_out=coarse)
    canyon = truth == VALLEY
    valley = idx.get("valley", VALLEY)
    own = float((mask[canyon] == valley).mean())
    fuse_level_classes(mask, conf, coarse, idx)
    dets, _ = crater_instances(mask, conf, idx.get("crater", 1))
    level_craters = sum(len(v) for v in levels.values())
    return {
        "canyon_width_px": width, "levels": [r.scale for r in runs],
        "canyon_valley_share_own_level": round(own, 3),
        "canyon_valley_share_fused": round(float((mask[canyon] == valley).mean()), 3),
        "plateau_valley_share": round(float((mask[~canyon] == valley).mean()), 3),
        "craters_own_level": len(dets), "craters_other_levels": level_craters,
        "craters_in_canyon": int(sum(canyon[int(d.cy), int(d.cx)] for d in dets)),
    }
