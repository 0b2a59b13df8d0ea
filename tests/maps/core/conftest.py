"""Fixtures: shared reference data and a runner for the craterstats CLI itself."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared import require_shared_data

REPO = Path(__file__).resolve().parents[3]

# craterstats 3.2.1 predates NumPy 2; the CLI needs the same two aliases our core restores.
_CLI = (
    "import math, sys, numpy\n"
    "numpy.Inf = numpy.inf\n"
    "numpy.math = math\n"
    "from craterstats.cli import main\n"
    "main(sys.argv[1:])\n"
)


@pytest.fixture(scope="session")
def csfd_ref() -> Path:
    d = require_shared_data() / "mars" / "csfd_reference"
    if not (d / "Pickering.scc").exists():
        pytest.fail(f"shared CSFD reference data not found in {d}")
    return d


def run_craterstats(args: list[str], cwd: Path) -> None:
    """Run the craterstats CLI (same interpreter) in ``cwd``; fail the test on error."""
    proc = subprocess.run(  # noqa: S603 - fixed interpreter and arguments built by the tests
        [sys.executable, "-c", _CLI, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]


def read_summary_csv(path: Path) -> list[dict[str, str]]:
    """Parse craterstats' summary csv (two banner lines, then a header row)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Name,"))
    rows = list(csv.reader(io.StringIO("\n".join(lines[start:]))))
    header = rows[0]
    # Age/N(1) labels repeat in the formatted columns; keep the first (numeric) occurrence.
    out = []
    for r in rows[1:]:
        d: dict[str, str] = {}
        for k, v in zip(header, r, strict=False):
            d.setdefault(k, v)
        out.append(d)
    return out


def read_stat(path: Path) -> list[list[float]]:
    """Numeric rows of a craterstats ``.stat`` export."""
    rows = []
    for ln in path.read_text(encoding="utf-8").splitlines():
        if ln.strip() and not ln.startswith("#"):
            rows.append([float(v) for v in ln.split()])
    return rows
