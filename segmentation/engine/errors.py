"""A small exception family for the segmentation engine; callers map these to user-facing messages."""

from __future__ import annotations


class SegmentationError(Exception):
    """Base class of every error the engine raises on purpose."""


class SegmentationInputError(SegmentationError):
    """The input image cannot be segmented as given."""


class UnreadableInputError(SegmentationInputError):
    """The file does not exist or no raster driver can read it."""


class EmptyInputError(SegmentationInputError):
    """The file or array holds no pixels."""


class AllNodataError(SegmentationInputError):
    """Every pixel is nodata, so there is nothing to normalise or segment."""


class UnsupportedBandLayoutError(SegmentationInputError):
    """Band count outside 1..4 (grey, grey+alpha, RGB, RGBA)."""


class SegmentationCancelled(SegmentationError):
    """The caller's cancel callback asked to stop; partial outputs were removed."""


class WeightsError(SegmentationError):
    """Weights are missing, corrupt, or their content hash does not match the file name."""
