"""Procedural planetary terrain with exact masks: craters, valleys, wrinkle ridges / lobate scarps (numpy+scipy).

Order of events follows relative age: tectonic ridges first, then fluvial valleys, then craters superposed on
both (younger craters partly erase what was there). Heights are in pixel units; the orbital image is a
Lambertian hillshade of the DEM under a random sun, times albedo, plus noise and blur.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from .classes import IGNORE_INDEX
from .terrain_extras import (
    add_canyon,
    add_domes_and_knobs,
    add_mesa,
    add_shield_volcano,
    add_texture_patch,
    cast_shadows,
    product_tones,
)

BACKGROUND, CRATER, VALLEY, RIDGE = 0, 1, 2, 3
TINY_CRATER_PX = 8.0  # craters with D <= 8 px are "don't care", like the NAC labels


@dataclass(frozen=True)
class CraterInstance:
    """A crater as drawn: centre (pixel coords, pixel centres at i + 0.5) and rim diameter in pixels."""

    cx: float
    cy: float
    diameter: float


@dataclass
class SyntheticSample:
    """One generated tile: image in [0, 1], class mask (255 = ignore), the DEM and crater instances."""

    image: np.ndarray
    mask: np.ndarray
    dem: np.ndarray
    craters: list[CraterInstance] = field(default_factory=list)
    render: str = "hillshade"
    stretch: tuple[float, float] = (0.0, 1.0)  # the (1st, 99th) percentiles that mapped the image to [0, 1]
    noise_scale: float = 0.0  # std of the added sensor noise


@dataclass(frozen=True)
class SynthConfig:
    """Knobs of the generator; defaults give a mix resembling lunar/martian orbital images."""

    min_crater_d: float = 5.0
    max_crater_frac: float = 0.6
    crater_count: tuple[int, int] = (8, 90)
    transition_d: float = 40.0  # simple -> complex transition (px at the drawn scale)
    p_valley: float = 0.5
    p_ridge: float = 0.5
    p_dem_output: float = 0.08
    # what real images hold besides the three classes (:mod:`.terrain_extras`); 0 draws nothing, so a config
    # that leaves them off keeps every earlier tile bit for bit (the held-out synthetic set is one)
    scale_range: tuple[float, float] = (0.6, 1.6)
    p_canyon: float = 0.0
    p_negative: float = 0.0  # per kind: shield volcano, domes/knobs, mesa, dunes or layered terrain
    p_cast_shadow: float = 0.0  # at sun elevations under 35 degrees
    p_product: float = 0.0


# The training mix since v3: canyons, hard negatives, cast shadows, real-product tones, sizes over 2 decades.
REALISTIC = SynthConfig(scale_range=(0.4, 3.0), p_canyon=0.2, p_negative=0.25, p_cast_shadow=0.6, p_product=0.7)
# Half as often: the second stage of the CPU run (v4), which rehearses the plain tiles the v3 stage drifted from.
MIXED = SynthConfig(scale_range=(0.5, 2.2), p_canyon=0.1, p_negative=0.12, p_cast_shadow=0.3, p_product=0.35)


def _fractal_noise(rng: np.random.Generator, size: int, beta: float) -> np.ndarray:
    """Gaussian random field with power spectrum ~ f^-beta, zero mean, unit std."""
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    f = np.sqrt(fx * fx + fy * fy)
    f[0, 0] = 1.0
    spec = (rng.standard_normal(f.shape) + 1j * rng.standard_normal(f.shape)) * f ** (-beta / 2)
    spec[0, 0] = 0
    field_ = np.fft.irfft2(spec, s=(size, size)).astype(np.float32)
    return field_ / (field_.std() + 1e-8)


def _crater_profile(r: np.ndarray, d: float, rng: np.random.Generator, complex_: bool) -> np.ndarray:
    """Radial height profile in units of D: bowl or flat floor + central peak + terraces, rim, ejecta."""
    depth = 0.2 if not complex_ else 0.2 * (d / 40.0) ** -0.5  # complex craters are relatively shallower
    depth = float(np.clip(depth, 0.06, 0.2))
    rim = 0.04 if not complex_ else 0.03
    inside = -depth + (depth + rim) * r**2
    if complex_:
        floor_r = 0.45
        wall = np.clip((r - floor_r) / (1 - floor_r), 0, 1)
        n_terr = int(rng.integers(2, 5))
        terraced = np.floor(wall * n_terr) / n_terr * 0.35 + wall * 0.65  # stepped walls: slumped terraces
        inside = -depth + (depth + rim) * terraced
        inside += 0.5 * depth * np.exp(-((r / 0.12) ** 2))  # central peak
    outside = rim * np.clip(r, 1, None) ** -3.0  # ejecta blanket thins as r^-3
    return np.where(r < 1.0, inside, outside).astype(np.float32)


def _add_craters(
    dem: np.ndarray, mask: np.ndarray, rng: np.random.Generator, cfg: SynthConfig, scale: float
) -> list[CraterInstance]:
    size = dem.shape[0]
    dmin = cfg.min_crater_d
    dmax = max(dmin * 1.5, cfg.max_crater_frac * size * scale)
    n = int(rng.integers(*cfg.crater_count))
    # N(>D) ~ D^-2  =>  D = dmin * u^(-1/2), truncated at dmax
    u = rng.uniform((dmax / dmin) ** -2, 1.0, n)
    diam = dmin * u**-0.5
    if rng.random() < 0.5:  # make sure large, learnable craters appear often
        diam = np.append(diam, rng.uniform(20, min(dmax, 0.7 * size)))
    rng.shuffle(diam)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    out: list[CraterInstance] = []
    for d in diam:
        cx, cy = rng.uniform(-0.1 * size, 1.1 * size, 2)
        reach = 2.5 * d / 2
        x0, x1 = int(max(0, cx - reach)), int(min(size, cx + reach + 1))
        y0, y1 = int(max(0, cy - reach)), int(min(size, cy + reach + 1))
        if x0 >= x1 or y0 >= y1:
            continue
        r = np.hypot(xx[y0:y1, x0:x1] - cx, yy[y0:y1, x0:x1] - cy) / (d / 2)
        prof = _crater_profile(r, d, rng, d > cfg.transition_d) * d
        degr = rng.beta(1.2, 2.0) * 0.8  # 0 fresh .. 0.8 heavily degraded
        prof *= 1.0 - 0.75 * degr
        local = dem[y0:y1, x0:x1]
        inside = r < 1.0
        # a young crater erases most of the older relief inside its rim; infill raises a degraded floor
        erase = np.where(inside, 0.7 * (1 - degr), 0.0).astype(np.float32)
        local *= 1 - erase
        local += prof
        if degr > 0.3:
            floor = -0.2 * d * (1 - degr)
            np.maximum(local, np.where(inside, floor, -np.inf), out=local)
        lab = CRATER if d > TINY_CRATER_PX else IGNORE_INDEX
        msub = mask[y0:y1, x0:x1]
        if lab == CRATER:
            msub[inside] = CRATER
        else:
            msub[inside & (msub != CRATER)] = IGNORE_INDEX
        if 0 <= cx < size and 0 <= cy < size:
            out.append(CraterInstance(float(cx), float(cy), float(d)))
    return out


def _polyline(rng: np.random.Generator, size: int, length: float, start: np.ndarray, heading: float,
              wiggle: float, step: float = 2.0) -> np.ndarray:
    """Meandering random walk: heading follows smoothed noise so the path bends like a channel or ridge."""
    n = max(4, int(length / step))
    turn = ndimage.gaussian_filter1d(rng.standard_normal(n), sigma=6) * wiggle * 6
    ang = heading + np.cumsum(turn) * 0.15
    pts = start + np.cumsum(np.stack([np.cos(ang), np.sin(ang)], 1) * step, 0)
    return np.vstack([start, pts])


def _rasterize_lines(lines: list[np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Binary image of densely sampled polylines, and per-pixel tangent (tx, ty) at line pixels."""
    img = np.zeros((size, size), dtype=bool)
    tx = np.zeros((size, size), dtype=np.float32)
    ty = np.zeros((size, size), dtype=np.float32)
    for pts in lines:
        seg = np.diff(pts, axis=0)
        seglen = np.hypot(seg[:, 0], seg[:, 1]) + 1e-6
        for k in range(len(seg)):
            m = int(np.ceil(seglen[k] * 2)) + 1
            t = np.linspace(0, 1, m)
            p = pts[k] + t[:, None] * seg[k]
            ix, iy = p[:, 0].astype(int), p[:, 1].astype(int)
            ok = (ix >= 0) & (ix < size) & (iy >= 0) & (iy < size)
            img[iy[ok], ix[ok]] = True
            tx[iy[ok], ix[ok]] = seg[k, 0] / seglen[k]
            ty[iy[ok], ix[ok]] = seg[k, 1] / seglen[k]
    return img, tx, ty


