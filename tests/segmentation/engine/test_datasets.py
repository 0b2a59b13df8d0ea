from pathlib import Path

import numpy as np
import pytest

from segmentation.engine.classes import IGNORE_INDEX
from segmentation.engine.datasets import (
    NAC_HOLDOUT,
    CraterLabel,
    MixedTiles,
    crater_mask,
    load_nac_crops,
    nac_image_ids,
    nac_observation,
    parse_nac_labels,
    shared_data_dir,
)


def test_parse_nac_labels(tmp_path: Path) -> None:
    p = tmp_path / "x.txt"
    p.write_text("ID,X,Y,W,H,C_X,CY\n1,10.0,20.0,8.0,6.0,14.0,23.0\n2,100,50,30,30,115,65\n")
    labels = parse_nac_labels(p)
    assert labels[0] == CraterLabel(14.0, 23.0, 7.0)
    assert labels[1] == CraterLabel(115.0, 65.0, 30.0)


def test_parse_nac_labels_with_tabs(tmp_path: Path) -> None:
    # the same dataset's test crops separate fields with tabs; they once parsed as "no craters"
    p = tmp_path / "x.txt"
    p.write_text("ID\tX\tY\tW\tH\tC_X\tCY\n1263\t366\t124\t7\t7\t369\t128\n\n")
    assert parse_nac_labels(p) == [CraterLabel(369.5, 127.5, 7.0)]


@pytest.mark.parametrize("text", ["ID;X;Y;W;H\n1;2;3;4;5\n", "ID,X,Y,W,H\n1,2,three,4,5\n", "ID,X,Y,W,H\n1,2\n"])
def test_parse_nac_labels_refuses_what_is_not_a_label(tmp_path: Path, text: str) -> None:
    p = tmp_path / "x.txt"
    p.write_text(text)
    with pytest.raises(ValueError, match="x.txt"):
        parse_nac_labels(p)


def test_crater_mask_dont_care() -> None:
    m = crater_mask((64, 64), [CraterLabel(20, 20, 20), CraterLabel(50, 50, 6), CraterLabel(22, 22, 4)])
    assert m[20, 20] == 1 and m[50, 50] == IGNORE_INDEX
    assert m[21, 21] == 1  # a tiny crater inside a real one stays crater
    assert m[5, 60] == 0


def test_real_nac_labels_and_holdout() -> None:
    if shared_data_dir() is None:
        pytest.fail("shared data not found (set GEOPLANET_SHARED_DATA)")
    ids = nac_image_ids()
    assert len(ids) == 12 and set(NAC_HOLDOUT) <= set(ids)


def test_mixed_tiles_shapes() -> None:
    tiles = MixedTiles(64, seed=1)
    x, y = next(tiles.stream())
    assert x.shape == (1, 64, 64) and x.dtype == np.float32 and y.shape == (64, 64)
    x2, _ = next(MixedTiles(64, seed=1).stream())
    assert np.array_equal(x, x2)


def test_extra_crops_are_read_only_for_the_observations_asked(tmp_path: Path) -> None:
    from PIL import Image

    for name in ("M180000082LE_cal_echo_1_1", "M1303619844LE_cal_echo_26_2"):
        Image.fromarray(np.zeros((8, 8), dtype=np.uint8)).save(tmp_path / f"{name}.png")
        (tmp_path / f"{name}.txt").write_text("ID,X,Y,W,H,C_X,CY\n1,1,1,4,4,3,3\n")
    assert [c.image_id for c in load_nac_crops(tmp_path)] == ["M1303619844LE_cal_echo_26_2",
                                                              "M180000082LE_cal_echo_1_1"]
    only = load_nac_crops(tmp_path, ["M180000082"])
    assert [c.image_id for c in only] == ["M180000082LE_cal_echo_1_1"]
    assert only[0].labels == [CraterLabel(3.0, 3.0, 4.0)]
    assert nac_observation("M1303619844LE_cal_echo_26_2") == "M1303619844"
    with pytest.raises(ValueError, match="not a NAC crop"):
        nac_observation("crop_7")


def test_training_observations_refuse_a_missing_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from segmentation.engine import datasets

    monkeypatch.setattr(datasets, "shared_data_dir", lambda: tmp_path)  # a folder with no NAC images
    with pytest.raises(FileNotFoundError, match="no NAC images"):
        datasets.nac_training_observations()
