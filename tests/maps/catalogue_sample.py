"""A known sub-sample of the real Robbins & Hynek catalogue turned into "detections" with known perturbations.

Shared by the plain-core matching test and the API test, so both assert the same exact counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from maps.core.catalogue_match import Craters, great_circle_km
from maps.core.catalogues import catalogue_spec, read_catalogue
from tests.shared import require_shared_data

MARS_KM = 3396.19


def robbins() -> Craters:
    spec = catalogue_spec("robbins2012")
    path = require_shared_data() / spec.path
    return Craters.from_rows([(i, lon, lat, d) for i, (lon, lat, d) in enumerate(read_catalogue(path, spec))])


def strictly_in(c: Craters, box: tuple[float, float, float, float]) -> Craters:
    """The craters whose centre lies strictly inside ``box`` (PostGIS ``within`` leaves the edge out)."""
    keep = (c.lon > box[0]) & (c.lon < box[2]) & (c.lat > box[1]) & (c.lat < box[3])
    return Craters(c.ids[keep], c.lon[keep], c.lat[keep], c.diameter_km[keep])


def isolated(ref: Craters, box: tuple[float, float, float, float], min_d: float = 5.0) -> np.ndarray:
    """Indices of craters >= ``min_d``, a degree inside ``box``, with no other crater of D > D/2 within 2 D.

    No rival can then qualify for a detection made from one of them (the rule wants D_ref > D_det / 1.5 and a
    centre within 0.5 D_ref; a detection below is at most 0.7 D off and at most 1.25 D across), so the
    expected counts follow from the construction alone.
    """
    out = []
    inner = (ref.lon > box[0] + 1) & (ref.lon < box[2] - 1) & (ref.lat > box[1] + 1) & (ref.lat < box[3] - 1)
    for i in np.flatnonzero((ref.diameter_km >= min_d) & inner):
        d = ref.diameter_km[i]
        dist = great_circle_km(ref.lon[i], ref.lat[i], ref.lon, ref.lat, MARS_KM)
        if ((dist < 2 * d) & (ref.diameter_km > d / 2)).sum() == 1:  # only itself
            out.append(int(i))
    return np.asarray(out, dtype=np.int64)


def shifted(lon: float, lat: float, km: float) -> tuple[float, float]:
    """``km`` due east along the parallel (small enough to treat as a straight step)."""
    return lon + float(np.degrees(km / (MARS_KM * np.cos(np.radians(lat))))), lat


@dataclass
class Sample:
    """The catalogue inside the box, the detections made from it, and which catalogue craters fell where."""

    reference: Craters
    detections: list[tuple[float, float, float]] = field(default_factory=list)  # lon, lat, diameter_km
    exact: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)
    omitted: list[int] = field(default_factory=list)
    displaced: list[int] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return len(self.exact) + len(self.moved)


def known_sample(box: tuple[float, float, float, float]) -> Sample:
    """Two in five sample craters detected as they are, one 0.3 D off and 25% larger (still matched), one not
    detected, one 0.7 D off (its crater missed, the detection new)."""
    ref = strictly_in(robbins(), box)
    sample = Sample(reference=ref)
    for k, i in enumerate(isolated(ref, box)):
        lon, lat, d = float(ref.lon[i]), float(ref.lat[i]), float(ref.diameter_km[i])
        group = k % 5
        if group in (0, 1):
            sample.detections.append((lon, lat, d))
            sample.exact.append(i)
        elif group == 2:
            sample.detections.append((*shifted(lon, lat, 0.3 * d), 1.25 * d))
            sample.moved.append(i)
        elif group == 3:
            sample.omitted.append(i)
        else:
            sample.detections.append((*shifted(lon, lat, 0.7 * d), d))
            sample.displaced.append(i)
    return sample
