import io
from pathlib import Path

import numpy as np
import pytest

from segmentation.engine.classes import IGNORE_INDEX
from segmentation.engine.diagnostics import ClassTally, diagnose, format_diagnosis
from segmentation.engine.synthetic import RIDGE, VALLEY
from segmentation.engine.weights import LoadedModel


def _bar_tile() -> tuple[np.ndarray, np.ndarray]:
    mask = np.zeros((100, 100), np.uint8)
    mask[40:50, :] = RIDGE
    mask[0:5, 0:5] = IGNORE_INDEX
    signal = np.zeros((100, 100), np.float32)
    signal[40:50, :] = 0.3
    signal[40:50, :10] = 0.01  # a faint stretch of the label
    return mask, signal


def test_perfect_and_empty_predictions() -> None:
    mask, signal = _bar_tile()
    perfect = ClassTally()
    perfect.add(RIDGE, mask, mask.copy(), signal)
    r = perfect.to_dict()
    assert r["recall"] == 1.0 and r["false_positive_px"] == 0 and r["tiles_missed"] == 0
    assert r["faint_share_lt_0.02"] == pytest.approx(0.1) and r["recall_visible_ge_0.02"] == 1.0
    empty = ClassTally()
    empty.add(RIDGE, mask, np.zeros_like(mask), signal)
    r = empty.to_dict()
    assert r["recall"] == 0.0 and r["tiles_missed"] == 1
    assert r["missed_predicted_as"]["background"] == 1.0


def test_false_positives_split_by_truth_and_distance() -> None:
    mask, signal = _bar_tile()
    mask[80:90, 80:90] = VALLEY
    pred = mask.copy()
    pred[50:52, :] = RIDGE  # 200 px hugging the label (1-2 px away)
    pred[80:90, 80:90] = RIDGE  # 100 px on a valley, 31-40 px away
    pred[0:5, 0:5] = RIDGE  # don't-care pixels are never false positives
    t = ClassTally()
    t.add(RIDGE, mask, pred, signal)
    r = t.to_dict()
    assert r["false_positive_px"] == 300
    assert r["false_positive_truth"]["background"] == pytest.approx(2 / 3)
    assert r["false_positive_truth"]["valley"] == pytest.approx(1 / 3)
    assert r["false_positive_distance"] == pytest.approx({"<=3px": 2 / 3, "3-20px": 0.0, ">20px": 1 / 3})
    # a tile without the label: every prediction of the class is a far-off false positive
    t.add(RIDGE, np.zeros_like(mask), np.full_like(mask, RIDGE), None)
    assert t.to_dict()["false_positive_distance"][">20px"] == pytest.approx((100 + 10000) / 10300)


def test_diagnose_on_held_out_tiles(tiny_model: LoadedModel) -> None:
    r = diagnose(tiny_model, n_synthetic=8)
    for name in ("valley", "ridge"):
        assert r[name]["tiles_with_label"] >= 2  # tiles 0-7 hold 3 ridges and 4 valleys
        assert r[name]["control_p99"] < 1e-3  # the renders without the feature line up with the full ones
        assert 0 <= r[name]["recall"] <= 1
    assert "ridge:" in format_diagnosis(r)


@pytest.mark.slow
def test_evaluate_command_with_diagnosis(tmp_path: Path) -> None:
    from django.core.management import call_command

    from segmentation.engine.classes import ModelCard
    from segmentation.engine.model import build_model
    from segmentation.engine.weights import save_checkpoint
    from segmentation.management.commands.evaluate_segmenter import Command

    card = ModelCard(version="v1", encoder="resnet18", decoder_channels=[16, 8, 8], tile_size=128)
    weights = save_checkpoint(build_model(4, 1, "resnet18", (16, 8, 8)), card, tmp_path)
    out = io.StringIO()
    call_command(Command(), "--model", str(weights), "--n-synthetic", "2", "--no-contrast-view", "--diagnose",
                 "--no-real", stdout=out)
    text = out.getvalue()
    assert "per-class IoU" in text and "crater detection" in text
    assert "valley/ridge error breakdown" in text and "alignment check" in text
