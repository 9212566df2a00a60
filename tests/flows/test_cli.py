"""The gapcast command line: exit codes, one-line errors, read-only SQL, status, and the sample run."""

from __future__ import annotations

import csv
import io
import re
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import query

runner = CliRunner()


def invoke(*args, env=None):
    # The CLI's steps without Prefect (its flows are tested in test_flows.py).
    return runner.invoke(app, list(args), env={"GAPCAST_PREFECT": "off", **(env or {})}, catch_exceptions=False)


def test_every_command_has_help():
    for command in ("run", "ingest", "build", "sql", "status", "catalog"):
        result = invoke(command, "--help")
        assert result.exit_code == 0, command
        assert "Usage" in result.output


def test_sample_run_is_marked_synthetic_everywhere(sample_run):
    settings, report = sample_run
    assert not report.ingest.failed
    for table in ("prices_daily", "fundamentals_quarterly", "ai_basket_daily", "hiring_monthly", "macro_monthly",
                  "layoffs_monthly", "series"):
        flags = query(settings.analytics_db, f"SELECT DISTINCT synthetic FROM marts.{table}")
        assert flags == [(True,)], table
    assert query(settings.analytics_db, "SELECT DISTINCT synthetic FROM meta.runs") == [(True,)]
    # The sample carries a valuation run-up: price-to-sales at mid-2025 is well above end-2019.
    ps = query(settings.analytics_db,
               "SELECT (SELECT price_to_sales FROM marts.ai_basket_daily WHERE date <= '2025-06-30' ORDER BY date DESC "
               "LIMIT 1) / (SELECT price_to_sales FROM marts.ai_basket_daily WHERE date <= '2019-12-31' "
               "ORDER BY date DESC LIMIT 1)")
    assert ps[0][0] > 2


def test_run_prints_where_the_databases_are(tmp_path):
    home = tmp_path / "home"
    result = invoke("run", "--catalog", "sample", "--home", str(home))
    assert result.exit_code == 0, result.output
    assert f"analysts' database: {home / 'analytics.duckdb'}" in result.output
    assert re.search(r"(\d+)/\1 data checks passed", result.output)
    summary = json.loads((home / "outputs" / "last_run.json").read_text())
    assert summary["synthetic"] is True and summary["label"].startswith("SYNTHETIC")
    assert summary["checks_passed"] == summary["checks"] >= 10 and summary["series_failed"] == {}


def test_sql_formats_and_refuses_writes(sample_run):
    settings, _ = sample_run
    home = str(settings.home)
    q = "SELECT series_id, month, value FROM marts.hiring_monthly WHERE series_id = 'USINFO' ORDER BY month LIMIT 3"
    as_csv = invoke("sql", q, "--home", home, "--format", "csv")
    assert as_csv.exit_code == 0
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == ["series_id", "month", "value"] and len(rows) == 4
    assert rows[1][1] == "2015-01-01"
    as_json = invoke("sql", q, "--home", home, "--format", "json")
    records = json.loads(as_json.stdout)
    assert records[0]["month"] == "2015-01-01" and isinstance(records[0]["value"], float)
    table = invoke("sql", q, "--home", home)
    assert "USINFO" in table.stdout and "2015-01-01" in table.stdout
    before = settings.analytics_db.read_bytes()
    for statement in ("DROP TABLE marts.series", "INSERT INTO marts.series SELECT * FROM marts.series",
                      "ATTACH 'x.duckdb' AS x", "COPY marts.series TO 'out.csv'", "INSTALL httpfs",
                      "SELECT * FROM read_csv('/etc/passwd')", "SELECT 1; DELETE FROM marts.series",
                      "/* hi */ UPDATE marts.series SET name = 'x'"):
        refused = invoke("sql", statement, "--home", home)
        assert refused.exit_code == 1, statement
        assert "gapcast: error:" in refused.stderr and "Traceback" not in refused.output
        assert len(refused.stderr.strip().splitlines()) == 1
    assert settings.analytics_db.read_bytes() == before


