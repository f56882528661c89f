"""The benchmark scripts (issue 15 item 7) stay usable from a fresh clone: each says how it is run, and the
scale benchmark prints every ratio row of the issue's table, the site build's included, at a tiny size."""
from __future__ import annotations

import glob
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(REPO, "tools", "bench")
SCRIPTS = sorted(os.path.basename(p) for p in glob.glob(os.path.join(BENCH, "*.py")) if not p.endswith("timing.py"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_benchmark_script_says_how_it_is_run_and_does_nothing_else(script, tmp_path):
    r = subprocess.run([sys.executable, os.path.join(BENCH, script), "--help"], capture_output=True, text=True,
                       cwd=tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("usage:") and "Traceback" not in r.stderr
    assert os.listdir(tmp_path) == []


# The rows of issue 15's "What must hold", as the benchmark names them.
ISSUE_ROWS = ["check --no-cache", "check after one record changed", "todo", "list", "show ID", "new (one commit)",
              "note (one event, one commit)", "a one-record commit through the pre-commit hook", "ladder 2026",
              "bulletin 2026Q3", "export --quarter (.csv)", "audit", "site build", "peak memory of check",
              "peak memory of list", "peak memory of list --format json", "peak memory of site build"]


@pytest.mark.stress
def test_the_scale_benchmark_prints_every_row_of_the_issue_at_a_tiny_size(tmp_path):
    r = subprocess.run([sys.executable, os.path.join(BENCH, "scale_bench.py"), "--size", "60", "--repeat", "1",
                        str(tmp_path)], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    table = [line.split(" | ")[0].lstrip("| ") for line in r.stdout.splitlines() if line.startswith("| ")]
    for name in ISSUE_ROWS:
        assert any(t.startswith(name) for t in table), (name, table)
    assert all("×" in line for line in r.stdout.splitlines() if line.startswith("| site build"))


@pytest.mark.stress
def test_the_site_comparison_runs_on_a_small_agency(tmp_path):
    agency = tmp_path / "a"
    subprocess.run([sys.executable, "-m", "shouwen", "demo", str(agency), "--size", "60", "--until", "2026-11-27"],
                   check=True, capture_output=True)
    r = subprocess.run([sys.executable, os.path.join(BENCH, "site_same.py"), str(agency)], capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "the same files False" not in r.stdout and "the same files True" in r.stdout
