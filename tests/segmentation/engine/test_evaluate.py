import numpy as np

from segmentation.engine.evaluate import confusion, crater_prf, iou_from_confusion, match_craters


def test_match_rules() -> None:
    gt = [(100.0, 100.0, 20.0)]
    assert match_craters([(109.0, 100.0, 20.0)], gt) == [(0, 0)]  # 9 < 0.5 * 20
    assert match_craters([(111.0, 100.0, 20.0)], gt) == []  # too far
    assert match_craters([(100.0, 100.0, 31.0)], gt) == []  # |dD|/D = 0.55
    # one-to-one, closest wins
    assert match_craters([(105.0, 100.0, 20.0), (101.0, 100.0, 20.0)], gt) == [(1, 0)]


def test_prf_bins_and_dont_care() -> None:
    gt = [(10.0, 10.0, 15.0), (50.0, 50.0, 30.0), (80.0, 80.0, 6.0)]
    pred = [(10.0, 10.0, 15.0), (80.0, 80.0, 6.5), (200.0, 200.0, 12.0)]
    r = crater_prf(pred, gt)
    assert r["10-20"]["recall"] == 1.0 and r["10-20"]["precision"] == 0.5
    assert r["20-40"]["recall"] == 0.0
    assert r["10-100"]["n_gt"] == 2 and r["10-100"]["n_pred"] == 2  # don't-care match not counted


def test_iou() -> None:
    t = np.array([[0, 1], [1, 255]])
    p = np.array([[0, 1], [0, 1]])
    iou = iou_from_confusion(confusion(p, t, 2))
    assert iou[0] == 0.5 and iou[1] == 0.5
