"""Class statistics over mapped features (craters, valleys, ridges...) given as plain records.

Review decisions are applied before anything is counted: rejected features are dropped and a
relabelled feature counts in its new class. The caller may pass the class already relabelled, or
the original class plus ``relabelled_to``; both give the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

REJECTED = "rejected"


@dataclass(frozen=True)
class FeatureRecord:
    """One mapped feature as the web app hands it over; unknown measures are ``None``."""

    class_name: str
    area_km2: float | None = None
    length_km: float | None = None
    orientation_deg: float | None = None
    diameter_km: float | None = None
    confidence: float | None = None
    review_status: str | None = None
    relabelled_to: str | None = None

    @property
    def effective_class(self) -> str:
        """Class after review (the relabel wins over the detected class)."""
        return self.relabelled_to or self.class_name

    @property
    def is_rejected(self) -> bool:
        """True when a reviewer rejected the feature."""
        return (self.review_status or "").strip().lower() == REJECTED


@dataclass(frozen=True)
class Histogram:
    """Counts per bin; ``edges`` has one more element than ``counts``."""

    edges: list[float]
    counts: list[int]


@dataclass(frozen=True)
class ClassStats:
    """Per-class summary; ``area_fraction`` and ``density_per_km2`` are relative to the total area."""

    class_name: str
    count: int
    area_km2: float
    area_fraction: float | None
    density_per_km2: float | None
    mean_confidence: float | None


@dataclass(frozen=True)
class LengthStats:
    """Length summary for linear features of one class, in km."""

    class_name: str
    count: int
    total_km: float
    mean_km: float
    median_km: float
    min_km: float
    max_km: float
    std_km: float


@dataclass(frozen=True)
class FeatureStats:
    """Everything the statistics page and the report show."""

    total_area_km2: float | None
    n_features: int
    n_rejected: int
    classes: list[ClassStats]
    lengths: list[LengthStats]
    diameter_histogram: Histogram
    orientation_rose: Histogram
    mean_orientation_deg: float | None
    confidence_histogram: Histogram
    extra: dict[str, Any] = field(default_factory=dict)


def _num(v: Any) -> float | None:
    if v is None or v == "":
        return None
    f = float(v)
    return None if math.isnan(f) else f


def record_from_mapping(m: Mapping[str, Any]) -> FeatureRecord:
    """Build a record from a dict; accepts ``class_name`` or ``class`` and ``review_status`` or ``status``."""
    cls = m.get("class_name", m.get("class"))
    if not cls:
        raise ValueError("Feature record has no class")
    return FeatureRecord(
        class_name=str(cls),
        area_km2=_num(m.get("area_km2")),
        length_km=_num(m.get("length_km")),
        orientation_deg=_num(m.get("orientation_deg")),
        diameter_km=_num(m.get("diameter_km")),
        confidence=_num(m.get("confidence")),
        review_status=m.get("review_status", m.get("status")),
        relabelled_to=m.get("relabelled_to") or None,
    )


def effective_records(records: Iterable[FeatureRecord | Mapping[str, Any]]) -> list[FeatureRecord]:
    """Records after review: rejected ones removed, relabels applied to ``class_name``."""
    out = []
    for r in records:
        rec = r if isinstance(r, FeatureRecord) else record_from_mapping(r)
        if rec.is_rejected:
            continue
        out.append(FeatureRecord(**{**rec.__dict__, "class_name": rec.effective_class, "relabelled_to": None}))
    return out


def class_summary(records: Sequence[FeatureRecord], total_area_km2: float | None = None) -> list[ClassStats]:
    """Counts, areas, area fractions and densities per class (records already reviewed), sorted by class."""
    if total_area_km2 is not None and total_area_km2 <= 0:
        raise ValueError("total_area_km2 must be positive")
    groups: dict[str, list[FeatureRecord]] = {}
    for r in records:
        groups.setdefault(r.class_name, []).append(r)
    out = []
    for cls in sorted(groups):
        rs = groups[cls]
        area = sum(r.area_km2 or 0.0 for r in rs)
        conf = [r.confidence for r in rs if r.confidence is not None]
        out.append(
            ClassStats(
                class_name=cls,
                count=len(rs),
                area_km2=area,
                area_fraction=area / total_area_km2 if total_area_km2 else None,
                density_per_km2=len(rs) / total_area_km2 if total_area_km2 else None,
                mean_confidence=float(np.mean(conf)) if conf else None,
            )
        )
    return out


def length_stats(records: Sequence[FeatureRecord]) -> list[LengthStats]:
    """Length statistics per class for records that have a length."""
    groups: dict[str, list[float]] = {}
    for r in records:
        if r.length_km is not None:
            groups.setdefault(r.class_name, []).append(r.length_km)
    out = []
    for cls in sorted(groups):
        a = np.asarray(groups[cls], dtype=float)
        out.append(
            LengthStats(
                cls, int(a.size), float(a.sum()), float(a.mean()), float(np.median(a)),
                float(a.min()), float(a.max()), float(a.std(ddof=1)) if a.size > 1 else 0.0,
            )
        )  # fmt: skip
    return out


def diameter_histogram(
    diameters_km: Iterable[float], bins_per_decade: int = 10, d_min_km: float | None = None
) -> Histogram:
    """Histogram on logarithmic bins (edges at 10**(k/bins_per_decade)) covering the diameters."""
    d = np.asarray([v for v in diameters_km if v is not None and v > 0], dtype=float)
    if d.size == 0:
        return Histogram(edges=[], counts=[])
    lo = math.floor(math.log10(d_min_km or d.min()) * bins_per_decade)
    # +1e-9 so a diameter exactly on the top edge still falls inside the last bin
    hi = math.floor(math.log10(d.max()) * bins_per_decade + 1e-9) + 1
    edges = 10.0 ** (np.arange(lo, hi + 1) / bins_per_decade)
    counts, _ = np.histogram(d, bins=edges)
    return Histogram(edges=edges.tolist(), counts=counts.astype(int).tolist())


def orientation_rose(orientations_deg: Iterable[float], bin_deg: float = 10.0) -> Histogram:
    """Rose histogram of axial orientations over 0-180 degrees.

    Linear features have no direction (an azimuth of 190 is the same line as 10), so angles are
    folded modulo 180 before binning.
    """
    if bin_deg <= 0 or 180.0 % bin_deg:
        raise ValueError("bin_deg must divide 180")
    a = np.mod(np.asarray([v for v in orientations_deg if v is not None], dtype=float), 180.0)
    edges = np.linspace(0.0, 180.0, int(round(180.0 / bin_deg)) + 1)
    counts, _ = np.histogram(a, bins=edges)
    return Histogram(edges=edges.tolist(), counts=counts.astype(int).tolist())


def mean_axial_orientation(orientations_deg: Iterable[float]) -> float | None:
    """Mean of axial data (angle doubling), in [0, 180); ``None`` when empty or isotropic."""
    a = np.radians(2.0 * np.asarray([v for v in orientations_deg if v is not None], dtype=float))
    if a.size == 0:
        return None
    c, s = np.cos(a).mean(), np.sin(a).mean()
    if math.hypot(c, s) < 1e-9:
        return None
    return float(np.degrees(math.atan2(s, c)) / 2.0 % 180.0)


def confidence_histogram(confidences: Iterable[float], n_bins: int = 10) -> Histogram:
    """Histogram of detector confidences on ``n_bins`` equal bins over [0, 1]."""
    c = np.clip(np.asarray([v for v in confidences if v is not None], dtype=float), 0.0, 1.0)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    counts, _ = np.histogram(c, bins=edges)
    return Histogram(edges=edges.tolist(), counts=counts.astype(int).tolist())


def compute_stats(
    records: Iterable[FeatureRecord | Mapping[str, Any]],
    total_area_km2: float | None = None,
    bins_per_decade: int = 10,
    rose_bin_deg: float = 10.0,
) -> FeatureStats:
    """All statistics for a set of features, honouring review decisions."""
    raw = [r if isinstance(r, FeatureRecord) else record_from_mapping(r) for r in records]
    recs = effective_records(raw)
    orient = [r.orientation_deg for r in recs if r.orientation_deg is not None]
    return FeatureStats(
        total_area_km2=total_area_km2,
        n_features=len(recs),
        n_rejected=len(raw) - len(recs),
        classes=class_summary(recs, total_area_km2),
        lengths=length_stats(recs),
        diameter_histogram=diameter_histogram(
            [r.diameter_km for r in recs if r.diameter_km is not None], bins_per_decade
        ),
        orientation_rose=orientation_rose(orient, rose_bin_deg),
        mean_orientation_deg=mean_axial_orientation(orient),
        confidence_histogram=confidence_histogram([r.confidence for r in recs if r.confidence is not None]),
    )
