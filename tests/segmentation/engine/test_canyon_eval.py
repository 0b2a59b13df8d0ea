"""The canyon scale target with the shipped weights: a canyon ten times the widest training valley, 2048 px scene."""

from __future__ import annotations

from segmentation.engine.canyon_eval import canyon_scores
from segmentation.engine.weights import load_model


def test_coarser_levels_map_a_canyon_ten_times_the_training_valleys() -> None:
    """Seed 0 (the scene the pipeline change was developed on; `MODEL_CARD.md` has six scenes): at the image's own
    level almost none of the 300 px canyon is valley; the 1/4 and 1/8 levels' valleys, fused in, cover most of it
    without spilling onto the plateau, and the shadow tone drops craters that the canyon's shadow would give."""
    scores = canyon_scores(load_model(device="cpu"), seed=0)
    assert scores["levels"] == [0.5, 0.25, 0.125]
    assert scores["canyon_valley_share_own_level"] < 0.05
    assert scores["canyon_valley_share_fused"] > 0.6, scores  # 0.79 measured
    assert scores["plateau_valley_share"] < 0.03, scores
    assert scores["craters_in_canyon"] < 0.5 * scores["craters_in_canyon_before_light_check"], scores