def _add_valleys(dem: np.ndarray, mask: np.ndarray, rng: np.random.Generator, scale: float) -> None:
    size = dem.shape[0]
    heading = rng.uniform(0, 2 * np.pi)
    length = rng.uniform(0.6, 1.5) * size
    # start half a length behind a central point so the channel crosses the tile
    mid = rng.uniform(0.25 * size, 0.75 * size, 2)
    start = mid - 0.5 * length * np.array([np.cos(heading), np.sin(heading)])
    main = _polyline(rng, size, length, start, heading, rng.uniform(0.3, 1.0))
    width = rng.uniform(4.0, 10.0) * scale
    groups = [([main], width)]
    tribs = []
    for _ in range(int(rng.integers(0, 4))):
        base = main[int(rng.integers(len(main) // 5, len(main)))]
        ang = heading + rng.choice([-1, 1]) * rng.uniform(0.5, 1.1) + np.pi  # tributaries join upstream-pointing
        tribs.append(_polyline(rng, size, rng.uniform(0.2, 0.6) * size, base, ang, rng.uniform(0.3, 1.0)))
    if tribs:
        groups.append((tribs, width * rng.uniform(0.5, 0.8)))
    u_shape = rng.random() < 0.5
    depth = width * rng.uniform(0.3, 0.8)
    for lines, w in groups:
        img, _, _ = _rasterize_lines(lines, size)
        if not img.any():
            continue
        dist = ndimage.distance_transform_edt(~img).astype(np.float32)
        q = np.clip(dist / w, 0, 1)
        carve = depth * (1 - q**4) if u_shape else depth * (1 - q)  # U- or V-shaped trough
        np.minimum(dem, dem - carve + 0, out=dem)
        mask[dist < w] = VALLEY


def _add_ridges(dem: np.ndarray, mask: np.ndarray, rng: np.random.Generator, scale: float) -> None:
    size = dem.shape[0]
    heading = rng.uniform(0, 2 * np.pi)
    length = rng.uniform(0.8, 1.6) * size
    mid = rng.uniform(0.25 * size, 0.75 * size, 2)
    start = mid - 0.5 * length * np.array([np.cos(heading), np.sin(heading)])
    line = _polyline(rng, size, length, start, heading, rng.uniform(0.1, 0.4))
    img, tx, ty = _rasterize_lines([line], size)
    if not img.any():
        return
    dist, (iy, ix) = ndimage.distance_transform_edt(~img, return_indices=True)
    dist = dist.astype(np.float32)
    yy, xx = np.mgrid[0:size, 0:size]
    side = np.sign(tx[iy, ix] * (yy - iy) - ty[iy, ix] * (xx - ix))  # which side of the line
    w_front = rng.uniform(3.0, 7.0) * scale
    w_back = w_front * rng.uniform(1.5, 3.0)  # asymmetric: steep front, gentle back slope
    w = np.where(side > 0, w_front, w_back).astype(np.float32)
    height = w_front * rng.uniform(0.4, 0.9)
    q = dist / w
    if rng.random() < 0.5:  # wrinkle ridge: broad arch + crenulated narrow crest
        body = height * np.exp(-(q**2) * 2.5)
        phase = (xx * tx[iy, ix] + yy * ty[iy, ix]) / rng.uniform(3, 8)
        crest = 0.6 * height * np.exp(-((dist / (0.35 * w_front)) ** 2)) * (0.6 + 0.4 * np.sin(phase))
        body = body + crest
    else:  # lobate scarp: a step with a rounded front
        body = height * np.clip(1 - q, 0, 1) ** np.where(side > 0, 0.6, 1.4)
    dem += body.astype(np.float32)
    mask[q < 1.0] = RIDGE


def _add_extras(dem: np.ndarray, mask: np.ndarray, rng: np.random.Generator, cfg: SynthConfig, scale: float) -> None:
    """Canyons (valley class) and hard negatives (background), younger than ridges and valleys, older than craters."""
    size = dem.shape[0]
    if rng.random() < cfg.p_canyon:
        add_canyon(dem, mask, rng, rng.uniform(25, 110) * min(scale, 1.5))
    if rng.random() < cfg.p_negative:
        add_shield_volcano(dem, mask, rng, rng.uniform(0.15, 0.6) * size)
    if rng.random() < cfg.p_negative:
        add_domes_and_knobs(dem, mask, rng, int(rng.integers(1, 12)), (3.0 * scale, 20.0 * scale))
    if rng.random() < cfg.p_negative:
        add_mesa(dem, mask, rng, rng.uniform(0.08, 0.3) * size)
    if rng.random() < cfg.p_negative:
        add_texture_patch(dem, mask, rng, "dunes" if rng.random() < 0.6 else "layered")


def hillshade(dem: np.ndarray, azimuth_deg: float, elevation_deg: float, exaggeration: float = 1.0) -> np.ndarray:
    """Lambertian shading of a DEM (pixel-unit heights) under a sun at azimuth (from north, clockwise)."""
    gy, gx = np.gradient(dem * exaggeration)
    az, el = np.deg2rad(azimuth_deg), np.deg2rad(elevation_deg)
    # image rows grow southwards, so north is -y
    sx, sy, sz = np.cos(el) * np.sin(az), -np.cos(el) * np.cos(az), np.sin(el)
    shade = (-gx * sx - gy * sy + sz) / np.sqrt(gx * gx + gy * gy + 1.0)
    return np.clip(shade, 0.0, 1.0).astype(np.float32)


def generate_sample(
    size: int = 256, seed: int | np.random.Generator = 0, cfg: SynthConfig | None = None,
    omit: frozenset[str] = frozenset(), like: SyntheticSample | None = None,
) -> SyntheticSample:
    """Generate one square tile deterministically from ``seed``.

    ``omit`` ({"ridge", "valley"}) draws those features as usual (same random stream, same mask) but leaves
    their relief out of the DEM; with ``like`` (the full render of the same seed) the image gets that render's
    contrast stretch and noise scale, so the two images differ only where the omitted relief showed.
    """
    cfg = cfg or SynthConfig()
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    scale = float(rng.uniform(*cfg.scale_range))  # random ground scale: feature sizes in pixels vary per tile
    dem = _fractal_noise(rng, size, rng.uniform(3.0, 3.6)) * rng.uniform(0.3, 2.0) * scale
    mask = np.zeros((size, size), dtype=np.uint8)
    if rng.random() < cfg.p_ridge:
        _add_ridges(dem.copy() if "ridge" in omit else dem, mask, rng, scale)
    if rng.random() < cfg.p_valley:
        _add_valleys(dem.copy() if "valley" in omit else dem, mask, rng, scale)
    if cfg.p_canyon or cfg.p_negative:
        _add_extras(dem, mask, rng, cfg, scale)
    craters = _add_craters(dem, mask, rng, cfg, scale)
    dem += _fractal_noise(rng, size, 2.2) * rng.uniform(0.01, 0.08)  # regolith roughness
    render = "dem" if rng.random() < cfg.p_dem_output else "hillshade"
    if render == "dem":
        img = dem.copy()
    else:
        elevation = float(rng.choice([rng.uniform(5, 20), rng.uniform(20, 65)]))  # low sun is common in NAC
        azimuth, exaggeration = rng.uniform(0, 360), rng.uniform(0.5, 2.0)
        img = hillshade(dem, azimuth, elevation, exaggeration)
        albedo = 1.0 + _fractal_noise(rng, size, 3.0) * rng.uniform(0.03, 0.2)
        img = img * albedo
        if cfg.p_cast_shadow and elevation < 35 and rng.random() < cfg.p_cast_shadow:
            # shadows are lit only by light scattered from the sunlit terrain around them
            shadow = cast_shadows(dem * exaggeration, azimuth, elevation)
            img = np.where(shadow, img.mean() * rng.uniform(0.0, 0.12), img).astype(np.float32)
    sigma = rng.uniform(0.0, 1.2)
    if sigma > 0.3:
        img = ndimage.gaussian_filter(img, sigma)
    noise = rng.standard_normal(img.shape).astype(np.float32)
    noise_frac = rng.uniform(0.0, 0.05)  # drawn in both renders, so the random stream stays aligned
    if like is None:
        noise_scale = float(noise_frac * img.std())
        img = img + noise * noise_frac * img.std()  # this order of products keeps earlier samples bit for bit
    else:
        noise_scale = like.noise_scale
        img = img + noise * noise_scale
    # float64 bounds, as np.percentile returns them: they promote the division, as in earlier samples
    lo, hi = np.percentile(img, [1, 99]) if like is None else np.asarray(like.stretch, dtype=np.float64)
    img = np.clip((img - lo) / max(hi - lo, 1e-6), 0, 1).astype(np.float32)
    if cfg.p_product and rng.random() < cfg.p_product:
        img, mask = product_tones(img, mask, rng)
    return SyntheticSample(image=img, mask=mask, dem=dem.astype(np.float32), craters=craters, render=render,
                           stretch=(float(lo), float(hi)), noise_scale=noise_scale)
