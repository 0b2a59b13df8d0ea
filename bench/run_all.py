"""Run every ``bench/bench_*.py`` and print one table of figures beside their same-run baselines.

    .venv/bin/python bench/run_all.py [NAME ...]      (NAME: e.g. ``tiles`` for bench_tiles.py; default: all)

A module with a top-level ``run()`` is run in its own child process (``run_all.py --child``), which imports it,
calls ``run()`` and hands the rows back as JSON: one benchmark's Django setup, database or crash cannot leak into
the next. A module without ``run()`` is run as a script and its stdout is included verbatim. A failing benchmark
leaves an error row and the runner goes on. The table also goes to ``bench/out/latest.md`` (git-ignored).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DEFAULT_DATABASE_URL, REPO, Row, error_row  # noqa: E402

BENCH_DIR = REPO / "bench"
OUT_DIR = BENCH_DIR / "out"
TIMEOUT_S = int(os.environ.get("BENCH_TIMEOUT", "1800"))
COLUMNS = ("benchmark", "figure", "value", "baseline (same run)", "baseline value", "ratio", "note")


@dataclass
class Result:
    """What one module produced: rows from ``run()``, or the verbatim stdout of a script."""

    module: str
    rows: list[Row] = field(default_factory=list)
    raw: str = ""
    seconds: float = 0.0


# --- discovery and execution ----------------------------------------------------------------------------------


def discover(names: list[str] | None = None) -> list[Path]:
    """``bench/bench_*.py`` in name order, optionally only those named (``tiles`` or ``bench_tiles``)."""
    paths = sorted(BENCH_DIR.glob("bench_*.py"))
    if names:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in (Path(n).stem for n in names)}
        paths = [p for p in paths if p.stem in wanted]
    return paths


def has_run(path: Path) -> bool:
    """Whether the module defines a top-level ``run`` function (read without importing it)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return any(isinstance(node, ast.FunctionDef) and node.name == "run" for node in tree.body)


def run_module(path: Path) -> Result:
    """Run one benchmark module in a child process; never raises."""
    started = time.perf_counter()
    result = Result(module=path.stem)
    try:
        if has_run(path):
            result.rows = _run_child(path)
        else:
            result.raw = _run_script(path)
    except Exception as error:  # noqa: BLE001 - a failing benchmark becomes an error row
        result.rows = [error_row(path.stem, f"{type(error).__name__}: {error}")]
    for item in result.rows:
        item.setdefault("bench", path.stem)
    result.seconds = time.perf_counter() - started
    return result


def _run_child(path: Path) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out = Path(tmp) / "rows.json"
        # The child's own output (progress, warnings) goes to our stderr so stdout keeps only the table.
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(path), str(out)],
            cwd=REPO, stdout=sys.stderr, stderr=sys.stderr, timeout=TIMEOUT_S, check=False,
        )
        if not out.exists():
            return [error_row(path.stem, f"exited with status {proc.returncode} before returning rows")]
        return list(json.loads(out.read_text()))


def _run_script(path: Path) -> str:
    proc = subprocess.run([sys.executable, str(path)], cwd=REPO, capture_output=True, text=True,
                          timeout=TIMEOUT_S, check=False)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["(no error output)"]
        raise RuntimeError(f"exited with status {proc.returncode}: {tail[0]}")
    return proc.stdout


def child(path: Path, out: Path) -> int:
    """Import ``path``, call its ``run()`` and write the rows (or an error row) to ``out`` as JSON."""
    rows: list[Row]
    try:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        rows = list(module.run())
        status = 0
    except Exception as error:  # noqa: BLE001 - reported as a row, with the traceback on stderr
        import traceback

        traceback.print_exc()
        rows = [error_row(path.stem, f"{type(error).__name__}: {error}")]
        status = 1
    out.write_text(json.dumps(rows, default=float))
    return status


# --- the machine ----------------------------------------------------------------------------------------------


def _first_match(path: str, pattern: str) -> str | None:
    try:
        match = re.search(pattern, Path(path).read_text(), re.MULTILINE)
    except OSError:
        return None
    return match.group(1).strip() if match else None


