"""Class-mask overlay tiles: the analysis' uint8 mask coloured by class, transparent on background.

Plain Python (no Django): same grids as the image tiles (rasters.core.tiles), nearest-neighbour resampling
so class indices never blend.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import morecantile
import numpy as np
from rasterio.enums import Resampling
from rio_tiler.errors import TileOutsideBounds
from rio_tiler.io import Reader
from rio_tiler.models import ImageData

from rasters.core.safe_open import open_raster
from rasters.core.tiles import TILE_SIZE, pixel_tile_window


def class_colormap(classes: Sequence[dict[str, object]], alpha: int = 170) -> dict[int, tuple[int, int, int, int]]:
    """rio-tiler colormap from the model's class list; index 0 (background) stays transparent."""
    colors: dict[int, tuple[int, int, int, int]] = {i: (0, 0, 0, 0) for i in range(256)}
    for spec in classes:
        index = int(spec["index"])  # type: ignore[call-overload]
        if index == 0:
            continue
        r, g, b = (int(c) for c in spec["color"])  # type: ignore[attr-defined]
        colors[index] = (r, g, b, alpha)
    return colors


def render_mask_tile(
    mask_path: str | os.PathLike[str],
    z: int,
    x: int,
    y: int,
    *,
    classes: Sequence[dict[str, object]],
    tms: morecantile.TileMatrixSet | None,
    tilesize: int = TILE_SIZE,
) -> bytes | None:
    """A PNG of the class mask for tile z/x/y, on the body's lon/lat grid (``tms``) or in pixel space (None)."""
    colormap = class_colormap(classes)
    with open_raster(mask_path) as dataset:
        if tms is not None:
            with Reader(None, dataset=dataset, tms=tms) as reader:
                if not reader.tile_exists(x, y, z):
                    return None
                try:
                    image = reader.tile(x, y, z, tilesize=tilesize, indexes=1, resampling_method="nearest")
                except TileOutsideBounds:
                    return None
            return image.render(img_format="PNG", colormap=colormap)
        grid = pixel_tile_window(dataset.width, dataset.height, z, x, y, tilesize)
        if grid is None:
            return None
        window, (out_h, out_w), _ = grid
        data = dataset.read(1, window=window, out_shape=(out_h, out_w), resampling=Resampling.nearest)
    canvas = np.zeros((1, tilesize, tilesize), dtype=np.uint8)
    canvas[0, :out_h, :out_w] = data
    return ImageData(canvas).render(img_format="PNG", colormap=colormap)
