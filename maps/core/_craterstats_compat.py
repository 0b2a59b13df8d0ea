"""Thin, single entry point to the craterstats package.

craterstats 3.2.1 is the last release for Python 3.11 and predates NumPy 2: it still refers to
``np.Inf`` (Cratercount.getplotdata) and ``np.math`` (gm.maths.poisson). Both were removed in
NumPy 2.0, so fits with a diameter range and every Poisson age fail with AttributeError.
Rather than fork the package we restore the two aliases once, before craterstats is used;
they point to the exact objects NumPy 1.x exposed, so behaviour is unchanged.
"""

from __future__ import annotations

import importlib.resources
import math
from functools import lru_cache
from types import ModuleType
from typing import Any

import numpy as np

_patched = False


def ensure_numpy_compat() -> None:
    """Restore the NumPy 1.x aliases craterstats 3.2.1 still uses (idempotent)."""
    global _patched
    if _patched:
        return
    # setattr on the module: numpy's module __getattr__ is only consulted for missing names.
    if "Inf" not in np.__dict__:
        np.Inf = np.inf  # type: ignore[attr-defined]
    if "math" not in np.__dict__:
        np.math = math  # type: ignore[attr-defined]
    _patched = True


def craterstats() -> ModuleType:
    """Return the craterstats package with the NumPy compatibility aliases in place."""
    ensure_numpy_compat()
    import craterstats as cst

    return cst


def craterstats_version() -> str:
    """Version string of the installed craterstats (recorded with every fitted age)."""
    return str(craterstats().__version__)


@lru_cache(maxsize=1)
def functions_text() -> str:
    """Text of the ``functions.txt`` shipped inside craterstats, comments removed as its CLI does."""
    craterstats()
    import craterstats.gm as gm

    path = importlib.resources.files("craterstats.config").joinpath("functions.txt")
    with importlib.resources.as_file(path) as p:
        return str(gm.read_textfile(str(p), ignore_hash=True, strip=";", as_string=True))


@lru_cache(maxsize=1)
def functions() -> dict[str, Any]:
    """Parsed craterstats function definitions (chronology systems, PFs, CFs, epochs)."""
    craterstats()
    import craterstats.gm as gm

    return dict(gm.read_textstructure(functions_text(), from_string=True))