def _command(*args: str) -> str | None:
    if shutil.which(args[0]) is None:
        return None
    try:
        proc = subprocess.run(list(args), capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


def _postgis_version() -> str:
    try:
        import psycopg

        url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
        with psycopg.connect(url, connect_timeout=5) as connection:
            server = connection.execute("SHOW server_version").fetchone()
            postgis = connection.execute("SELECT postgis_lib_version()").fetchone()
        return f"PostgreSQL {server[0] if server else '?'}, PostGIS {postgis[0] if postgis else '?'}"
    except Exception as error:  # noqa: BLE001 - the description must not stop the run
        return f"unknown ({type(error).__name__})"


def machine() -> dict[str, str]:
    """What the figures were measured on: CPU, cores, RAM, OS, Python, GDAL, PostGIS, GPU."""
    mem_kb = _first_match("/proc/meminfo", r"^MemTotal:\s+(\d+)")
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    try:
        import rasterio

        rasterio_gdal = f"GDAL {rasterio.__gdal_version__} (rasterio {rasterio.__version__})"
    except ImportError:
        rasterio_gdal = "rasterio missing"
    system_gdal = _command("gdal-config", "--version") or _command("gdalinfo", "--version") or "?"
    os_name = _first_match("/etc/os-release", r'^PRETTY_NAME="?([^"\n]+)') or platform.system()
    gpu = _command("nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader")
    return {
        "CPU": _first_match("/proc/cpuinfo", r"^model name\s*:\s*(.+)$") or platform.processor() or "?",
        "cores": f"{usable} usable of {cores}",
        "RAM": f"{int(mem_kb) / 1024**2:.1f} GiB" if mem_kb else "?",
        "OS": f"{os_name} (kernel {platform.release()})",
        "Python": platform.python_version(),
        "GDAL": f"{rasterio_gdal}; system GDAL {system_gdal.replace('GDAL ', '').split(',')[0]} (GeoDjango)",
        "Database": _postgis_version(),
        "GPU": gpu.replace("\n", "; ") if gpu else "none",
    }


# --- formatting -----------------------------------------------------------------------------------------------


def fmt_number(value: float | None) -> str:
    """Three significant figures, without scientific notation for everyday magnitudes."""
    if value is None:
        return "-"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1 or magnitude == 0:
        return f"{value:.2f}"
    return f"{value:.3g}"


def fmt_ratio(ratio: float | None) -> str:
    """``1.23x``, or ``-`` without a baseline."""
    return "-" if ratio is None else f"{ratio:.2f}x"


def table_cells(rows: list[Row]) -> list[list[str]]:
    """The table's cells, one list per row, in ``COLUMNS`` order."""
    cells = []
    for item in rows:
        unit = item.get("unit") or ""
        baseline_value = item.get("baseline_value")
        cells.append([
            str(item.get("bench", "")).removeprefix("bench_"),
            item["name"],
            f"{fmt_number(item.get('value'))} {unit}".strip() if item.get("value") is not None else "-",
            item.get("baseline_name") or "-",
            f"{fmt_number(baseline_value)} {unit}".strip() if baseline_value is not None else "-",
            fmt_ratio(item.get("ratio")),
            " ".join(item.get("note", "").split()),
        ])
    return cells


def format_text(rows: list[Row], info: dict[str, str]) -> str:
    """A fixed-width table headed by the machine's description."""
    cells = table_cells(rows)
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(COLUMNS)]
    widths[-1] = len(COLUMNS[-1])  # notes run free at the end of the line

    def line(values: list[str] | tuple[str, ...]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    head = [f"{key}: {value}" for key, value in info.items()]
    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    return "\n".join([*head, "", line(COLUMNS), rule, *(line(r) for r in cells)])


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_markdown(rows: list[Row], info: dict[str, str], raw: dict[str, str] | None = None) -> str:
    """The same table as Markdown, ready to paste into the README; raw script outputs as code blocks."""
    lines = ["Measured on: " + "; ".join(f"**{k}** {_md_escape(v)}" for k, v in info.items()), ""]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "|".join("---:" if c in {"value", "baseline value", "ratio"} else "---" for c in COLUMNS) + "|")
    lines.extend("| " + " | ".join(_md_escape(c) for c in r) + " |" for r in table_cells(rows))
    for module, text in (raw or {}).items():
        lines += ["", f"`{module}` (no `run()`, output verbatim):", "", "```", text.rstrip(), "```"]
    return "\n".join(lines) + "\n"


# --- entry point ----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print the table, write ``bench/out/latest.md``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: every bench_*.py)")
    parser.add_argument("--child", nargs=2, metavar=("MODULE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(Path(args.child[0]), Path(args.child[1]))

    info = machine()
    rows: list[Row] = []
    raw: dict[str, str] = {}
    for path in discover(args.names):
        print(f"[bench] {path.stem} ...", file=sys.stderr, flush=True)
        result = run_module(path)
        print(f"[bench] {path.stem} done in {result.seconds:.0f} s", file=sys.stderr, flush=True)
        rows.extend(result.rows)
        if result.raw:
            raw[path.stem] = result.raw
    text = format_text(rows, info)
    for module, output in raw.items():
        text += f"\n\n== {module} (no run(), output verbatim) ==\n{output.rstrip()}"
    print(text)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "latest.md").write_text(format_markdown(rows, info, raw))
    print(f"\nMarkdown table written to {(OUT_DIR / 'latest.md').relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
