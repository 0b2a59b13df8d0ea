"""Craters checked against the light: under one sun a depression's sunward inner wall is dark and its far wall
bright; a dome, a shield volcano or a knob is lit the other way round.

Directions are image directions: an azimuth is the direction *toward the sun*, in degrees clockwise from the
image's up (north on a north-up map), so a scene lit from the north-west has azimuth 315.

- :func:`shading_scores` gives each crater candidate the Pearson correlation between its pixels' brightness
  and their position along the anti-sun direction (inside the rim, centre removed): +1 is a textbook crater,
  -1 a textbook dome, about 0 no shading (a flat patch, a shadow-filled floor, noise).
- :func:`estimate_sun_azimuth` finds the azimuth from the candidates themselves when the image's metadata does
  not give it: each candidate's brightness dipole votes for an axis (doubled angles, so craters and domes agree
  on it), and the side of that axis is the one most candidates call a depression, since craters outnumber
  domes on every body we map.
- :func:`tone_fractions` finds candidates dark or bright from edge to edge: a cast shadow's black floor, a sunlit
  face; neither has the dark and the bright side a crater has.
- :func:`relief_scores` integrates the shading along the sun into heights (photoclinometry), so an edifice
  whose summit caldera is lit like a crater is still seen to stand above its surroundings.
- :func:`bowl_scores` correlates a wide candidate's surroundings with the shading a rimmed bowl of its size
  casts under the sun (a matched filter), so a ring drawn over a plateau or a plain is seen to have no bowl.

:class:`LightInput` applies them all to an image's crater candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .instances import AspectFn

# inside this fraction of the radius: the inner walls and floor (the rim crest itself is often a bright ring)
DISK_FRAC = 0.95
MIN_PIXELS = 12
# candidates whose correlation is below this are lit like domes: not craters. Chosen on training data only (the NAC
# training images: it drops 3.5% of true craters of 10-20 px and 26% of false ones), see MODEL_CARD.md
MIN_SCORE = -0.1
# rows of the image read at a time by :func:`light_input_for`
READ_ROWS = 1024
# a dark floor: this fraction of the disk in shadow tones (below) is a cast shadow's share
SHADOW_FRAC = 0.6
# Shadow tones: no brighter than the image's 2nd percentile plus this share of the way to its median. A cast
# shadow is lit by scattered light only, so it is the image's darkest tone plus noise; the 2nd percentile alone
# falls inside that noise wherever shadows fill more than 2% of the image, and then most shadow pixels sit above
# it (a canyon scene's shadow-filled candidates: none of 230 reached 60%, 90 with this band). Chosen on the NAC
# training images and that scene: it marks 11 of 5,516 labelled craters of 10 px and more (6 at the bare 2nd
# percentile) and 16 of 818 false candidates (6).
SHADOW_BAND = 0.1
# Highlight tones, the mirror of shadow tones: no darker than the 98th percentile less SHADOW_BAND of the way to
# the median. Under one sun a crater's sunward inner wall is shaded, so a candidate whose disk is SHADOW_FRAC in
# highlight tones is a sunlit face (a canyon wall's bright spur, a knob's lit side), not a crater. The same two
# numbers as for shadows, not tuned (training-logs/highlights-plan.md). Known risk: the tones are not a physical
# bound as a shadow's black is. Where a bright albedo unit covers more than 2% of an image, the 98th percentile
# falls inside it, and a flat-floored crater there at high sun can be mostly highlight too, and dropped. Sparing
# candidates lit like craters (score >= 0.7) cost a tenth of the gain on the held-out canyon scenes and was not
# kept (training-logs/highlights-gate-plan.md).
HIGHLIGHT_PERCENTILE = 98.0


@dataclass(frozen=True)
class SunEstimate:
    """The scene's sun azimuth (degrees, toward the sun, clockwise from up) and how much the votes agree (0-1)."""

    azimuth_deg: float
    agreement: float
    votes: int


def sun_vector(azimuth_deg: float) -> np.ndarray:
    """Unit vector toward the sun in image (x right, y down) coordinates."""
    a = np.radians(azimuth_deg)
    return np.array([np.sin(a), -np.cos(a)])


