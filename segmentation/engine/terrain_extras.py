"""What real orbital images hold besides craters, valleys and ridges, for the generator (numpy+scipy).

- Canyons: wide troughs with steep walls and flat floors (Valles Marineris' chasmata), labelled valley over their
  whole width, walls included.
- Hard negatives, labelled background wherever they stand: shield volcanoes with summit calderas, domes, mesas,
  knobs, dune fields and layered (polar-cap-like) terrain. A caldera is a depression, yet no catalogue counts it
  as a crater; the network must see the edifice around it.
- Cast shadows: at low sun, relief throws shadows downsun (crater and canyon floors go black).
- The tonal range of real products: saturated stretches, 8-bit and coarser quantisation, JPEG artefacts, detector
  striping, sharp-edged albedo patches and black nodata collars.

Heights are in pixel units, as in :mod:`.synthetic`; each function draws from the ``rng`` it is given only.
"""

from __future__ import annotations

import io

import numpy as np
from scipy import ndimage

BACKGROUND, VALLEY = 0, 2


def _blob(rng: np.random.Generator, size: int, radius: float, cx: float, cy: float,
          roughness: float = 0.25) -> np.ndarray:
    """An irregular filled shape around (cx, cy): a circle whose radius wanders with the angle."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    ang = np.arctan2(yy - cy, xx - cx)
    wobble = np.zeros_like(ang)
    for k in range(2, 6):
        wobble += rng.uniform(-roughness, roughness) / k * np.cos(k * ang + rng.uniform(0, 2 * np.pi))
    return np.hypot(xx - cx, yy - cy) <= radius * (1.0 + wobble)


def add_canyon(dem: np.ndarray, mask: np.ndarray, rng: np.random.Generator, width: float,
               heading: float | None = None) -> np.ndarray:
    """Carve a straight-ish canyon of full width ``width`` px (steep walls, flat floor); label it valley.

    ``heading``: the axis' direction in radians (x right, y down), random when None. Returns the canyon's
    footprint (the labelled pixels).
    """
    size = dem.shape[0]
    drawn = rng.uniform(0, np.pi)
    heading = drawn if heading is None else heading
    mid = rng.uniform(0.3 * size, 0.7 * size, 2)
    normal = np.array([-np.sin(heading), np.cos(heading)])
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    along = (xx - mid[0]) * np.cos(heading) + (yy - mid[1]) * np.sin(heading)
    # the axis bends gently, and the canyon widens and narrows along it
    bend = ndimage.gaussian_filter1d(rng.standard_normal(4 * size), sigma=size / 3) * width * 0.8
    idx = np.clip((along + 2 * size).astype(int), 0, 4 * size - 1)
    across = (xx - mid[0]) * normal[0] + (yy - mid[1]) * normal[1] - bend[idx]
    half = width / 2 * (1 + 0.25 * np.sin(along / size * rng.uniform(2, 6) + rng.uniform(0, 6)))
    # spurs and gullies: the wall line wanders along the axis, so the rim is scalloped, not a ruled line
    spurs = ndimage.gaussian_filter1d(rng.standard_normal(4 * size), sigma=width * rng.uniform(0.04, 0.1))
    spurs *= 0.04 / (spurs.std() + 1e-9)
    q = np.abs(across) / half + spurs[idx] * 3
    wall = rng.uniform(0.2, 0.5)  # share of the half-width taken by each wall
    depth = width * rng.uniform(0.1, 0.4)
    t = np.clip((1.0 - q) / wall, 0.0, 1.0)  # 0 at the rim, 1 on the floor
    carve = depth * (3 * t**2 - 2 * t**3)
    # floor deposits: hummocky landslides and layered mounds, lower than the plateau
    rough = ndimage.gaussian_filter(rng.standard_normal(dem.shape), width * rng.uniform(0.03, 0.08)).astype(np.float32)
    carve -= t * rough / (rough.std() + 1e-6) * depth * rng.uniform(0.02, 0.08)
    dem -= carve.astype(np.float32)
    inside = q < 1.0
    mask[inside] = VALLEY
    return inside


def _bury(dem: np.ndarray, footprint: np.ndarray, amount: float) -> None:
    """Older relief under a new edifice is smoothed away by ``amount`` (0..1)."""
    soft = ndimage.gaussian_filter(footprint.astype(np.float32), 2.0)
    dem -= (dem - ndimage.gaussian_filter(dem, 6.0)) * soft * amount


def add_shield_volcano(dem: np.ndarray, mask: np.ndarray, rng: np.random.Generator, radius: float) -> np.ndarray:
    """A broad shield with concave flanks, radial lava-flow texture and a summit caldera of nested pits."""
    size = dem.shape[0]
    cx, cy = rng.uniform(0.2 * size, 0.8 * size, 2)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    r = np.hypot(xx - cx, yy - cy) / radius
    height = radius * rng.uniform(0.08, 0.25)
    # a broad summit plateau and flanks that steepen outwards (1 - r^p), as the Tharsis shields' profiles
    body = height * np.clip(1 - r ** rng.uniform(1.5, 3.0), 0, None)
    ang = np.arctan2(yy - cy, xx - cx)
    # lava flows: streaks that run down the flanks (noise stretched along the radius)
    streak = ndimage.gaussian_filter1d(rng.standard_normal(720), sigma=rng.uniform(1.0, 3.0), mode="wrap")
    bins = ((ang + np.pi) / (2 * np.pi) * 720).astype(int) % 720
    flows = streak[bins] * 0.05 * height * np.clip(1 - r, 0, 1) * (0.5 + 0.5 * np.sin(r * rng.uniform(4, 12)))
    body += flows
    caldera_r = radius * rng.uniform(0.08, 0.22)
    for _ in range(int(rng.integers(1, 4))):  # overlapping collapse pits, steep-walled, flat-floored
        off = rng.normal(0, caldera_r * 0.4, 2)
        pr = np.hypot(xx - cx - off[0], yy - cy - off[1]) / (caldera_r * rng.uniform(0.6, 1.0))
        pit = height * rng.uniform(0.1, 0.25) * np.clip((1.15 - pr) / 0.15, 0, 1)
        body -= pit
    footprint = r < 1.0
    _bury(dem, footprint, 0.8)
    dem += body.astype(np.float32)
    mask[footprint] = BACKGROUND
    return footprint


def add_domes_and_knobs(dem: np.ndarray, mask: np.ndarray, rng: np.random.Generator, n: int,
                        r_range: tuple[float, float]) -> np.ndarray:
    """Smooth domes and conical knobs: positive relief that a crater detector must leave alone."""
    size = dem.shape[0]
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    footprint = np.zeros(dem.shape, dtype=bool)
    for _ in range(n):
        cx, cy = rng.uniform(0, size, 2)
        rad = rng.uniform(*r_range)
        r = np.hypot(xx - cx, yy - cy) / rad
        h = rad * rng.uniform(0.15, 0.6)
        shape = np.clip(1 - r**2, 0, None) ** 1.5 if rng.random() < 0.5 else np.clip(1 - r, 0, None)
        dem += (h * shape).astype(np.float32)
        footprint |= r < 1.0
    mask[footprint] = BACKGROUND
    return footprint


def add_mesa(dem: np.ndarray, mask: np.ndarray, rng: np.random.Generator, radius: float) -> np.ndarray:
    """A flat-topped plateau with a steep scarp all round (an eroded remnant, not a depression's rim)."""
    size = dem.shape[0]
    cx, cy = rng.uniform(0.2 * size, 0.8 * size, 2)
    top = _blob(rng, size, radius, cx, cy, roughness=0.35)
    height = radius * rng.uniform(0.1, 0.35)
    body = ndimage.gaussian_filter(top.astype(np.float32), rng.uniform(0.8, 2.5)) * height
    _bury(dem, top, 0.5)
    dem += body
    footprint = body > 0.05 * height
    mask[footprint] = BACKGROUND
    return footprint


def add_texture_patch(dem: np.ndarray, mask: np.ndarray, rng: np.random.Generator, kind: str) -> np.ndarray:
    """A field of dunes (asymmetric periodic ripples) or layered terrain (stepped terraces) inside a blob."""
    size = dem.shape[0]
    cx, cy = rng.uniform(0.2 * size, 0.8 * size, 2)
    patch = _blob(rng, size, rng.uniform(0.25, 0.6) * size, cx, cy, roughness=0.4)
    soft = ndimage.gaussian_filter(patch.astype(np.float32), 4.0)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    if kind == "dunes":
        wavelength = rng.uniform(5, 20)
        heading = rng.uniform(0, np.pi)
        warp = ndimage.gaussian_filter(rng.standard_normal(dem.shape), 12).astype(np.float32) * wavelength * 6
        phase = (xx * np.cos(heading) + yy * np.sin(heading) + warp) / wavelength
        saw = phase - np.floor(phase)  # gentle stoss side, steep lee side
        relief = (np.where(saw < 0.8, saw / 0.8, (1 - saw) / 0.2) * wavelength * rng.uniform(0.1, 0.25))
    else:  # layered deposits: an elevated pile whose slopes step like contour lines
        pile = ndimage.gaussian_filter(patch.astype(np.float32), size / 10) * size * rng.uniform(0.05, 0.2)
        steps = rng.uniform(2, 6)
        relief = np.floor(pile / steps) * steps + 0.3 * (pile - np.floor(pile / steps) * steps)
    dem += (relief * soft).astype(np.float32)
    mask[patch] = BACKGROUND
    return patch


def cast_shadows(dem: np.ndarray, azimuth_deg: float, elevation_deg: float) -> np.ndarray:
    """Pixels the relief hides from a sun at (azimuth toward the sun, clockwise from up; elevation) degrees.

    The DEM is turned so the sun shines down the rows; a running horizon per column, lowered by tan(elevation)
    per pixel, marks every pixel below it.
    """
    h, w = dem.shape
    # ndimage.rotate turns counter-clockwise; bring the sun's direction to the image's up
    turned = ndimage.rotate(dem, azimuth_deg, reshape=True, order=1, mode="nearest")
    valid = ndimage.rotate(np.ones_like(dem), azimuth_deg, reshape=True, order=0, cval=0.0) > 0.5
    turned = np.where(valid, turned, -np.inf)
    drop = np.tan(np.radians(elevation_deg))
    horizon = np.full(turned.shape[1], -np.inf, dtype=np.float64)
    shadow = np.zeros(turned.shape, dtype=np.float32)
    for row in range(turned.shape[0]):
        shadow[row] = turned[row] < horizon - 1e-3
        horizon = np.maximum(horizon, turned[row]) - drop
    back = ndimage.rotate(shadow, -azimuth_deg, reshape=True, order=1)
    y0, x0 = (back.shape[0] - h) // 2, (back.shape[1] - w) // 2
    return back[y0:y0 + h, x0:x0 + w] > 0.5


def product_tones(image: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Make a [0, 1] render look like a real product: each effect drawn independently.

    A black nodata collar is labelled background (nodata itself is not a feature). Returns new arrays.
    """
    img, lab = image.astype(np.float32).copy(), mask.copy()
    size = img.shape[0]
    if rng.random() < 0.35:  # albedo patches with sharp edges (maria, dust, ejecta rays)
        field = ndimage.gaussian_filter(rng.standard_normal(img.shape), size / 12).astype(np.float32)
        edge = np.clip((field - np.quantile(field, rng.uniform(0.3, 0.7))) / (field.std() * 0.1 + 1e-6), -1, 1)
        img = img * (1.0 + edge * rng.uniform(0.1, 0.35))
    if rng.random() < 0.2:  # detector striping of a pushbroom camera
        gains = 1.0 + rng.normal(0, rng.uniform(0.005, 0.03), size).astype(np.float32)
        img = img * (gains[None, :] if rng.random() < 0.5 else gains[:, None])
    if rng.random() < 0.4:  # a hard stretch that saturates the brightest or darkest parts
        lo, hi = np.quantile(img, [rng.uniform(0.0, 0.1), rng.uniform(0.85, 1.0)])
        img = (img - lo) / max(float(hi - lo), 1e-6)
    img = np.clip(img, 0.0, 1.0)
    if rng.random() < 0.5:  # 8-bit or coarser quantisation
        levels = float(rng.choice([16, 32, 64, 255]))
        img = (np.round(img * levels) / levels).astype(np.float32)
    if rng.random() < 0.25:  # JPEG-compressed browse products
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray((img * 255).astype(np.uint8)).save(buf, format="JPEG", quality=int(rng.integers(20, 85)))
        buf.seek(0)
        img = np.asarray(Image.open(buf), dtype=np.float32) / 255.0
    if rng.random() < 0.15:  # a black collar where the footprint ends (an undeclared nodata edge)
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
        ang = rng.uniform(0, 2 * np.pi)
        cut = (xx - size / 2) * np.cos(ang) + (yy - size / 2) * np.sin(ang) > rng.uniform(0.15, 0.45) * size
        img = np.where(cut, 0.0, img)
        lab[cut] = BACKGROUND
    return img.astype(np.float32), lab


def canyon_scene(size: int = 2048, width: float = 300.0, seed: int = 0, heading_deg: float = 30.0,
                 elevation_deg: float = 25.0) -> tuple[np.ndarray, np.ndarray]:
    """A plateau cut by one canyon ``width`` px wide, shaded with cast shadows: (image in [0, 1], class mask).

    The scale test of the multi-scale pipeline: the training tiles' valleys are 5-32 px wide, so the default
    300 px is ten times the widest of them. The sun shines 20 degrees off the canyon's normal, so one wall
    faces it and the other throws its shadow on the floor.
    """
    from .synthetic import _fractal_noise, hillshade

    rng = np.random.default_rng(seed)
    dem = _fractal_noise(rng, size, 3.2) * (size / 256.0) * 0.6
    mask = np.zeros((size, size), dtype=np.uint8)
    add_canyon(dem, mask, rng, width, np.radians(heading_deg))
    azimuth_deg = heading_deg + 20.0  # sun azimuth equal to the heading is the axis' normal (see light.py)
    img = hillshade(dem, azimuth_deg, elevation_deg)
    img = np.where(cast_shadows(dem, azimuth_deg, elevation_deg), img.mean() * 0.05, img)
    img = img + rng.standard_normal(img.shape).astype(np.float32) * 0.01
    lo, hi = np.percentile(img, [1, 99])
    return np.clip((img - lo) / max(float(hi - lo), 1e-6), 0, 1).astype(np.float32), mask
