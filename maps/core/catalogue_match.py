"""Detected craters against a reference catalogue, on the body's sphere: matched, missed and new per diameter bin.

The pairing rule is the project's one (``segmentation.engine.evaluate.match_qualifies`` and ``greedy_pairs``:
centre distance < 0.5 D and |dD|/D < 0.5, D the catalogue crater's, closest centres first). Only the candidate
search differs: a catalogue holds 10^5 craters, so instead of a dense distance matrix a k-d tree of unit vectors
finds the catalogue craters within one detected diameter of each detection (a qualifying pair is never farther:
dist < 0.5 D_ref and D_ref < 2 D_det), and distances are great-circle kilometres on the body's radius.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from segmentation.engine.evaluate import greedy_pairs, match_qualifies


@dataclass(frozen=True)
class Craters:
    """Crater centres (degrees, planetocentric east) and diameters (km), with an id for each."""

    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    diameter_km: np.ndarray

    @classmethod
    def from_rows(cls, rows: list[tuple[Any, float, float, float]]) -> Craters:
        """From ``(id, lon, lat, diameter_km)`` rows."""
        if not rows:
            empty = np.zeros(0)
            return cls(np.zeros(0, dtype=np.int64), empty, empty, empty)
        ids, lon, lat, diam = zip(*rows, strict=True)
        return cls(np.asarray(ids), np.asarray(lon, float), np.asarray(lat, float), np.asarray(diam, float))

    def __len__(self) -> int:
        return len(self.ids)

    def unit_vectors(self) -> np.ndarray:
        lon, lat = np.radians(self.lon), np.radians(self.lat)
        return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


@dataclass
class CatalogueMatch:
    """The outcome: index pairs (detection, reference), the unmatched of each side, and the bins."""

    pairs: list[tuple[int, int]]
    missed: np.ndarray
    new: np.ndarray
    outside_range: np.ndarray
    bins: list[dict[str, Any]] = field(default_factory=list)

    def totals(self) -> dict[str, Any]:
        matched, missed, new = len(self.pairs), len(self.missed), len(self.new)
        return {
            "matched": matched, "missed": missed, "new": new, "outside_range": len(self.outside_range),
            "completeness": matched / (matched + missed) if matched + missed else None,
            "precision": matched / (matched + new) if matched + new else None,
        }


def great_circle_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray,
                    radius_km: float) -> np.ndarray:
    """Haversine distance in km on a sphere of ``radius_km``."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * radius_km * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def diameter_edges(diameters: np.ndarray, per_octave: int = 1) -> np.ndarray:
    """Bin edges at powers of 2 (``per_octave`` bins per factor 2) covering every diameter."""
    if diameters.size == 0:
        return np.array([1.0, 2.0])
    step = 1 / per_octave
    low = math.floor(math.log2(float(diameters.min())) / step) * step
    high = math.floor(math.log2(float(diameters.max())) / step) * step + step
    return np.asarray(2.0 ** np.arange(low, high + step / 2, step))


def match_catalogue(detections: Craters, reference: Craters, radius_km: float,
                    range_km: tuple[float, float] | None = None, per_octave: int = 1) -> CatalogueMatch:
    """Match ``detections`` with ``reference`` on a sphere of ``radius_km``.

    ``range_km`` is the catalogue's diameter range: an unmatched detection outside it is not counted as new
    (the catalogue could not hold it) but reported as outside the range. A matched detection counts in its
    catalogue crater's bin, missed ones in theirs, new ones in their own (as ``crater_prf`` bins them).
    """
    pairs: list[tuple[int, int]] = []
    if len(detections) and len(reference):
        tree = cKDTree(reference.unit_vectors())
        # Chord length of a great-circle arc of one detected diameter, a little wider for rounding.
        chords = 2 * np.sin(np.minimum(detections.diameter_km / radius_km, math.pi) / 2) * (1 + 1e-9)
        near = tree.query_ball_point(detections.unit_vectors(), chords)
        pi = np.repeat(np.arange(len(detections)), [len(n) for n in near])
        gi = np.fromiter((g for n in near for g in n), dtype=np.int64, count=len(pi))
        dist = great_circle_km(detections.lon[pi], detections.lat[pi], reference.lon[gi], reference.lat[gi],
                               radius_km)
        ok = match_qualifies(dist, detections.diameter_km[pi], reference.diameter_km[gi])
        pairs = greedy_pairs(pi[ok], gi[ok], dist[ok])
    matched_det = np.zeros(len(detections), bool)
    matched_ref = np.zeros(len(reference), bool)
    for a, b in pairs:
        matched_det[a] = matched_ref[b] = True
    unmatched = np.flatnonzero(~matched_det)
    if range_km is not None:
        d = detections.diameter_km[unmatched]
        inside = (d >= range_km[0]) & (d <= range_km[1])
        new, outside = unmatched[inside], unmatched[~inside]
    else:
        new, outside = unmatched, np.zeros(0, dtype=np.int64)
    result = CatalogueMatch(pairs=pairs, missed=np.flatnonzero(~matched_ref), new=new, outside_range=outside)
    result.bins = _bins(result, detections, reference, per_octave)
    return result


def _bins(result: CatalogueMatch, detections: Craters, reference: Craters, per_octave: int) -> list[dict[str, Any]]:
    ref_of_match = reference.diameter_km[[b for _, b in result.pairs]]
    missed = reference.diameter_km[result.missed]
    new = detections.diameter_km[result.new]
    edges = diameter_edges(np.concatenate([ref_of_match, missed, new]), per_octave)
    counts = [np.histogram(values, bins=edges)[0] for values in (ref_of_match, missed, new)]
    rows = []
    for k in range(len(edges) - 1):
        m, s, n = (int(c[k]) for c in counts)
        if m + s + n == 0:
            continue
        rows.append({
            "min_km": float(edges[k]), "max_km": float(edges[k + 1]), "matched": m, "missed": s, "new": n,
            "completeness": m / (m + s) if m + s else None, "precision": m / (m + n) if m + n else None,
        })
    return rows
