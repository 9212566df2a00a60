"""bench/compare_homes.py on two tiny homes: what counts as the same and what it reports when not."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "compare_homes.py"


@pytest.fixture(scope="module")
def compare_homes():
    spec = importlib.util.spec_from_file_location("compare_homes", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # dataclasses look their module up while the class is made
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def make_home(path: Path, run_id: str = "run-a", value: float = 2.5, extra_row: bool = False,
              seconds: float = 1.0, pvalue: float = 0.0123456789) -> Path:
    path.mkdir()
    con = duckdb.connect(str(path / "analytics.duckdb"))
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE SCHEMA meta")
    con.execute("CREATE TABLE marts.levels (series VARCHAR, month DATE, value DOUBLE, tags VARCHAR[], "
                "run_id VARCHAR)")
    rows = [("a", "2024-01-01", value, ["x"], run_id), ("a", "2024-02-01", 0.0, [], run_id),
            ("b", "2024-01-01", None, ["y", "z"], run_id)]
    if extra_row:
        rows.append(("b", "2024-02-01", 4.0, [], run_id))
    con.executemany("INSERT INTO marts.levels VALUES (?, ?, ?, ?, ?)", rows)
    con.execute("CREATE TABLE meta.model_runs (run_id VARCHAR, model VARCHAR, estimated_at TIMESTAMP, "
                "diagnostics VARCHAR, PRIMARY KEY (run_id, model))")
    diagnostics = json.dumps({"fit_seconds": seconds, "pvalue": pvalue, "run_id": run_id})
    con.execute("INSERT INTO meta.model_runs VALUES (?, 'sarimax', now(), ?)", [run_id, diagnostics])
    con.close()
    return path


def run(compare_homes, capsys, a: Path, b: Path, *args: str) -> tuple[int, str]:
    code = compare_homes.main([str(a), str(b), *args])
    return code, capsys.readouterr().out


def verdict(output: str, table: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(table + " "))


def test_identical_homes_are_the_same(compare_homes, capsys, tmp_path):
    a = make_home(tmp_path / "a")
    b = make_home(tmp_path / "b")
    code, out = run(compare_homes, capsys, a, b)
    assert code == 0
    assert verdict(out, "marts.levels").endswith("same")
    assert verdict(out, "meta.model_runs").endswith("same")
    assert "2 tables: 2 same, 0 differ" in out
    assert "ignored columns" in out and "run_id" in out


def test_a_float_within_rtol_is_the_same(compare_homes, capsys, tmp_path):
    a = make_home(tmp_path / "a", value=2.5, pvalue=0.0123456789)
    b = make_home(tmp_path / "b", value=2.5 * (1 + 1e-12), pvalue=0.0123456789 * (1 + 1e-12))
    code, out = run(compare_homes, capsys, a, b)
    assert code == 0, out
    assert verdict(out, "marts.levels").endswith("same")
    assert verdict(out, "meta.model_runs").endswith("same")


def test_a_float_beyond_rtol_differs_and_names_the_column(compare_homes, capsys, tmp_path):
    a = make_home(tmp_path / "a", value=2.5)
    b = make_home(tmp_path / "b", value=2.5 * (1 + 1e-6))
    code, out = run(compare_homes, capsys, a, b)
    assert code == 1
    assert "differs: 0 only in A, 0 only in B, 1 matched rows with differing values" in verdict(out, "marts.levels")
    assert "column value: 1 rows, max rel diff 1e-06" in out
    assert "value: A=2.5 B=2.5000025" in out
    assert verdict(out, "meta.model_runs").endswith("same")
    # a looser tolerance accepts it
    assert run(compare_homes, capsys, a, b, "--rtol", "1e-5")[0] == 0


def test_a_number_inside_json_beyond_rtol_differs(compare_homes, capsys, tmp_path):
    a = make_home(tmp_path / "a", pvalue=0.01)
    b = make_home(tmp_path / "b", pvalue=0.02)
    code, out = run(compare_homes, capsys, a, b)
    assert code == 1
    assert "1 matched rows with differing values" in verdict(out, "meta.model_runs")
    assert "diagnostics.pvalue: A=0.01 B=0.02" in out


def test_run_bookkeeping_is_ignored(compare_homes, capsys, tmp_path):
    # run_id (a column, part of meta.model_runs' primary key, and a JSON key), estimated_at and fit_seconds
    a = make_home(tmp_path / "a", run_id="run-a", seconds=1.0)
    b = make_home(tmp_path / "b", run_id="run-b", seconds=9.0)
    code, out = run(compare_homes, capsys, a, b)
    assert code == 0, out
    assert "2 tables: 2 same, 0 differ" in out
    # ... unless asked to compare it
    code, out = run(compare_homes, capsys, a, b, "--no-default-ignore")
    assert code == 1
    assert "differs" in verdict(out, "marts.levels")


def test_an_extra_row_differs_with_the_count(compare_homes, capsys, tmp_path):
    a = make_home(tmp_path / "a")
    b = make_home(tmp_path / "b", extra_row=True)
    code, out = run(compare_homes, capsys, a, b)
    assert code == 1
    line = verdict(out, "marts.levels")
    assert "A       3  B       4" in line
    assert "differs: 0 only in A, 1 only in B, 0 matched rows with differing values" in line
    assert "only in B: series=b, month=2024-02-01, value=4.0" in out
    assert "1 differ (marts.levels)" in out


def test_tables_in_one_home_only_ignore_columns_and_table_filter(compare_homes, capsys, tmp_path):
    a = make_home(tmp_path / "a", value=2.5)
    b = make_home(tmp_path / "b", value=3.5)
    con = duckdb.connect(str(b / "analytics.duckdb"))
    con.execute("CREATE TABLE marts.only_here AS SELECT 1 AS x")
    con.close()
    code, out = run(compare_homes, capsys, a, b)
    assert code == 1
    assert "differs: table only in B" in verdict(out, "marts.only_here")
    code, out = run(compare_homes, capsys, a, b, "--tables", "marts.levels", "--ignore-columns", "value")
    assert code == 0, out
    assert "1 tables: 1 same" in out


def test_the_script_runs_as_a_command(tmp_path):
    a = make_home(tmp_path / "a")
    b = make_home(tmp_path / "b", extra_row=True)
    same = subprocess.run([sys.executable, str(SCRIPT), str(a), str(a)], capture_output=True, text=True)
    assert same.returncode == 0, same.stderr
    differs = subprocess.run([sys.executable, str(SCRIPT), str(a), str(b)], capture_output=True, text=True)
    assert differs.returncode == 1, differs.stderr
    assert "1 only in B" in differs.stdout
