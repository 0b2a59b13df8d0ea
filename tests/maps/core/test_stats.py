"""Class statistics from plain feature records, honouring reviews."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from maps.core.stats import (
    FeatureRecord,
    compute_stats,
    confidence_histogram,
    diameter_histogram,
    mean_axial_orientation,
    orientation_rose,
)

RECORDS: list[FeatureRecord | Mapping[str, Any]] = [
    {"class": "crater", "area_km2": 10.0, "diameter_km": 3.0, "confidence": 0.95},
    {"class": "crater", "area_km2": 5.0, "diameter_km": 2.0, "confidence": 0.85, "review_status": "accepted"},
    {"class": "crater", "area_km2": 100.0, "diameter_km": 11.0, "confidence": 0.2, "review_status": "Rejected"},
    {"class_name": "ridge", "area_km2": 2.0, "length_km": 40.0, "orientation_deg": 10.0, "confidence": 0.7},
    # detected as a crater, relabelled by a reviewer: counts as a valley
    {"class": "crater", "relabelled_to": "valley", "area_km2": 3.0, "length_km": 20.0, "orientation_deg": 190.0},
    # caller already relabelled the class itself
    FeatureRecord("valley", area_km2=1.0, length_km=10.0, orientation_deg=100.0, review_status="relabelled"),
]


def test_counts_areas_and_fractions_honour_reviews() -> None:
    s = compute_stats(RECORDS, total_area_km2=100.0)
    assert s.n_features == 5 and s.n_rejected == 1
    by = {c.class_name: c for c in s.classes}
    assert set(by) == {"crater", "ridge", "valley"}
    assert by["crater"].count == 2 and by["crater"].area_km2 == pytest.approx(15.0)
    assert by["crater"].area_fraction == pytest.approx(0.15)
    assert by["crater"].density_per_km2 == pytest.approx(0.02)
    assert by["crater"].mean_confidence == pytest.approx(0.9)
    assert by["valley"].count == 2 and by["valley"].area_km2 == pytest.approx(4.0)
    lengths = {ls.class_name: ls for ls in s.lengths}
    assert lengths["valley"].total_km == 30.0 and lengths["valley"].mean_km == 15.0
    assert lengths["ridge"].count == 1 and lengths["ridge"].std_km == 0.0
    # the rejected 11 km crater is gone from the diameter histogram
    assert sum(s.diameter_histogram.counts) == 2 and s.diameter_histogram.edges[-1] < 11.0


def test_orientation_rose_folds_axial_angles() -> None:
    rose = orientation_rose([5.0, 185.0, 95.0, 275.0, 179.0, -1.0, 0.0, 180.0])
    assert len(rose.counts) == 18 and rose.edges[0] == 0.0 and rose.edges[-1] == 180.0
    assert rose.counts[0] == 4  # 5, 185 -> 5; 0; 180 -> 0
    assert rose.counts[9] == 2  # 95 and 275 -> 95
    assert rose.counts[17] == 2  # 179 and -1 -> 179
    assert sum(rose.counts) == 8


def test_mean_axial_orientation_wraps() -> None:
    # 170 and 10 are 20 degrees apart across north/south: the axial mean is 0, not 90.
    assert mean_axial_orientation([170.0, 10.0]) == pytest.approx(0.0, abs=1e-9) or mean_axial_orientation(
        [170.0, 10.0]
    ) == pytest.approx(180.0)
    assert mean_axial_orientation([40.0, 220.0, 50.0, 230.0]) == pytest.approx(45.0, abs=1e-9)
    assert mean_axial_orientation([]) is None
    assert mean_axial_orientation([0.0, 90.0]) is None


def test_diameter_histogram_log_bins() -> None:
    h = diameter_histogram([1.0, 1.5, 9.9, 10.0], bins_per_decade=1)
    assert h.edges == pytest.approx([1.0, 10.0, 100.0]) and h.counts == [3, 1]
    assert diameter_histogram([]).counts == []


def test_confidence_histogram() -> None:
    h = confidence_histogram([0.0, 0.05, 0.55, 1.0, 1.2], n_bins=10)
    assert h.counts[0] == 2 and h.counts[5] == 1 and h.counts[9] == 2


def test_bad_inputs() -> None:
    with pytest.raises(ValueError):
        compute_stats([{"area_km2": 1.0}])
    with pytest.raises(ValueError):
        compute_stats(RECORDS, total_area_km2=0.0)
    with pytest.raises(ValueError):
        orientation_rose([1.0], bin_deg=7.0)
