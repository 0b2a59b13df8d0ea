from pathlib import Path

import pytest
import torch

from segmentation.engine.classes import ModelCard
from segmentation.engine.errors import WeightsError
from segmentation.engine.model import build_model
from segmentation.engine.soup import average_checkpoints
from segmentation.engine.weights import load_model, save_checkpoint


def _checkpoint(tmp_path: Path, name: str, seed: int, decoder: tuple[int, ...] = (16, 8, 8)) -> Path:
    torch.manual_seed(seed)
    net = build_model(4, 1, "resnet18", decoder)
    # batch-norm statistics differ too, so the average of buffers is checked as well as of parameters
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            assert m.running_mean is not None and m.running_var is not None
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
    card = ModelCard(version="v1", encoder="resnet18", decoder_channels=list(decoder), tile_size=64,
                     metrics={"synthetic_mean_iou_fg": 0.5})
    return save_checkpoint(net, card, tmp_path / name)


def test_average_is_the_weighted_mean_of_both_weight_sets(tmp_path: Path) -> None:
    a, b = _checkpoint(tmp_path, "a", 1), _checkpoint(tmp_path, "b", 2)
    sa, sb = load_model(a).module.state_dict(), load_model(b).module.state_dict()
    out = average_checkpoints(a, b, 0.25, version="v9", out_dir=tmp_path / "mix")
    mixed = load_model(out)  # the written file passes the hash check
    sm = mixed.module.state_dict()
    for k in sm:
        if sm[k].is_floating_point():
            # stored in float16, so compare within its precision
            expected = 0.75 * sa[k] + 0.25 * sb[k]
            assert torch.allclose(sm[k], expected, atol=2e-3, rtol=2e-3), k
        else:
            assert torch.equal(sm[k], sb[k]), k
    assert not torch.allclose(sm["segmentation_head.0.weight"], sa["segmentation_head.0.weight"])
    assert mixed.card.version == "v9" and mixed.card.metrics == {}
    assert mixed.card.config["weight_average"]["alpha"] == 0.25


def test_endpoints_reproduce_their_checkpoint(tmp_path: Path) -> None:
    a, b = _checkpoint(tmp_path, "a", 1), _checkpoint(tmp_path, "b", 2)
    sa = load_model(a).module.state_dict()
    s0 = load_model(average_checkpoints(a, b, 0.0, version="v3", out_dir=tmp_path / "m0")).module.state_dict()
    assert all(torch.equal(s0[k], sa[k]) for k in sa if sa[k].is_floating_point())


def test_different_networks_or_bad_alpha_are_refused(tmp_path: Path) -> None:
    a = _checkpoint(tmp_path, "a", 1)
    other = _checkpoint(tmp_path, "c", 3, decoder=(8, 8, 8))
    with pytest.raises(WeightsError, match="not the same network"):
        average_checkpoints(a, other, 0.5, version="v3", out_dir=tmp_path / "x")
    with pytest.raises(WeightsError, match="alpha"):
        average_checkpoints(a, a, 1.5, version="v3", out_dir=tmp_path / "y")
