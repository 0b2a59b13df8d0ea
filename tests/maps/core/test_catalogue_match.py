"""Detections against the real Robbins & Hynek catalogue: a known sub-sample with known perturbations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from maps.core.catalogue_match import Craters, diameter_edges, match_catalogue
from maps.core.catalogues import CatalogueError, catalogue_spec, read_catalogue
from segmentation.engine.evaluate import match_craters
from tests.maps.catalogue_sample import MARS_KM, known_sample
from tests.shared import require_shared_data

BOX = (20.0, -10.0, 40.0, 10.0)


def test_known_subsample_of_robbins_gives_exact_counts() -> None:
    sample = known_sample(BOX)
    ref = sample.reference
    assert len(ref) > 5000  # every D >= 1 km crater of a 20 x 20 degree box
    assert sample.matched >= 50 and len(sample.displaced) >= 20
    detections = Craters.from_rows([(k, *row) for k, row in enumerate(sample.detections)])
    result = match_catalogue(detections, ref, MARS_KM, range_km=(1.0, 1e4))
    totals = result.totals()
    assert totals["matched"] == sample.matched
    assert totals["new"] == len(sample.displaced)
    assert totals["missed"] == len(ref) - sample.matched
    matched_refs = {b for _, b in result.pairs}
    assert matched_refs == set(sample.exact) | set(sample.moved)
    assert not matched_refs & (set(sample.omitted) | set(sample.displaced))
    assert totals["completeness"] == pytest.approx(totals["matched"] / len(ref))
    assert totals["precision"] == pytest.approx(totals["matched"] / len(detections))
    # Bins add up to the totals, each matched crater in its catalogue crater's bin.
    assert sum(b["matched"] for b in result.bins) == totals["matched"]
    assert sum(b["missed"] for b in result.bins) == totals["missed"]
    assert sum(b["new"] for b in result.bins) == totals["new"]
    matched_d = ref.diameter_km[sorted(matched_refs)]
    for b in result.bins:
        assert b["matched"] == int(np.sum((matched_d >= b["min_km"]) & (matched_d < b["max_km"])))
    small = [b for b in result.bins if b["max_km"] <= 4]  # the sample starts at 5 km
    assert small and all(b["matched"] == 0 and b["completeness"] == 0 for b in small)


def test_same_pairs_as_the_planar_rule_near_the_equator() -> None:
    """Within a degree of the equator great-circle km and planar km agree: the rule is the evaluation's one."""
    rng = np.random.default_rng(7)
    ref_lon, ref_lat = rng.uniform(-1, 1, 60), rng.uniform(-1, 1, 60)
    ref_d = rng.uniform(3, 20, 60)
    det_lon = ref_lon + rng.normal(0, 0.08, 60)
    det_lat = ref_lat + rng.normal(0, 0.08, 60)
    det_d = ref_d * rng.uniform(0.6, 1.6, 60)
    km = np.radians(1) * MARS_KM
    pairs = match_craters(list(zip(det_lon * km, det_lat * km, det_d, strict=True)),
                          list(zip(ref_lon * km, ref_lat * km, ref_d, strict=True)))
    result = match_catalogue(Craters(np.arange(60), det_lon, det_lat, det_d),
                             Craters(np.arange(60), ref_lon, ref_lat, ref_d), MARS_KM)
    assert len(pairs) > 10
    assert sorted(result.pairs) == sorted(pairs)


def test_out_of_range_detections_are_not_new() -> None:
    ref = Craters(np.arange(1), np.array([0.0]), np.array([0.0]), np.array([10.0]))
    det = Craters(np.arange(3), np.array([0.0, 5.0, 6.0]), np.array([0.0, 0.0, 0.0]), np.array([10.5, 2.0, 12.0]))
    result = match_catalogue(det, ref, MARS_KM, range_km=(5.0, 20.0))
    assert result.totals() | {} == {"matched": 1, "missed": 0, "new": 1, "outside_range": 1,
                                   "completeness": 1.0, "precision": 0.5}


def test_bin_edges_are_powers_of_two() -> None:
    assert list(diameter_edges(np.array([1.5, 7.9]))) == [1.0, 2.0, 4.0, 8.0]
    assert list(diameter_edges(np.array([4.0]))) == [4.0, 8.0]


@pytest.mark.parametrize(("text", "message"), [
    ("LATITUDE_CIRCLE_IMAGE,LONGITUDE_CIRCLE_IMAGE,DIAM_CIRCLE_IMAGE_KM\n1,2,x\n", "line 2: DIAM_CIRCLE_IMAGE_KM"),
    ("LATITUDE_CIRCLE_IMAGE,LONGITUDE_CIRCLE_IMAGE,DIAM_CIRCLE_IMAGE_KM\n1,2,3\n95,2,3\n", "line 3: latitude 95"),
    ("LATITUDE_CIRCLE_IMAGE,LONGITUDE_CIRCLE_IMAGE,DIAM_CIRCLE_IMAGE_KM\n1,2,-3\n", "diameter -3.0 is not positive"),
    ("LATITUDE_CIRCLE_IMAGE,LONGITUDE_CIRCLE_IMAGE,DIAM_CIRCLE_IMAGE_KM\n1,400,3\n", "longitude 400"),
    ("lat,lon,d\n1,2,3\n", "no column"),
])
def test_malformed_catalogue_names_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(CatalogueError, match=message):
        list(read_catalogue(path, catalogue_spec("robbins2012")))


def test_lroc_quoted_tag_across_lines_and_longitudes_folded(tmp_path: Path) -> None:
    spec = catalogue_spec("lroc-5-20km")
    rows = list(read_catalogue(require_shared_data() / spec.path, spec))
    assert len(rows) == 19335
    assert all(-180 <= lon <= 180 and 5 <= d <= 20.1 for lon, _, d in rows)
    path = tmp_path / "east.csv"
    path.write_text(",Unnamed: 0,Diameter (km),Long,Lat,tag\n0,0,7.5,350.0,1.0,standard\n")
    assert list(read_catalogue(path, spec)) == [(-10.0, 1.0, 7.5)]
