"""Tiny models and helpers for the engine tests (no Django, no shipped weights needed)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from segmentation.engine.classes import ModelCard
from segmentation.engine.weights import LoadedModel, wrap_module


class TinyNet(torch.nn.Module):
    """Two 3x3 convs: a 5 px receptive field keeps tiled and untiled outputs comparable."""

    def __init__(self, classes: int = 4) -> None:
        super().__init__()
        self.a = torch.nn.Conv2d(1, 8, 3, padding=1)
        self.b = torch.nn.Conv2d(8, classes, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.b(torch.tanh(self.a(x)))


@pytest.fixture
def tiny_model() -> LoadedModel:
    torch.manual_seed(0)
    return wrap_module(TinyNet(), ModelCard(tile_size=64), "cpu")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