def _disk(image: np.ndarray, valid: np.ndarray | None, cx: float, cy: float, r: float,
          aspect: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Brightness and unit offsets (x, y in ground-square units) of the pixels inside ``DISK_FRAC * r``."""
    h, w = image.shape
    rx = r / aspect
    x0, x1 = max(0, int(np.floor(cx - rx))), min(w, int(np.ceil(cx + rx)) + 1)
    y0, y1 = max(0, int(np.floor(cy - r))), min(h, int(np.ceil(cy + r)) + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    yy, xx = np.mgrid[y0:y1, x0:x1]
    ux, uy = (xx + 0.5 - cx) * aspect / r, (yy + 0.5 - cy) / r
    inside = ux * ux + uy * uy <= DISK_FRAC * DISK_FRAC
    if valid is not None:
        inside &= valid[y0:y1, x0:x1]
    if inside.sum() < MIN_PIXELS:
        return None
    return image[y0:y1, x0:x1][inside].astype(np.float64), ux[inside], uy[inside]


def _dipoles(image: np.ndarray, valid: np.ndarray | None, candidates: Sequence[tuple[float, float, float, float]],
             ) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate: the brightness dipole (mean of centred brightness times offset, per unit std) and a flag."""
    out = np.zeros((len(candidates), 2))
    ok = np.zeros(len(candidates), dtype=bool)
    for i, (cx, cy, d, aspect) in enumerate(candidates):
        disk = _disk(image, valid, cx, cy, d / 2.0, aspect)
        if disk is None:
            continue
        vals, ux, uy = disk
        std = vals.std()
        if std <= 0:
            continue
        z = (vals - vals.mean()) / std
        # normalised so a pure linear ramp along a direction gives a unit-length dipole along it
        out[i] = (np.mean(z * ux) / max(np.std(ux), 1e-9), np.mean(z * uy) / max(np.std(uy), 1e-9))
        ok[i] = True
    return out, ok


def shading_scores(image: np.ndarray, valid: np.ndarray | None,
                   candidates: Sequence[tuple[float, float, float, float]], azimuth_deg: float) -> np.ndarray:
    """Correlation of brightness with the anti-sun offset inside each candidate ``(cx, cy, diameter, aspect)``.

    Pixel coordinates as the crater instances give them (pixel centres at i + 0.5, diameter in row pixels,
    aspect = a pixel's ground width over its height). NaN where the disk has too few valid pixels or no contrast.
    """
    away = -sun_vector(azimuth_deg)
    scores = np.full(len(candidates), np.nan)
    for i, (cx, cy, d, aspect) in enumerate(candidates):
        disk = _disk(image, valid, cx, cy, d / 2.0, aspect)
        if disk is None:
            continue
        vals, ux, uy = disk
        along = ux * away[0] + uy * away[1]
        if vals.std() <= 0 or along.std() <= 0:
            continue
        scores[i] = float(np.corrcoef(vals, along)[0, 1])
    return scores


# Relief along the sun (photoclinometry): profiles from RELIEF_REACH radii before the centre to as far past it,
# RELIEF_LINES of them across the middle half of the disk, RELIEF_SAMPLES samples each
RELIEF_REACH = 2.0
RELIEF_LINES = 9
RELIEF_SAMPLES = 65
# Edifices: georeferenced candidates at least this wide on the ground are also tested for relief, and dropped
# when their middle stands above their surroundings by more than MAX_RELIEF. Shield volcanoes, tholi and
# massifs are 100-600 km across; at that scale shading is topography, while at a few pixels a real image's cast
# shadows and albedo break the linear shading the integration assumes. Both chosen on training-side sets only
# (MOLA east, WAC west, NAC training images; training-logs/relief-edifices-plan.md): on MOLA east the test
# drops Elysium Mons, 13 of 96 false candidates of 100 km and more and 1 of 64 true ones.
RELIEF_MIN_KM = 100.0
MAX_RELIEF = 0.3
# Bowls (:func:`bowl_scores`): the rimmed bowl whose shading is the template (heights: (1 + BOWL_RIM) rho^2 - 1
# inside the rim, BOWL_RIM exp(-(rho - 1) / BOWL_FALL) outside, rho in radii), read out to BOWL_REACH radii;
# searched over BOWL_SIZES radii from 0.7 to 1.4 times the candidate's and centres within BOWL_SHIFT radii of
# its own, on a copy of the surroundings resampled to square ground pixels with the radius at most BOWL_R_PX
# pixels. Georeferenced candidates of RELIEF_MIN_KM and more whose best correlation is under MIN_BOWL are
# dropped. The template's shape was fixed before any measurement; MIN_BOWL was chosen on MOLA east and WAC
# west only (training-logs/bowl-template-plan.md): on MOLA east the true craters of 150 km and more score
# 0.25-0.72, and 4 of the 9 false ones 0.07-0.20.
BOWL_RIM = 0.2
BOWL_FALL = 0.3
BOWL_REACH = 1.6
BOWL_SIZES = 7
BOWL_SHIFT = 0.3
BOWL_R_PX = 16.0
MIN_BOWL = 0.2


def relief_scores(image: np.ndarray, valid: np.ndarray | None,
                  candidates: Sequence[tuple[float, float, float, float]], azimuth_deg: float) -> np.ndarray:
    """Each candidate's centre height against its surroundings, from its shading integrated along the sun.

    Under a sun at azimuth ``azimuth_deg``, ground rising toward the sun is darker than flat ground and ground
    falling toward it brighter: brightness is, to first order, the flat ground's minus a multiple of the slope
    along the sun direction. Integrating minus the brightness along that direction therefore gives a height
    profile, up to a scale (photoclinometry, as in McEwen 1991). Each profile runs from ``RELIEF_REACH`` radii on
    the side away from the sun, through the centre, to as far on the sun's side (heights accumulate in that
    direction); the line's own mean brightness stands for the flat ground's, so both ends come out at the same
    height and a regional tilt drops out. The score is the mean height of the middle (within half a radius) less
    that of the two ends (beyond 1.5 radii), in units of the profiles' brightness std times the radius: below
    zero for a depression (a crater's floor lies below the plain around it), above zero for a dome, a shield
    volcano or a knob, whose middle stands above its surroundings however its summit is lit. NaN where a profile
    leaves the image or one of the pixels it reads is nodata.

    Only the pixels the profiles read are touched (bilinear, by hand): a crop around a 200 km candidate of a
    50 m/px image, as float64, took over 500 MB.
    """
    toward = sun_vector(azimuth_deg)
    across = np.array([-toward[1], toward[0]])
    s = np.linspace(-RELIEF_REACH, RELIEF_REACH, RELIEF_SAMPLES)
    t = np.linspace(-0.5, 0.5, RELIEF_LINES)
    middle, ends = np.abs(s) <= 0.5, np.abs(s) >= 1.5
    ds = s[1] - s[0]
    # ground offsets (units of r) of every sample, profiles as rows
    gx = s[None, :] * toward[0] + t[:, None] * across[0]
    gy = s[None, :] * toward[1] + t[:, None] * across[1]
    h, w = image.shape
    scores = np.full(len(candidates), np.nan)
    for i, (cx, cy, d, aspect) in enumerate(candidates):
        r = d / 2.0
        # pixel coordinates with pixel centres on whole numbers; a pixel is ``aspect`` ground units wide
        px, py = cx + gx * r / aspect - 0.5, cy + gy * r - 0.5
        if px.min() < 0 or py.min() < 0 or px.max() > w - 1 or py.max() > h - 1:
            continue
        x0 = np.clip(np.floor(px).astype(np.intp), 0, max(w - 2, 0))
        y0 = np.clip(np.floor(py).astype(np.intp), 0, max(h - 2, 0))
        x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
        if valid is not None and not (valid[y0, x0] & valid[y0, x1] & valid[y1, x0] & valid[y1, x1]).all():
            continue
        fx, fy = px - x0, py - y0
        top = image[y0, x0].astype(np.float64) * (1 - fx) + image[y0, x1].astype(np.float64) * fx
        bottom = image[y1, x0].astype(np.float64) * (1 - fx) + image[y1, x1].astype(np.float64) * fx
        vals = top * (1 - fy) + bottom * fy
        std = vals.std()
        if not std > 0:
            continue
        dev = (vals - vals.mean(axis=1, keepdims=True)) / std
        height = -np.cumsum(dev, axis=1) * ds
        scores[i] = float(np.mean(height[:, middle]) - np.mean(height[:, ends]))
    return scores


def bowl_template(r: float, azimuth_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """The shading of a rimmed bowl of radius ``r`` pixels under the sun (zero mean over its window), and the
    window (the disk of ``BOWL_REACH`` radii), both ``2R + 1`` square. Brightness is, to first order, minus the
    slope along the sun: a depression's sunward inner wall is dark, its far wall bright."""
    reach = int(np.ceil(BOWL_REACH * r))
    yy, xx = np.mgrid[-reach:reach + 1, -reach:reach + 1].astype(np.float64)
    rho = np.hypot(xx, yy) / r
    height = np.where(rho <= 1, (1 + BOWL_RIM) * rho**2 - 1, BOWL_RIM * np.exp(-(rho - 1) / BOWL_FALL))
    gy, gx = np.gradient(height)
    sun = sun_vector(azimuth_deg)
    shade = -(gx * sun[0] + gy * sun[1])
    window = rho <= BOWL_REACH
    return np.where(window, shade - shade[window].mean(), 0.0), window.astype(np.float64)


def bowl_scores(image: np.ndarray, valid: np.ndarray | None,
                candidates: Sequence[tuple[float, float, float, float]], azimuth_deg: float) -> np.ndarray:
    """Each candidate's best normalised correlation (-1..1) with a rimmed bowl's shading under the sun.

    Searched over bowls of 0.7-1.4 times the candidate's radius, centred within ``BOWL_SHIFT`` radii of its
    centre: the candidate's outline need not be exact, the bowl must be there. A crater scores well above 0, a
    plain, a plateau or a rough patch near 0 whatever ring the model drew over it. The surroundings are copied
    and resampled to square ground pixels (a pixel is ``aspect`` wide) with the radius at most ``BOWL_R_PX``
    pixels, so a 200 km crater of a 50 m/px image costs what one of the MOLA global does. NaN where the bowl's
    window leaves the image or touches nodata.
    """
    from scipy import ndimage
    from scipy.signal import fftconvolve

    scores = np.full(len(candidates), np.nan)
    h, w = image.shape
    for i, (cx, cy, d, aspect) in enumerate(candidates):
        r = d / 2.0
        # ground units are image rows; the crop spans the largest bowl's window around every centre searched
        half = (1.4 * BOWL_REACH + BOWL_SHIFT) * r + 2
        x0, x1 = int(np.floor(cx - half / aspect)), int(np.ceil(cx + half / aspect))
        y0, y1 = int(np.floor(cy - half)), int(np.ceil(cy + half))
        if x0 < 0 or y0 < 0 or x1 > w or y1 > h or r <= 0:
            continue
        if valid is not None and not valid[y0:y1, x0:x1].all():
            continue
        # block means first, one row of blocks at a time (a 200 km crater of a 50 m/px image spans a 10,000 px
        # square: 200 MB as float16, never copied whole), then a zoom by what is left, to square ground pixels
        # with the radius BOWL_R_PX at most
        shrink = max(1.0, r / BOWL_R_PX)
        ky, kx = max(1, int(shrink)), max(1, int(shrink / aspect))
        ny, nx = (y1 - y0) // ky, (x1 - x0) // kx
        crop = np.empty((ny, nx))
        for j in range(ny):
            rows = image[y0 + j * ky:y0 + (j + 1) * ky, x0:x0 + nx * kx]
            crop[j] = rows.reshape(ky, nx, kx).mean(axis=(0, 2), dtype=np.float64)
        fy, fx = ky / shrink, kx * aspect / shrink
        if abs(fy - 1.0) > 1e-3 or abs(fx - 1.0) > 1e-3:
            crop = ndimage.zoom(crop, (fy, fx), order=1)
        rr = r / shrink
        # the candidate's centre in the resampled copy
        ccx, ccy = (cx - x0) / kx * fx, (cy - y0) / ky * fy
        best = -np.inf
        for radius in np.geomspace(0.7 * rr, 1.4 * rr, BOWL_SIZES):
            tmpl, window = bowl_template(radius, azimuth_deg)
            n = window.sum()
            num = fftconvolve(crop, tmpl[::-1, ::-1], mode="valid")
            s1 = fftconvolve(crop, window, mode="valid")
            s2 = fftconvolve(crop * crop, window, mode="valid")
            spread = np.sqrt(np.maximum(s2 - s1 * s1 / n, 0.0)) * np.sqrt((tmpl * tmpl).sum())
            ncc = np.divide(num, spread, out=np.zeros_like(num), where=spread > 1e-9 * n)
            # output (j, i) is the template centred on copy pixel (j + R, i + R); keep centres near the candidate's
            reach = tmpl.shape[0] // 2
            jj, ii = np.mgrid[0:ncc.shape[0], 0:ncc.shape[1]]
            near = np.hypot(ii + reach + 0.5 - ccx, jj + reach + 0.5 - ccy) <= max(1.0, BOWL_SHIFT * rr)
            if near.any():
                best = max(best, float(ncc[near].max()))
        if np.isfinite(best):
            scores[i] = best
    return scores


def tone_fractions(image: np.ndarray, valid: np.ndarray | None,
                   candidates: Sequence[tuple[float, float, float, float]], dark_level: float | None,
                   bright_level: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Share of each candidate's disk at or below ``dark_level`` (a cast shadow is black from rim to rim) and at
    or above ``bright_level`` (a sunlit face is bright from edge to edge), reading each disk once.

    NaN where the disk has too few valid pixels, and for a level given as None (an image with no such tones).
    """
    shadow, highlight = np.full(len(candidates), np.nan), np.full(len(candidates), np.nan)
    for i, (cx, cy, d, aspect) in enumerate(candidates):
        disk = _disk(image, valid, cx, cy, d / 2.0, aspect)
        if disk is None:
            continue
        if dark_level is not None:
            shadow[i] = float(np.mean(disk[0] <= dark_level))
        if bright_level is not None:
            highlight[i] = float(np.mean(disk[0] >= bright_level))
    return shadow, highlight


def estimate_sun_azimuth(image: np.ndarray, valid: np.ndarray | None,
                         candidates: Sequence[tuple[float, float, float, float]]) -> SunEstimate | None:
    """The sun azimuth that the candidates' shading points to; None with fewer than 3 usable candidates."""
    dip, ok = _dipoles(image, valid, candidates)
    dip = dip[ok]
    if len(dip) < 3:
        return None
    # a crater's bright side is away from the sun: its vote for the sun is minus its dipole
    vote = -dip
    weight = np.hypot(vote[:, 0], vote[:, 1])
    # angles clockwise from up: atan2(x, -y) for a vector (x, y) with y down
    theta = np.arctan2(vote[:, 0], -vote[:, 1])
    axis = 0.5 * np.arctan2(np.sum(weight * np.sin(2 * theta)), np.sum(weight * np.cos(2 * theta)))
    agreement = float(np.hypot(np.sum(weight * np.sin(2 * theta)), np.sum(weight * np.cos(2 * theta)))
                      / max(weight.sum(), 1e-12))
    # which end of the axis: the one most candidates (by count, not contrast) put the sun at
    side = np.cos(theta - axis)
    if np.sum(side > 0) < np.sum(side < 0):
        axis += np.pi
    return SunEstimate(float(np.degrees(axis) % 360.0), agreement, int(len(dip)))


def _dark_middle_bright(image: np.ndarray, valid: np.ndarray | None) -> tuple[float, float, float]:
    """The 2nd, 50th and ``HIGHLIGHT_PERCENTILE``th percentiles of the valid pixels, from at most ~1M of them on a
    regular decimation (every pixel of a smaller image): a copy of every valid pixel of a 16k x 16k image, then
    sorted, took 2 GB."""
    from .errors import AllNodataError
    from .normalize import robust_percentile_points

    try:
        dark, middle, bright = robust_percentile_points(image, valid, (2.0, 50.0, HIGHLIGHT_PERCENTILE))
    except AllNodataError:
        return 0.0, 0.0, 0.0
    return dark, middle, bright


@dataclass
class LightInput:
    """What the crater light check needs: the image's luminance (same grid as the mask), and the sun if known.

    ``sun_azimuth_deg`` None: estimated from the candidates (:func:`estimate_sun_azimuth`). After
    :meth:`check`, ``used_azimuth_deg``, ``source`` ("metadata", "estimated" or "none") and the counts of
    candidates dropped are set, for the analysis' summary and the model card.
    """

    image: np.ndarray
    valid: np.ndarray | None = None
    sun_azimuth_deg: float | None = None
    min_score: float = MIN_SCORE
    used_azimuth_deg: float | None = None
    agreement: float | None = None
    source: str = "none"
    dropped_lit_like_domes: int = 0
    dropped_shadows: int = 0
    dropped_highlights: int = 0
    dropped_raised: int = 0
    dropped_no_bowl: int = 0

    def check(self, dets: list[Any], aspect_at: AspectFn | None = None,
              row_km_at: AspectFn | None = None) -> tuple[list[Any], list[float | None]]:
        """The candidates that pass, and their scores (None where the disk could not be measured).

        ``aspect_at(cols, rows)`` gives a pixel's ground width over its height; ``row_km_at(cols, rows)`` the
        km a pixel's height spans there (georeferenced images only): candidates of ``RELIEF_MIN_KM`` and more
        are then also tested for relief (:func:`relief_scores`) and for a bowl (:func:`bowl_scores`).
        """
        if not dets:
            return [], []
        cols = np.array([d.cx for d in dets])
        rows = np.array([d.cy for d in dets])
        aspect = np.asarray(aspect_at(cols, rows), dtype=np.float64) if aspect_at is not None else np.ones(len(dets))
        cand = [(d.cx, d.cy, d.diameter, float(a)) for d, a in zip(dets, aspect, strict=True)]
        azimuth = self.sun_azimuth_deg
        if azimuth is not None:
            self.source = "metadata"
        else:
            estimate = estimate_sun_azimuth(self.image, self.valid, cand)
            if estimate is None:
                return dets, [None] * len(dets)
            azimuth, self.agreement, self.source = estimate.azimuth_deg, estimate.agreement, "estimated"
        self.used_azimuth_deg = float(azimuth)
        scores = shading_scores(self.image, self.valid, cand, azimuth)
        dark, middle, bright = _dark_middle_bright(self.image, self.valid)
        # an image without dark tones (a flat patch) has no shadows, one without bright tones no highlights
        shadows, highlights = tone_fractions(
            self.image, self.valid, cand,
            float(dark + SHADOW_BAND * (middle - dark)) if dark < middle else None,
            float(bright - SHADOW_BAND * (bright - middle)) if middle < bright else None)
        relief, bowl = np.full(len(cand), np.nan), np.full(len(cand), np.nan)
        if row_km_at is not None:
            km = np.array([d.diameter for d in dets]) * np.asarray(row_km_at(cols, rows), dtype=np.float64)
            wide = np.flatnonzero(km >= RELIEF_MIN_KM)
            relief[wide] = relief_scores(self.image, self.valid, [cand[i] for i in wide], azimuth)
            bowl[wide] = bowl_scores(self.image, self.valid, [cand[i] for i in wide], azimuth)
        kept, kept_scores = [], []
        for d, score, shadow, highlight, raised, bowled in zip(dets, scores, shadows, highlights, relief, bowl,
                                                               strict=True):
            if np.isfinite(score) and score < self.min_score:
                self.dropped_lit_like_domes += 1
            elif np.isfinite(shadow) and shadow >= SHADOW_FRAC:
                self.dropped_shadows += 1
            elif np.isfinite(highlight) and highlight >= SHADOW_FRAC:
                self.dropped_highlights += 1
            elif np.isfinite(raised) and raised > MAX_RELIEF:
                self.dropped_raised += 1
            elif np.isfinite(bowled) and bowled < MIN_BOWL:
                self.dropped_no_bowl += 1
            else:
                kept.append(d)
                kept_scores.append(float(score) if np.isfinite(score) else None)
        return kept, kept_scores

    def summary(self) -> dict[str, Any]:
        return {"sun_azimuth_deg": self.used_azimuth_deg, "source": self.source, "agreement": self.agreement,
                "dropped_lit_like_domes": self.dropped_lit_like_domes, "dropped_shadows": self.dropped_shadows,
                "dropped_highlights": self.dropped_highlights, "dropped_raised": self.dropped_raised,
                "dropped_no_bowl": self.dropped_no_bowl}


def light_input_for(src_path: Any, sun_azimuth_deg: float | None = None) -> LightInput:
    """The luminance of the image file at ``src_path`` (whole, one band) for :meth:`LightInput.check`.

    Read ``READ_ROWS`` rows at a time. An 8-bit image's luminance is kept as float16: exact for a grey band,
    within 1/16 of a grey level for colour, and half of float32's memory (512 MB rather than 1 GB at 16k x 16k,
    with no float32 copy of the whole image on the way).
    """
    import rasterio
    from rasterio.windows import Window

    from .inference import small_block_cache
    from .normalize import to_luminance

    with small_block_cache(), rasterio.open(src_path) as src:
        eight_bit = all(np.dtype(dtype).itemsize == 1 for dtype in src.dtypes)
        lum = np.empty((src.height, src.width), dtype=np.float16 if eight_bit else np.float32)
        valid = np.empty((src.height, src.width), dtype=bool)
        for r0 in range(0, src.height, READ_ROWS):
            r1 = min(src.height, r0 + READ_ROWS)
            lum[r0:r1], valid[r0:r1] = to_luminance(src.read(window=Window(0, r0, src.width, r1 - r0)), src.nodata)
    return LightInput(lum, valid, sun_azimuth_deg)
