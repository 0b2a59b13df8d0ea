"""Fixtures for the whole-journey browser test: a private media folder shared with the real worker."""

from tests.rasters.conftest import _media  # noqa: F401 - autouse fixture re-exported
