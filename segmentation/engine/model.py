"""Network construction: resnet18 + a slim decoder, ~12.5 M params (25 MB as fp16), ~0.2 s / 512 px tile on 2 cores."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

DEFAULT_ENCODER = "resnet18"
DEFAULT_DECODER_CHANNELS: tuple[int, ...] = (128, 64, 32, 16, 16)


def build_model(
    num_classes: int,
    in_channels: int = 1,
    encoder: str = DEFAULT_ENCODER,
    decoder_channels: tuple[int, ...] | list[int] = DEFAULT_DECODER_CHANNELS,
    **kwargs: Any,
) -> torch.nn.Module:
    """Build an ``smp.Unet`` with random encoder weights (never downloads: ``encoder_weights=None``).

    Measured on a 2-core CPU (batch 8 x 256 px train step / 4 x 512 px forward): resnet18 with the default
    (256..16) decoder 1.36 s / 3.4 s, 57 MB fp32; resnet18 with this slim decoder 1.04 s / 0.72 s, 50 MB fp32
    (25 MB fp16); mobilenet_v2 0.94 s / 0.75 s, 16.5 MB; efficientnet-b0 1.44 s / 0.65 s.
    """
    import segmentation_models_pytorch as smp

    depth = len(decoder_channels)
    return smp.Unet(
        encoder_name=encoder,
        encoder_weights=None,
        encoder_depth=depth,
        in_channels=in_channels,
        classes=num_classes,
        decoder_channels=tuple(decoder_channels),
        **kwargs,
    )
