"""Real-image evaluation, reported before any synthetic figure: craters on the held-out NAC images and on the
global MOLA against Robbins & Hynek (held-out half, volcanoes as known negatives), ridges against Knapmeyer,
and craters on the Moon's WAC global mosaic (an instrument never trained on; its eastern hemisphere held out by
site too) against Head et al. (2010) and the LROC 5-20 km catalogue.

Every set here is kept out of training by observation, site or longitude (see :mod:`.real_sets`,
:data:`.datasets.NAC_HOLDOUT`), and nothing here is tuned on them: thresholds come from training data.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from . import real_sets as rs
from .evaluate import RULES, crater_prf

# NAC hold-out images whose site no training image shares (M180007222 is the next orbit of training image
# M180000082 over the same site); the observation-disjoint split is all of NAC_HOLDOUT
NAC_SITE_DISJOINT: tuple[str, ...] = ("M1155395732", "M1266003170")
RIDGE_BUFFER_PX = 2.0  # ~42 km on the MOLA global: the lines were digitised on 1/64-degree MOLA


def mosaic_features(model: Any, relative: str, *, multiscale: bool = True,
                    light_check: bool = True) -> tuple[list[Any], float]:
    """Features of the shipped pipeline on a global mosaic of ``../shared/data``, and the seconds it took."""
    from .pipeline import segment_file

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="geoplanet-real-") as tmp:
        out = segment_file(rs.data_path(relative), Path(tmp) / "mosaic.geojson", model=model,
                           multiscale=multiscale, light_check=light_check)
    return out.features, time.perf_counter() - t0


def mola_features(model: Any, *, multiscale: bool = True, light_check: bool = True) -> tuple[list[Any], float]:
    """Features of the shipped pipeline on the global MOLA shaded relief, and the seconds it took."""
    return mosaic_features(model, rs.MOLA_GLOBAL, multiscale=multiscale, light_check=light_check)


def crater_array(features: list[Any]) -> np.ndarray:
    rows = [(f.centre[0], f.centre[1], f.diameter_km) for f in features
            if f.class_name == "crater" and f.centre is not None and f.diameter_km is not None]
    return np.array(rows, dtype=np.float64).reshape(-1, 3)


def ridge_scores(features: list[Any], lon_range: tuple[float, float] = rs.HELD_OUT_LON) -> dict[str, float]:
    """Ridge pixels against the Knapmeyer compressional lines on the MOLA grid, both buffered by 2 px.

    Precision: share of predicted ridge pixels within the buffer of a line; recall: share of line pixels within
    the buffer of a predicted ridge; both inside the half and |lat| <= 60.
    """
    import rasterio
    from rasterio.features import rasterize
    from scipy import ndimage
    from shapely.geometry import LineString, mapping

    with rasterio.open(rs.data_path(rs.MOLA_GLOBAL)) as src:
        shape, transform = (src.height, src.width), src.transform
    lines = [mapping(LineString(c)) for c in rs.knapmeyer_lines() if len(c) >= 2]
    truth = rasterize(((g, 1) for g in lines), out_shape=shape, transform=transform, dtype="uint8",
                      all_touched=True).astype(bool)
    ridges = [mapping(f.geometry) for f in features if f.class_name == "ridge" and f.geometry is not None]
    pred = (rasterize(((g, 1) for g in ridges), out_shape=shape, transform=transform, dtype="uint8")
            .astype(bool) if ridges else np.zeros(shape, dtype=bool))
    cols, rows = np.meshgrid(np.arange(shape[1]) + 0.5, np.arange(shape[0]) + 0.5)
    lon, lat = transform * (cols, rows)
    region = rs.in_lon_range(lon, lon_range) & (np.abs(lat) <= 60)
    near_truth = ndimage.distance_transform_edt(~truth) <= RIDGE_BUFFER_PX
    near_pred = ndimage.distance_transform_edt(~pred) <= RIDGE_BUFFER_PX
    n_pred, n_true = int((pred & region).sum()), int((truth & region).sum())
    precision = float((pred & region & near_truth).sum() / n_pred) if n_pred else 0.0
    recall = float((truth & region & near_pred).sum() / n_true) if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pred_px": n_pred, "line_px": n_true}


def nac_detections(model: Any, img: np.ndarray, *, multiscale: bool = True, light_check: bool = True,
                   tile: int = 512, overlap: int = 64, batch_size: int = 4) -> list[Any]:
    """Craters of one grey NAC image as ``segment`` finds them (second view, levels, light check)."""
    dets, _ = _nac_detections(model, img, multiscale=multiscale, light_check=light_check, tile=tile,
                              overlap=overlap, batch_size=batch_size)
    return dets


def _nac_detections(model: Any, img: np.ndarray, *, multiscale: bool, light_check: bool, tile: int,
                    overlap: int, batch_size: int) -> tuple[list[Any], float | None]:
    from .contrast_view import with_view_craters
    from .instances import crater_instances
    from .light import LightInput
    from .multiscale import level_detections, level_scales, merge_levels, read_level
    from .tiling import segment_array

    res = segment_array(img, model, tile=tile, overlap=overlap, batch_size=batch_size, crater_view=True)
    dets = crater_instances(res.mask, res.conf)
    if res.crater_view is not None:
        dets = with_view_craters(dets, res.crater_view)
    if multiscale:
        levels = {}
        for scale in level_scales(img.shape[1], img.shape[0]):
            lum, _ = read_level(_ArraySource(img), scale, None)
            levels[scale] = level_detections(lum, scale, model, tile=tile, overlap=overlap,
                                             batch_size=batch_size, min_area_px=16, aspect_at=None)
        dets = merge_levels({1.0: dets, **levels})
    azimuth = None
    if light_check:
        light = LightInput(img)
        dets, _ = light.check(dets)
        azimuth = light.used_azimuth_deg
    return dets, azimuth


def nac_craters(model: Any, ids: tuple[str, ...], *, multiscale: bool = True, light_check: bool = True,
                tile: int = 512, overlap: int = 64, batch_size: int = 4) -> dict[str, Any]:
    """Crater P/R/F1 per diameter bin on NAC images, under both match rules, as ``segment`` finds them."""
    from .datasets import load_nac

    return nac_image_craters(model, [load_nac(i) for i in ids], multiscale=multiscale, light_check=light_check,
                             tile=tile, overlap=overlap, batch_size=batch_size)


def nac_image_craters(model: Any, images: list[Any], *, multiscale: bool = True, light_check: bool = True,
                      tile: int = 512, overlap: int = 64, batch_size: int = 4) -> dict[str, Any]:
    """Crater P/R/F1 per diameter bin, pooled over labelled NAC images (``datasets.NacImage``)."""
    preds: list[tuple[float, float, float]] = []
    gts: list[tuple[float, float, float]] = []
    azimuths: dict[str, float | None] = {}
    for k, nac in enumerate(images):
        dets, azimuths[nac.image_id] = _nac_detections(model, nac.image.astype(np.float32), multiscale=multiscale,
                                                       light_check=light_check, tile=tile, overlap=overlap,
                                                       batch_size=batch_size)
        off = k * 1e6  # pooled matching never pairs craters across images
        preds += [(d.cx + off, d.cy, d.diameter) for d in dets]
        gts += [(g.cx + off, g.cy, g.diameter) for g in nac.labels]
    return {"ids": [nac.image_id for nac in images], "sun_azimuth_deg": azimuths,
            "bins": {rule: crater_prf(preds, gts, rule=rule) for rule in RULES}}


def nac_extra_craters(model: Any, folder: Path, *, multiscale: bool = True,
                      light_check: bool = True) -> dict[str, Any]:
    """The crops of ``$GEOPLANET_NAC_EXTRA`` in two groups: those of observations no training image shares (held
    out by observation) and those of the training images' own observations (training may read these)."""
    from .datasets import nac_extra_groups

    unseen, seen = nac_extra_groups(folder)
    return {
        "folder": str(folder),
        "new_observations": nac_image_craters(model, unseen, multiscale=multiscale, light_check=light_check),
        "training_observations": nac_image_craters(model, seen, multiscale=multiscale, light_check=light_check),
    }


