"""Training: seeded runs repeat exactly, fine-tuning starts from the given weights, cards record the run."""

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import torch

from segmentation.engine.train import TrainConfig, config_from_args, state_path, train, use_bf16
from segmentation.engine.weights import load_model
from tests.shared import require_shared_data

TINY: dict[str, Any] = {"steps": 2, "batch_size": 2, "tile": 64, "decoder_channels": [16, 8, 8], "infer_tile": 256,
        "eval_synthetic": 2, "device": "cpu", "workers": 0, "threads": 1, "log_every": 1}


@pytest.fixture(autouse=True)
def _shared_data() -> None:
    require_shared_data()


def _state(path: Path | None) -> dict[str, torch.Tensor]:
    assert path is not None
    return load_model(path, "cpu").module.state_dict()


def _same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_seeded_runs_repeat_and_cards_record_them(tmp_path: Path) -> None:
    one = train(TrainConfig(out=str(tmp_path / "a"), seed=3, **TINY))
    two = train(TrainConfig(out=str(tmp_path / "b"), seed=3, **TINY))
    other = train(TrainConfig(out=str(tmp_path / "c"), seed=4, **TINY))
    assert one.steps_done == two.steps_done == 2
    assert _same(_state(one.weights_path), _state(two.weights_path))
    assert not _same(_state(one.weights_path), _state(other.weights_path))
    card = load_model(one.weights_path, "cpu").card
    assert card.config["seed"] == 3 and card.decoder_channels == [16, 8, 8] and card.tta_flips == 1
    assert {"crater_f1_10_100px_nac_holdout", "synthetic_mean_iou_fg", "eval_tta_flips"} <= card.metrics.keys()
    assert (tmp_path / "a" / "MODEL_CARD.md").read_text().startswith("# Model card")


def test_fine_tuning_starts_from_the_given_weights(tmp_path: Path) -> None:
    base = train(TrainConfig(out=str(tmp_path / "base"), seed=0, **TINY))
    # a zero learning rate leaves the starting weights untouched, BatchNorm running statistics aside
    tuned = train(TrainConfig(out=str(tmp_path / "ft"), seed=1, lr=0.0, init=str(base.weights_path), tta_flips=2,
                              **TINY))
    a, b = _state(base.weights_path), _state(tuned.weights_path)
    learned = [k for k in a if not k.endswith(("running_mean", "running_var", "num_batches_tracked"))]
    assert all(torch.equal(a[k], b[k]) for k in learned)
    assert load_model(tuned.weights_path, "cpu").tta == 2
    assert base.weights_path is not None
    assert "fine-tuning " + base.weights_path.name in load_model(tuned.weights_path, "cpu").card.training_data
    with pytest.raises(ValueError, match="architecture"):
        train(TrainConfig(out=str(tmp_path / "x"), init=str(base.weights_path), **{**TINY, "decoder_channels": [8, 8]}))


def test_config_file_then_flags(tmp_path: Path) -> None:
    cfg = tmp_path / "c.json"
    cfg.write_text('{"steps": 7, "lr": 0.01, "init": "w.pt"}')
    c = config_from_args(["--config", str(cfg), "--steps", "9", "--time-budget", "60"])
    assert (c.steps, c.lr, c.init, c.time_budget_s) == (9, 0.01, "w.pt", 60.0)


def test_chunks_resume_where_they_stopped(tmp_path: Path) -> None:
    # a chunk budget this small stops after every step: three calls make the three steps, and only the last
    # writes weights and a card (the GPU configuration runs this way, in calls of a few minutes each)
    cfg = TrainConfig(out=str(tmp_path), seed=5, chunk_s=1e-6, **{**TINY, "steps": 3})
    first = train(cfg)
    assert first.weights_path is None and first.steps_done == 1
    assert state_path(cfg).is_file()
    second = train(TrainConfig(**{**asdict(cfg), "resume": True}))
    assert second.weights_path is None and second.steps_done == 2
    last = train(TrainConfig(**{**asdict(cfg), "resume": True}))
    assert last.steps_done == 3 and last.weights_path is not None and not state_path(cfg).exists()
    assert "3 steps" in load_model(last.weights_path, "cpu").card.training_data


