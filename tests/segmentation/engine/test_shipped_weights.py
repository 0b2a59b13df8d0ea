"""The one test that runs the real shipped weights on a real NAC image from ../shared/data."""

import numpy as np
import pytest

from segmentation.engine.contrast_view import with_view_craters
from segmentation.engine.datasets import NAC_HOLDOUT, load_nac, shared_data_dir
from segmentation.engine.errors import WeightsError
from segmentation.engine.evaluate import crater_prf
from segmentation.engine.inference import segment_array
from segmentation.engine.instances import crater_instances
from segmentation.engine.weights import load_model


def test_shipped_model_finds_plausible_craters() -> None:
    if shared_data_dir() is None:
        pytest.fail("shared data not found (set GEOPLANET_SHARED_DATA)")
    try:
        model = load_model(device="cpu")
    except WeightsError as error:
        pytest.fail(f"the shipped weights do not load: {error}")
    nac = load_nac(NAC_HOLDOUT[0])
    res = segment_array(nac.image, model, tile=model.card.tile_size, overlap=64, crater_view=True)
    assert res.crater_view is not None
    dets = crater_instances(res.mask, res.conf)
    diam = np.array([d.diameter for d in dets])
    assert len(dets) > 20
    assert 3 < np.median(diam) < 60 and diam.max() < 800
    prf = crater_prf([(d.cx, d.cy, d.diameter) for d in dets], [(g.cx, g.cy, g.diameter) for g in nac.labels])
    assert prf["10-100"]["f1"] > 0.3  # far above chance; the card reports the full hold-out figure
    # the second view finds craters nested in bigger ones: recall rises (0.76 -> 0.82 when measured)
    both = with_view_craters(dets, res.crater_view)
    prf_both = crater_prf([(d.cx, d.cy, d.diameter) for d in both], [(g.cx, g.cy, g.diameter) for g in nac.labels])
    assert len(both) > len(dets)
    assert prf_both["10-100"]["recall"] > prf["10-100"]["recall"] + 0.02
    assert prf_both["10-100"]["f1"] > prf["10-100"]["f1"]