class _ArraySource:
    """Enough of a rasterio dataset for :func:`.multiscale.read_level` over an in-memory grey image."""

    def __init__(self, image: np.ndarray) -> None:
        self._image = image
        self.count, (self.height, self.width) = 1, image.shape

    def read(self, out_shape: Any = None, resampling: Any = None) -> np.ndarray:
        if out_shape is None:
            return self._image[None]
        from skimage.transform import resize

        return resize(self._image, out_shape[1:], order=1, anti_aliasing=True, preserve_range=True)[None]


def evaluate_real(model: Any, *, multiscale: bool = True, light_check: bool = True) -> dict[str, Any]:
    """Every real-image figure of the model card, with the pipeline's settings."""
    from .datasets import NAC_HOLDOUT, extra_nac_dir

    features, seconds = mola_features(model, multiscale=multiscale, light_check=light_check)
    craters = crater_array(features)
    wac, wac_seconds = mosaic_features(model, rs.MOON_WAC, multiscale=multiscale, light_check=light_check)
    wac_craters = crater_array(wac)
    return {
        "settings": {"multiscale": multiscale, "light_check": light_check},
        "mola": {rule: rs.mola_crater_scores(craters, rs.HELD_OUT_LON, rule) for rule in RULES},
        "mola_training_half": rs.mola_crater_scores(craters, rs.TRAIN_LON),
        "mola_seconds": seconds,
        "ridges": ridge_scores(features),
        "moon_wac_east": {rule: rs.wac_crater_scores(wac_craters, rs.WAC_HELD_OUT_LON, rule) for rule in RULES},
        "moon_wac_seconds": wac_seconds,
        "nac_observation_disjoint": nac_craters(model, NAC_HOLDOUT, multiscale=multiscale, light_check=light_check),
        "nac_site_disjoint": nac_craters(model, NAC_SITE_DISJOINT, multiscale=multiscale, light_check=light_check),
        **({"nac_extra": nac_extra_craters(model, extra, multiscale=multiscale, light_check=light_check)}
           if (extra := extra_nac_dir()) is not None else {}),
    }
