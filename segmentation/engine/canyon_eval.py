"""The canyon scale target, measured on a generated scene (:func:`.terrain_extras.canyon_scene`)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class CanyonRun:
    """A canyon scene as the default pipeline maps it: the scene, its truth, the fused class mask, the craters."""

    image: np.ndarray
    truth: np.ndarray
    own_mask: np.ndarray  # the image's own level's classes, before the coarser levels' valleys are fused in
    mask: np.ndarray
    levels: list[float]
    candidates: list[Any]  # craters of every level, merged, before the light check
    craters: list[Any]  # after it
    light: Any


def canyon_run(model: Any, *, size: int = 2048, width: float = 300.0, seed: int = 0) -> CanyonRun:
    """Segment a generated canyon scene (:func:`.terrain_extras.canyon_scene`) as ``segment`` does."""
    import rasterio

    from .classes import model_class_index
    from .inference import segment_raster
    from .instances import crater_instances
    from .light import LightInput
    from .multiscale import fuse_level_classes, merge_levels, multiscale_craters
    from .terrain_extras import canyon_scene

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
    own = mask.copy()
    fuse_level_classes(mask, conf, coarse, idx)
    # craters as segment keeps them: every level merged, then the light check (sun estimated, as for a plain
    # image without a label)
    dets = merge_levels({1.0: crater_instances(mask, conf, idx.get("crater", 1)), **levels})
    light = LightInput(image * 255.0)
    checked, _ = light.check(dets)
    return CanyonRun(image, truth, own, mask, [r.scale for r in runs], dets, checked, light)


def canyon_scores(model: Any, *, size: int = 2048, width: float = 300.0, seed: int = 0) -> dict[str, Any]:
    """Share of the canyon mapped as valley (own level, then fused with the coarser levels), share of the
    plateau called valley, and crater detections (every one is false: the scene has no craters)."""
    from .classes import model_class_index
    from .terrain_extras import VALLEY

    run = canyon_run(model, size=size, width=width, seed=seed)
    canyon = run.truth == VALLEY
    valley = model_class_index(model).get("valley", VALLEY)

    def in_canyon(found: list[Any]) -> int:
        return int(sum(canyon[min(int(d.cy), size - 1), min(int(d.cx), size - 1)] for d in found))

    return {
        "canyon_width_px": width, "levels": run.levels,
        "canyon_valley_share_own_level": round(float((run.own_mask[canyon] == valley).mean()), 3),
        "canyon_valley_share_fused": round(float((run.mask[canyon] == valley).mean()), 3),
        "plateau_valley_share": round(float((run.mask[~canyon] == valley).mean()), 3),
        "craters_before_light_check": len(run.candidates),
        "craters_in_canyon_before_light_check": in_canyon(run.candidates),
        "craters": len(run.craters), "craters_in_canyon": in_canyon(run.craters),
        "sun_azimuth_deg_estimated": run.light.used_azimuth_deg,
    }