def test_a_failed_evaluation_keeps_the_trained_weights(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An hour of CPU training once ended in an error inside the evaluation, before any weights were written.
    from segmentation.engine import evaluate

    cfg = TrainConfig(out=str(tmp_path), seed=6, **{**TINY, "steps": 2})
    real_evaluate = evaluate.evaluate_model

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ImportError("the evaluation broke")

    monkeypatch.setattr(evaluate, "evaluate_model", broken)
    with pytest.raises(ImportError):
        train(cfg)
    kept = torch.load(state_path(cfg), map_location="cpu", weights_only=False)
    assert kept["step"] == 2
    monkeypatch.setattr(evaluate, "evaluate_model", real_evaluate)
    # resumed, nothing more is trained: the kept weights are evaluated and written
    done = train(TrainConfig(**{**asdict(cfg), "resume": True}))
    assert done.steps_done == 2 and done.weights_path is not None and not state_path(cfg).exists()
    saved, trained = _state(done.weights_path), kept["model"]
    assert saved.keys() == trained.keys()
    # the checkpoint stores float16
    assert all(torch.equal(saved[k].float(), trained[k].half().float()) if trained[k].is_floating_point()
               else torch.equal(saved[k], trained[k]) for k in saved)


def test_labelled_mosaics_and_the_realistic_generator_join_training(tmp_path: Path) -> None:
    run = train(TrainConfig(out=str(tmp_path), seed=2, synth="realistic", mosaics=["mola-east", "moon-dem-west"],
                            mosaic_fraction=0.5, **TINY))
    assert run.weights_path is not None
    data = load_model(run.weights_path, "cpu").card.training_data
    assert "generator 'realistic'" in data and "['mola-east', 'moon-dem-west']" in data
    with pytest.raises(ValueError, match="unknown mosaics"):
        train(TrainConfig(out=str(tmp_path / "x"), mosaics=["mola-west"], **TINY))


def test_bf16_autocast_choice() -> None:
    assert use_bf16("off", "cuda") is False and use_bf16("bf16", "cpu") is True and use_bf16("auto", "cuda:0")
    assert use_bf16("auto", "cpu") == bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def test_extra_nac_crops_join_training_only_for_training_observations(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np
    from PIL import Image

    from segmentation.engine.datasets import NAC_EXTRA_ENV, NAC_HOLDOUT, nac_image_ids

    folder = tmp_path / "extra"
    folder.mkdir()
    trained = sorted(set(nac_image_ids()) - set(NAC_HOLDOUT))[0]
    for name in (f"{trained}LE_cal_echo_1_1", f"{NAC_HOLDOUT[0]}LE_cal_echo_2_2", "M1303619844LE_cal_echo_26_2"):
        Image.fromarray(np.full((96, 96), 100, dtype=np.uint8)).save(folder / f"{name}.png")
        (folder / f"{name}.txt").write_text("ID,X,Y,W,H,C_X,CY\n1,40,40,16,16,48,48\n")
    monkeypatch.delenv(NAC_EXTRA_ENV, raising=False)
    with pytest.raises(FileNotFoundError, match=NAC_EXTRA_ENV):
        train(TrainConfig(out=str(tmp_path / "x"), nac_extra=True, **TINY))
    monkeypatch.setenv(NAC_EXTRA_ENV, str(folder))
    run = train(TrainConfig(out=str(tmp_path / "y"), nac_extra=True, **TINY))
    assert run.card is not None
    # of the three crops only the training observation's joins: 9 shared training images + 1
    assert "with 1 crops of the same observations" in run.card.training_data
