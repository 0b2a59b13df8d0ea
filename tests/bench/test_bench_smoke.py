"""The benchmark runner's helpers and table formatting, with fake rows: no benchmark is run here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import _common  # noqa: E402
import run_all  # noqa: E402

pytestmark = pytest.mark.slow

INFO = {"CPU": "Test CPU", "cores": "2 usable of 2", "GPU": "none"}


def fake_rows() -> list[_common.Row]:
    tile = _common.row("mars tile GET p50", 30.0, "ms", "rio-tiler p50", 20.0, "target <= 1.5x")
    tile["bench"] = "bench_tiles"
    no_base = _common.row("generate 1M", 47.7, "s", "", None)
    no_base["bench"] = "bench_feature_store"
    return [tile, no_base, _common.error_row("bench_broken", "RuntimeError: boom")]


def test_row_ratio_is_value_over_baseline() -> None:
    assert _common.row("a", 3.0, "ms", "b", 2.0)["ratio"] == pytest.approx(1.5)
    assert _common.row("a", 3.0, "ms", "b", 0.0)["ratio"] is None
    assert _common.row("a", None, "ms", "b", 2.0)["ratio"] is None


def test_percentiles_interpolate() -> None:
    assert _common.percentiles([1, 2, 3, 4, 5]) == {"p50": 3, "p95": pytest.approx(4.8)}
    assert _common.percentiles([7.0])["p95"] == 7.0
    with pytest.raises(ValueError):
        _common.percentiles([])


def test_timeit_returns_one_duration_per_repeat() -> None:
    calls = []
    durations = _common.timeit(lambda: calls.append(1), repeat=3, warmup=2)
    assert len(durations) == 3 and len(calls) == 5 and all(d >= 0 for d in durations)


def test_bench_database_url_keeps_the_server_and_swaps_the_name() -> None:
    url = _common.bench_database_url("postgres://u:p@db.example:5433/geoplanet?sslmode=require")
    assert url == f"postgres://u:p@db.example:5433/{_common.BENCH_DB}?sslmode=require"
    assert _common.BENCH_DB.startswith("geoplanet_bench_")
    assert _common.bench_redis_url().endswith(f"/{_common.BENCH_REDIS_DB}")


def test_text_table_has_machine_header_baselines_ratios_and_errors() -> None:
    text = run_all.format_text(fake_rows(), INFO)
    lines = text.splitlines()
    assert lines[0] == "CPU: Test CPU" and "GPU: none" in lines
    tile = next(line for line in lines if "mars tile GET p50" in line)
    assert "30.0 ms" in tile and "rio-tiler p50" in tile and "20.0 ms" in tile and "1.50x" in tile
    assert tile.startswith("tiles ")
    assert "ERROR" in text and "RuntimeError: boom" in text
    generate = next(line for line in lines if "generate 1M" in line)
    assert "47.7 s" in generate and generate.count(" - ") >= 2


def test_markdown_table_is_pasteable() -> None:
    markdown = run_all.format_markdown(fake_rows(), INFO, {"bench_script": "raw | output\n"})
    lines = markdown.splitlines()
    header = lines.index("| " + " | ".join(run_all.COLUMNS) + " |")
    assert lines[header + 1].startswith("|---") and lines[header + 1].count("|") == len(run_all.COLUMNS) + 1
    body = [line for line in lines[header + 2:] if line.startswith("| ")]
    assert len(body) == 3 and all(line.count(" | ") == len(run_all.COLUMNS) - 1 for line in body)
    assert "```\nraw | output\n```" in markdown


def test_number_formatting() -> None:
    assert [run_all.fmt_number(v) for v in (None, 0, 0.01234, 1.234, 12.34, 123.4, 12345)] == [
        "-", "0.00", "0.0123", "1.23", "12.3", "123", "12,345"]
    assert run_all.fmt_ratio(None) == "-" and run_all.fmt_ratio(0.5) == "0.50x"


def test_discovery_finds_benchmarks_and_tells_run_from_scripts(tmp_path: Path) -> None:
    names = [p.stem for p in run_all.discover()]
    assert "bench_tiles" in names and "bench_feature_store" in names
    assert [p.stem for p in run_all.discover(["tiles"])] == ["bench_tiles"]
    assert run_all.has_run(BENCH / "bench_tiles.py")
    script = tmp_path / "bench_script.py"
    script.write_text("def main() -> None:\n    print('hi')\n")
    assert not run_all.has_run(script)


def test_a_failing_module_becomes_an_error_row(tmp_path: Path) -> None:
    broken = tmp_path / "bench_broken.py"
    broken.write_text("def run():\n    raise RuntimeError('boom')\n")
    result = run_all.run_module(broken)
    assert [(r["name"], r["bench"]) for r in result.rows] == [("ERROR", "bench_broken")]
    assert "RuntimeError: boom" in result.rows[0]["note"]


def test_load_test_smoke_mode_runs_the_mix_with_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real thing for a few seconds: the bench database, gunicorn, a Celery worker, every route of the mix.
    monkeypatch.setenv("BENCH_LOAD_SECONDS", "3")
    monkeypatch.setenv("BENCH_LOAD_CLIENTS", "4")
    monkeypatch.setenv("BENCH_LOAD_FEATURES", "2000")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "geoplanet.settings.dev")  # the bench's own database and Redis
    result = run_all.run_module(BENCH / "bench_load.py")
    rows = {r["name"]: r for r in result.rows}
    assert "ERROR" not in rows, rows.get("ERROR")
    errors = rows["load: error rate, explorer mix"]
    assert errors["value"] == 0.0, errors.get("note")
    routes = [name for name in rows if name.endswith("p95 under load")]
    assert len(routes) == 4 and all(rows[name]["value"] and rows[name]["baseline_value"] for name in routes)
    for who in ("gunicorn", "Celery worker"):
        memory = rows[f"load: {who} RSS after"]
        assert memory["value"] and memory["baseline_value"] and memory["baseline_value"] > 50  # MB: a live process
