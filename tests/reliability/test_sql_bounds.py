"""`gapcast sql` and the dashboard's SQL page are bounded (issue 18, class 6): a result over the row limit is cut
and says so (before: every row was fetched, and a large result ended in a traceback), and a query running past the
timeout is interrupted with a one-line reason (before: no timeout at all)."""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from flows.cli import app
from warehouse.db import QueryRefused, sql_job


def test_a_result_over_the_row_limit_is_cut_and_says_so(sample_run):
    settings, _ = sample_run
    result = sql_job(settings, "SELECT range AS n FROM range(5000)", row_limit=1000)
    assert result.truncated and len(result.rows) == 1000 and result.rows[-1] == (999,)
    whole = sql_job(settings, "SELECT range AS n FROM range(5000)", row_limit=5000)
    assert not whole.truncated and len(whole.rows) == 5000


def test_a_query_past_the_timeout_is_interrupted_in_one_line(sample_run):
    settings, _ = sample_run
    started = time.perf_counter()
    with pytest.raises(QueryRefused) as refused:
        sql_job(settings, "SELECT count(*) FROM range(100000000000) AS a(x) WHERE x % 7 = 3", timeout=0.5)
    assert time.perf_counter() - started < 10
    assert "ran longer than 0.5 s and was stopped" in str(refused.value) and "\n" not in str(refused.value)


def test_the_cli_cuts_a_big_result_and_names_the_limit(sample_run):
    settings, _ = sample_run
    done = CliRunner().invoke(app, ["sql", "SELECT range AS n FROM range(300)", "--home", str(settings.home),
                                    "--format", "csv", "--limit", "100"])
    assert done.exit_code == 0
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "n" and len(lines) == 101  # the header and the first 100 rows
    assert "more than 100 rows" in done.stderr and "--limit" in done.stderr
    slow = CliRunner().invoke(app, ["sql", "SELECT count(*) FROM range(100000000000) AS a(x) WHERE x % 7 = 3",
                                    "--home", str(settings.home), "--timeout", "0.5"])
    assert slow.exit_code == 1 and "ran longer than 0.5 s" in slow.output
