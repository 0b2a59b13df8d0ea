"""Real labelled terrain for training, cut from the global mosaics at the pyramid levels inference uses.

- Mars: the global MOLA shaded relief, EASTERN half only (:data:`.real_sets.TRAIN_LON`; the west half is the
  held-out evaluation), with Robbins & Hynek (2012) craters (labelled within 30 degrees of the equator, where
  the catalogue is) and the Knapmeyer (2006) compressional lines as ridges.
- Moon: the global LOLA-derived DEM, shaded here under a random sun (physics the generator already has), WESTERN
  hemisphere only (the eastern one stays out for evaluation on the WAC mosaic), with Head et al. (2010) craters
  of 20 km and up and the LROC 5-20 km catalogue.

A crater is labelled where the mosaic can show it: at least ``VISIBLE_NATIVE_PX`` pixels across at the mosaic's
own resolution and more than the generator's tiny-crater size at the crop's level; smaller catalogued craters
down to ``DONT_CARE_NATIVE_PX`` are "don't care", like the NAC labels under 8 px. Disks are drawn as the small
circles they are on the sphere, stretched by 1/cos(latitude) on the lon/lat grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from .classes import IGNORE_INDEX
from .normalize import robust_percentiles, to_unit
from .real_sets import (
    MOON_RADIUS_KM,
    TRAIN_LON,
    data_path,
    in_lon_range,
    knapmeyer_lines,
    moon_craters,
    robbins_craters,
)
from .synthetic import CRATER, RIDGE, TINY_CRATER_PX, hillshade
from .terrain_extras import cast_shadows

VISIBLE_NATIVE_PX = 3.0
DONT_CARE_NATIVE_PX = 1.5
LEVEL_SCALES: tuple[float, ...] = (1.0, 1.5, 2.0, 3.0, 4.0)
MOON_DEM = "moon/moon_dem_global_IAU2015-30100.tif"
MOON_TRAIN_LON: tuple[float, float] = (-180.0, 0.0)
RIDGE_NATIVE_PX = 0.8  # half-width of a labelled ridge; out to RIDGE_DONT_CARE_PX it is "don't care"
RIDGE_DONT_CARE_PX = 2.0


@dataclass
class GlobalMosaic:
    """A global lon/lat mosaic (row 0 at 90 N, column 0 at 180 W) with its labels, restricted to one half."""

    name: str
    values: np.ndarray  # float32 grey (or heights in metres for a DEM), NaN where nodata
    deg_per_px: float
    radius_km: float
    craters: np.ndarray  # (n, 3) lon east -180..180, lat, diameter km
    lon_range: tuple[float, float]
    label_max_abs_lat: float
    ridge_distance: np.ndarray | None = None  # native px to the nearest ridge line, on the mosaic grid
    is_dem: bool = False
    _lo_hi: tuple[float, float] = field(default=(0.0, 1.0))

    def __post_init__(self) -> None:
        valid = np.isfinite(self.values)
        self._lo_hi = robust_percentiles(np.where(valid, self.values, 0.0).astype(np.float32), valid)

    @property
    def km_per_px(self) -> float:
        """Ground size of a mosaic pixel along a meridian."""
        return float(np.radians(self.deg_per_px) * self.radius_km)

    def window(self, rng: np.random.Generator, tile: int) -> tuple[int, int, float]:
        """A random (first column, first row, level scale) whose crop lies wholly inside the training half."""
        scale = float(rng.choice(LEVEL_SCALES))
        n = self.native_span(tile, scale)
        h, _ = self.values.shape
        col_lo = int(np.ceil((self.lon_range[0] + 180.0) / self.deg_per_px))
        col_hi = int((self.lon_range[1] + 180.0) / self.deg_per_px) - n
        lat_rows = int((90.0 - self.label_max_abs_lat) / self.deg_per_px)
        row_lo, row_hi = max(0, lat_rows - n // 2), min(h - n, h - lat_rows - n // 2)
        c0 = int(rng.integers(col_lo, max(col_lo + 1, col_hi + 1)))
        return c0, int(rng.integers(row_lo, max(row_lo + 1, row_hi))), scale

    @staticmethod
    def native_span(tile: int, scale: float) -> int:
        """Mosaic pixels a crop of ``tile`` level pixels reads, with a margin for interpolation."""
        return int(np.ceil(tile / scale)) + 2

    def crop(self, rng: np.random.Generator, tile: int) -> tuple[np.ndarray, np.ndarray]:
        """A (unit image in [0, 1], class mask) tile at a random level, wholly inside the training half."""
        return self.crop_at(*self.window(rng, tile), tile, rng)

    def crop_at(self, c0: int, r0: int, scale: float, tile: int,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """The tile whose top-left level pixel starts at mosaic pixel (c0, r0), enlarged ``scale`` times."""
        n = self.native_span(tile, scale)
        native = self.values[r0:r0 + n, c0:c0 + n]
        # level pixel centres in native pixel coordinates (grid_mode, as read_level's zoom)
        centres = (np.arange(tile, dtype=np.float64) + 0.5) / scale - 0.5
        yy, xx = np.meshgrid(centres, centres, indexing="ij")
        filled = np.where(np.isfinite(native), native, np.nanmean(native) if np.isfinite(native).any() else 0.0)
        level = ndimage.map_coordinates(filled, [yy, xx], order=1, mode="nearest").astype(np.float32)
        valid = ndimage.map_coordinates(np.isfinite(native).astype(np.float32), [yy, xx], order=0) > 0.5
        unit = self._render(level, scale, rng) if self.is_dem else to_unit(level, *self._lo_hi)
        unit = np.where(valid, unit, 0.0).astype(np.float32)
        lon0 = -180.0 + c0 * self.deg_per_px
        lat0 = 90.0 - r0 * self.deg_per_px
        mask = self._labels(tile, scale, lon0, lat0, r0, c0, yy, xx)
        mask[~valid] = 0
        return unit, mask

    def _render(self, heights_m: np.ndarray, scale: float, rng: np.random.Generator) -> np.ndarray:
        """Shade a DEM crop under a random sun; heights in level pixels, exaggerated like shaded-relief maps."""
        px_m = self.km_per_px * 1000.0 / scale
        dem = heights_m / px_m * rng.uniform(3.0, 12.0)
        azimuth, elevation = rng.uniform(0, 360), rng.uniform(10, 50)
        img = hillshade(dem.astype(np.float32), azimuth, elevation)
        if elevation < 30 and rng.random() < 0.5:
            img = np.where(cast_shadows(dem, azimuth, elevation), img.mean() * 0.05, img)
        img = img + rng.standard_normal(img.shape).astype(np.float32) * rng.uniform(0.0, 0.03)
        lo, hi = np.percentile(img, [1, 99])
        return np.clip((img - lo) / max(float(hi - lo), 1e-6), 0, 1).astype(np.float32)

    def _labels(self, tile: int, scale: float, lon0: float, lat0: float, r0: int, c0: int,
                yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
        mask = np.zeros((tile, tile), dtype=np.uint8)
        if self.ridge_distance is not None:
            dist = ndimage.map_coordinates(self.ridge_distance, [yy + r0, xx + c0], order=1, mode="nearest")
            mask[dist <= RIDGE_DONT_CARE_PX] = IGNORE_INDEX
            mask[dist <= RIDGE_NATIVE_PX] = RIDGE
        span = tile / scale * self.deg_per_px
        c = self.craters
        d_native = c[:, 2] / self.km_per_px
        near = ((c[:, 0] > lon0 - 5 - span) & (c[:, 0] < lon0 + span + 5) & (c[:, 1] < lat0 + 5)
                & (c[:, 1] > lat0 - span - 5) & (d_native >= DONT_CARE_NATIVE_PX))
        rows, cols = np.mgrid[0:tile, 0:tile].astype(np.float64) + 0.5
        # don't-care first, big craters last, so a labelled crater is never covered by a smaller don't-care one
        for lon, lat, d_km in sorted(c[near], key=lambda r: (r[2] / self.km_per_px >= VISIBLE_NATIVE_PX, r[2])):
            r_deg = np.degrees(d_km / 2.0 / self.radius_km)
            ry = r_deg / self.deg_per_px * scale
            rx = ry / max(np.cos(np.radians(lat)), 0.05)
            cx, cy = (lon - lon0) / self.deg_per_px * scale, (lat0 - lat) / self.deg_per_px * scale
            x0, x1 = max(0, int(cx - rx - 1)), min(tile, int(cx + rx + 2))
            y0, y1 = max(0, int(cy - ry - 1)), min(tile, int(cy + ry + 2))
            if x0 >= x1 or y0 >= y1:
                continue
            disk = ((cols[y0:y1, x0:x1] - cx) / rx) ** 2 + ((rows[y0:y1, x0:x1] - cy) / ry) ** 2 <= 1.0
            visible = d_km / self.km_per_px >= VISIBLE_NATIVE_PX and 2 * ry > TINY_CRATER_PX
            sub = mask[y0:y1, x0:x1]
            if visible:
                sub[disk] = CRATER
            else:
                sub[disk & (sub != CRATER)] = IGNORE_INDEX
        lat_rows = lat0 - (yy + 0.5) * self.deg_per_px
        mask[np.abs(lat_rows) > self.label_max_abs_lat] = IGNORE_INDEX
        return mask


def _read_global(relative: str) -> np.ndarray:
    import rasterio

    with rasterio.open(data_path(relative)) as src:
        band = src.read(1).astype(np.float64)
        nodata, scale, offset = src.nodata, src.scales[0], src.offsets[0]
    out = band * scale + offset
    if nodata is not None:
        out[band == nodata] = np.nan
    return out.astype(np.float32)


def _ridge_distance(shape: tuple[int, int], deg_per_px: float, supersample: int = 4) -> np.ndarray:
    """Distance (native px) from each mosaic pixel to the nearest Knapmeyer compressional line."""
    h, w = shape
    fine = np.zeros((h * supersample, w * supersample), dtype=bool)
    for line in knapmeyer_lines():
        for (lo1, la1), (lo2, la2) in zip(line[:-1], line[1:], strict=False):
            steps = int(np.ceil(np.hypot(lo2 - lo1, la2 - la1) / deg_per_px * supersample * 2)) + 1
            t = np.linspace(0.0, 1.0, steps)
            cols = ((lo1 + t * (lo2 - lo1) + 180.0) / deg_per_px * supersample).astype(int)
            rows = ((90.0 - (la1 + t * (la2 - la1))) / deg_per_px * supersample).astype(int)
            ok = (cols >= 0) & (cols < fine.shape[1]) & (rows >= 0) & (rows < fine.shape[0])
            fine[rows[ok], cols[ok]] = True
    dist = ndimage.distance_transform_edt(~fine) / supersample
    # sample at native pixel centres (the fine grid's cell centre nearest each native centre)
    centre = supersample // 2
    return dist[centre::supersample, centre::supersample].astype(np.float32)


def mars_mola_training() -> GlobalMosaic:
    """The MOLA shaded relief's eastern half with Robbins craters and Knapmeyer ridges."""
    from .real_sets import MOLA_GLOBAL

    values = _read_global(MOLA_GLOBAL)
    craters = robbins_craters(10.0)
    craters = craters[in_lon_range(craters[:, 0], TRAIN_LON)]
    deg = 360.0 / values.shape[1]
    return GlobalMosaic("mola-east", values, deg, 3396.19, craters, TRAIN_LON, 30.0,
                        ridge_distance=_ridge_distance(values.shape, deg))


def moon_dem_training() -> GlobalMosaic:
    """The Moon DEM's western hemisphere, shaded per crop, with Head (>= 20 km) and LROC (5-20 km) craters."""
    craters = moon_craters()
    craters = craters[in_lon_range(craters[:, 0], MOON_TRAIN_LON)]
    values = _read_global(MOON_DEM)
    return GlobalMosaic("moon-dem-west", values, 360.0 / values.shape[1], MOON_RADIUS_KM, craters,
                        MOON_TRAIN_LON, 60.0, is_dem=True)
