"""Fixtures for analysis tests: a small real checkpoint (random weights) registered as a model version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from segmentation.models import ModelVersion
from tests.rasters.conftest import _media, make_raster  # noqa: F401 - shared fixtures


@pytest.fixture(scope="session")
def small_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A genuine smp U-Net checkpoint written by the engine's own save_checkpoint, with random weights."""
    import torch

    from segmentation.engine.classes import ModelCard
    from segmentation.engine.model import build_model
    from segmentation.engine.weights import save_checkpoint

    torch.manual_seed(0)
    card = ModelCard(name="test-unet", version="v0", tile_size=128, decoder_channels=[32, 16, 16, 8, 8])
    module = build_model(len(card.classes), 1, card.encoder, tuple(card.decoder_channels))
    return save_checkpoint(module, card, tmp_path_factory.mktemp("weights"))


@pytest.fixture
def small_model(db: None, small_checkpoint: Path) -> ModelVersion:
    import json

    from segmentation.services import _sha256

    card = json.loads(small_checkpoint.with_suffix(".json").read_text())
    return ModelVersion.objects.create(
        name=card["name"], version=card["version"], weights_file=str(small_checkpoint),
        weights_sha256=_sha256(small_checkpoint), classes=card["classes"], card=card,
    )


@pytest.fixture
def mars_crop(shared_data: Path) -> Path:
    return shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"


def run_now(analysis: Any) -> Any:
    from segmentation import services

    services.analysis_run(analysis.pk)
    analysis.refresh_from_db()
    return analysis