def test_status_reports_each_series(sample_run):
    settings, _ = sample_run
    result = invoke("status", "--home", str(settings.home), "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    by_id = {r["series_id"]: r for r in rows}
    assert by_id["NVDA"]["raw_rows"] > 2000
    assert by_id["NVDA"]["last_observation"].startswith("2026-10-30")
    assert {r["status"] for r in rows} <= {"ok", "stale", "failed", "empty"}


def test_status_shows_a_failed_series(tmp_path):
    home = tmp_path / "home"
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.csv").write_text("date,value\n2026-01-01,1\n")
    (src / "b.csv").write_text("<html><body>Service unavailable</body></html>")
    (src / "c.toml").write_text(
        '[catalog]\nname = "c"\nroot = "catalog"\n'
        + "".join(
            f'[[series]]\nid = "{sid}"\nkind = "macro"\nfrequency = "monthly"\nadapter = "fred_csv"\n'
            f'payloads = [{{ path = "{sid.lower()}.csv", retrieved_at = "2026-02-01" }}]\n'
            for sid in ("A", "B")
        )
    )
    result = invoke("run", "--catalog", str(src / "c.toml"), "--home", str(home))
    assert result.exit_code == 1
    assert "1 series failed to load" in result.stderr and "HTML page" in result.stderr
    status = json.loads(invoke("status", "--home", str(home), "--format", "json").stdout)
    by_id = {r["series_id"]: r for r in status}
    assert by_id["A"]["status"] in {"ok", "stale"} and by_id["B"]["status"] == "failed"
    assert "b.csv" in by_id["B"]["last_error"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "--catalog", "nonesuch"], "no bundled catalog named 'nonesuch'"),
        (["build", "--as-of", "yesterday"], "not a date"),
    ],
)
def test_failures_are_one_line_reasons(tmp_path, args, expected):
    result = invoke(*args, "--home", str(tmp_path / "home"))
    assert result.exit_code != 0
    assert expected in result.output
    assert "Traceback" not in result.output


def test_sql_before_any_publish_says_what_to_do(tmp_path):
    result = invoke("sql", "SELECT 1", "--home", str(tmp_path / "home"))
    assert result.exit_code == 1
    assert "nothing has been published" in result.stderr and "gapcast run" in result.stderr


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "flows.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "gapcast" in result.stdout


def test_an_error_message_prints_its_square_brackets(capsys):
    # rich reads "[p, d, q]" as a markup tag and drops it unless the message is escaped (it was, once: a config
    # error read "must be : whole numbers")
    import typer

    from flows import cli, cli_models

    from flows import cli_dashboard

    for fail in (cli._fail, cli_models._fail, cli_dashboard._fail):
        with pytest.raises(typer.Exit):
            fail("specifications.x.order [6, 1, 0] must be [p, d, q]: whole numbers [/]")
        assert "order [6, 1, 0] must be [p, d, q]: whole numbers [/]" in capsys.readouterr().err
    # warnings and progress lines too: a backtest's warnings and the bubble summary's "[critical values: ...]"
    from types import SimpleNamespace

    report = SimpleNamespace(synthetic=False, rows={"scores": 1}, run_id="r1", data_as_of="2026-08-01", seconds=1.0,
                             workers=1, runner="local", origins={"T": ("2020-01", "2020-02", 2)},
                             data_basis={"T": "cut at [lag] 1"}, statuses={"arima": {"ok": 2}},
                             headline=__import__("pandas").DataFrame(), forecast=None,
                             warnings=["order [p, d, q] kept [/]"])
    cli_models.print_backtest(report)
    got = capsys.readouterr()
    assert "cut at [lag] 1" in got.out and "order [p, d, q] kept [/]" in got.err


@pytest.mark.parametrize("args, expected", [
    (("report", "--month", "2026-1"), "gapcast: error: --month '2026-1' is not a month: use YYYY-MM, e.g. 2026-12"),
    (("report", "--month", "2031-01"), "gapcast: error: --month 2031-01 is after what the data can report on: the "
                                       "newest observation is from 2026-"),
    (("status", "--format", "yaml"), "gapcast: error: --format 'yaml' is not one of table, json"),
    (("sql", "SELECT 1; SELECT 2"), "gapcast: error: gapcast sql runs one statement at a time; this query has 2"),
    (("sql", "SELECT * FROM marts.seriez"), "gapcast: error: Catalog Error: Table with name seriez does not exist! "
                                            "Did you mean \"series\"?"),
])
def test_strict_inputs_are_refused_in_one_line(sample_run, args, expected):
    """Each bad input is refused with one line that says why (DuckDB's "Did you mean" kept), nothing else."""
    settings, _ = sample_run
    result = invoke(*args, "--home", str(settings.home))
    assert result.exit_code != 0
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(expected), result.output


def test_a_report_month_within_the_data_is_accepted(sample_run, tmp_path):
    settings, _ = sample_run
    result = invoke("report", "--month", "2026-11", "--home", str(settings.home), "--out", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output  # the sample ends 2026-10: the month after it is allowed
