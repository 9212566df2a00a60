"""The dashboard's pages in Streamlit's AppTest (no browser): empty states, the model tables once present, the
read-only SQL page, picking up a new publish, and the `gapcast dashboard` command."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import typer
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboards.published import Published, file_stamp, open_read_only, quote_table
from flows import cli_dashboard
from tests.dashboards.browser_helpers import FIXTURE_PROBABILITIES, add_model_fixtures, publish_copy
from tests.conftest import make_settings, query
from warehouse.db import READ_ONLY_CONFIG
from warehouse.settings import PROJECT_ROOT

APP = PROJECT_ROOT / "dashboards" / "app.py"
PAGES = {
    "overview": "views/overview.py",
    "divergence": "views/divergence.py",
    "talent": "views/talent.py",
    "backtest": "views/backtest.py",
    "thesis": "views/thesis.py",
    "progress": "views/progress.py",
    "data": "views/data.py",
    "sql": "views/sql.py",
}
# The tables each page needs that the model issues add: missing, the page names them.
PENDING_ON_PAGE = {
    "overview": ["marts.cooling_probability", "marts.divergence_monthly", "marts.bubble_statistics"],
    "divergence": ["marts.divergence_monthly"],
    "talent": ["marts.cooling_forecast", "marts.regime_probabilities"],
    "backtest": ["marts.backtest_scores", "marts.backtest_forecasts"],
    "thesis": ["marts.thesis_tests", "marts.backtest_gap_test", "marts.tech_basket_monthly"],
    "progress": ["marts.capital_progress_monthly", "marts.progress_monthly"],
    "data": [],
    "sql": [],
}
# Charts each page draws once every model table is there (the fixtures in tests/browser_helpers.py).
CHARTS_WITH_MODELS = {"overview": 2, "divergence": 5, "talent": 6, "backtest": 3, "thesis": 2, "progress": 3,
                      "data": 1, "sql": 0}  # talent: 5 targets + 1


@pytest.fixture(scope="module")
def sample_home(sample_run, tmp_path_factory) -> Path:
    """A published sample warehouse without the model tables (as before the models were built)."""
    import duckdb

    settings, _ = sample_run
    home = tmp_path_factory.mktemp("dash-sample") / "home"
    publish_copy(settings.analytics_db, home)
    con = duckdb.connect(str(home / "analytics.duckdb"))
    try:
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' AND "
                                    "(table_name LIKE 'bubble%' OR table_name IN ('divergence_monthly', "
                                    "'cooling_probability', 'cooling_forecast', 'regime_probabilities', "
                                    "'progress_monthly', 'capital_progress_monthly', 'capital_progress_tests'))"
                                    ).fetchall():
            con.execute("DROP TABLE marts." + table)  # names from the catalog itself
    finally:
        con.close()
    return home


@pytest.fixture(scope="module")
def models_home(sample_run, tmp_path_factory) -> tuple[Path, dict]:
    """The same, with small tables named and shaped as the model issues describe them."""
    settings, _ = sample_run
    home = tmp_path_factory.mktemp("dash-models") / "home"
    publish_copy(settings.analytics_db, home)
    expected = add_model_fixtures(home / "analytics.duckdb")
    return home, expected


def open_app(home: Path, monkeypatch, page: str | None = None) -> AppTest:
    monkeypatch.setenv("GAPCAST_HOME", str(home))
    app = AppTest.from_file(str(APP), default_timeout=30).run()
    if page is not None and page != "overview":
        app.switch_page(PAGES[page]).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def texts(app: AppTest) -> str:
    """Everything the page says in text elements and tables (what a reader sees besides the charts)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(app, kind)]
    parts += [f"{m.label} {m.value}" for m in app.metric]
    for table in app.table:
        frame = table.value
        parts.append(" ".join(map(str, frame.columns)) + " " + " ".join(map(str, frame.index)) + " "
                     + frame.to_string())
    return "\n".join(parts)


def charts(app: AppTest) -> list:
    return list(app.get("vega_lite_chart"))


# --- pages -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_names_the_tables_not_built_yet_and_renders_the_rest(page, sample_home, monkeypatch):
    app = open_app(sample_home, monkeypatch, page)
    said = texts(app)
    for table in PENDING_ON_PAGE[page]:
        assert f"not built yet: {table} —" in said, (page, table)
    assert "SYNTHETIC sample data" in said
    assert not app.error


@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_shows_the_model_tables_once_published(page, models_home, monkeypatch):
    home, _ = models_home
    app = open_app(home, monkeypatch, page)
    said = texts(app)
    assert "not built yet" not in said
    assert len(charts(app)) == CHARTS_WITH_MODELS[page]
    assert not app.error and not app.warning[1:], [w.value for w in app.warning]  # the banner is the one warning


def test_overview_shows_the_latest_cooling_probabilities_and_the_divergence_headline(models_home, monkeypatch):
    home, expected = models_home
    app = open_app(home, monkeypatch)
    table = app.table[0].value
    names = dict(query(home / "analytics.duckdb", "SELECT series_id, name FROM marts.series"))
    for (target, season), shown in expected["probabilities"].items():
        assert table.loc[names[target], season] == shown  # the latest run, not the older 99% one
    ps, z = query(home / "analytics.duckdb",
                  "SELECT price_to_sales, ps_zscore FROM marts.divergence_monthly ORDER BY month DESC LIMIT 1")[0]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["AI basket price-to-sales"] == f"{ps:.1f}×"
    assert metrics["P/S z-score"] == f"{z:+.2f} σ"
    assert "In a bubble episode now" in texts(app)  # the fixture's ongoing basket episode


def test_talent_page_shows_each_target_with_its_forecast_and_regimes(models_home, monkeypatch):
    home, _ = models_home
    app = open_app(home, monkeypatch, "talent")
    said = texts(app)
    for target in ("IHLIDXUSTPSOFTDEVE", "JTU5100JOL", "CES6054150001"):
        assert f"{target}: latest" in said
    assert "80% interval" in said and "P(cooling) 2026-27: **62%**" in said
    assert "cooling **" in said  # the regime probabilities' latest month


def test_backtest_page_shows_skill_by_model_and_horizon(models_home, monkeypatch):
    home, expected = models_home
    app = open_app(home, monkeypatch, "backtest")
    skill = app.table[0].value
    assert skill.loc["sarimax", "1 month ahead"] == expected["brier_skill_1"]
    summary = app.table[1].value
    assert summary.loc["sarimax", "forecasts"] == "400"


def test_data_page_counts_rows_and_reads_the_dictionary_from_comments(sample_home, monkeypatch):
    app = open_app(sample_home, monkeypatch, "data")
    counts = app.table[0].value
    rows = query(sample_home / "analytics.duckdb", "SELECT count(*) FROM marts.hiring_monthly")[0][0]
    assert counts.loc["marts.hiring_monthly", "rows"] == f"{rows:,}"
    dictionary = app.table[1].value
    comment = query(sample_home / "analytics.duckdb",
                    "SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts' "
                    "AND table_name = 'ai_basket_daily' AND column_name = 'price_to_sales'")[0][0]
    assert dictionary.loc["price_to_sales", "description"] == comment
    statuses = query(sample_home / "analytics.duckdb", "SELECT count(*) FROM meta.series_status")[0][0]
    assert {m.label: m.value for m in app.metric}["Series"] == str(statuses)


def test_nothing_published_yet_says_how_to_build_it(tmp_path, monkeypatch):
    app = open_app(tmp_path / "empty-home", monkeypatch)
    assert "Nothing published yet" in app.info[0].value and "gapcast run" in app.info[0].value
    assert not charts(app)


def test_a_table_with_unexpected_columns_gets_a_note_not_a_crash(sample_home, tmp_path, monkeypatch):
    home = tmp_path / "home"
    db_path = publish_copy(sample_home / "analytics.duckdb", home)
    con = duckdb.connect(str(db_path))
    con.execute("CREATE TABLE marts.cooling_probability AS SELECT 'x' AS what, 0.5 AS how_likely")
    # Another spelling of the target column, and no run_id, as_of or model: still shown.
    con.execute("CREATE TABLE marts.cooling_forecast AS SELECT 'JTU5100JOL' AS series_id, DATE '2027-01-01' AS month, "
                "100.0 AS mean")
    con.close()
    overview = open_app(home, monkeypatch)
    assert "marts.cooling_probability has no target series or season or probability column" in overview.warning[1].value
    talent = open_app(home, monkeypatch, "talent")
    assert "Forecast for 2027-01: **100.0**" in texts(talent)


# --- a new publish, and never holding the file ------------------------------------------------------------

def test_a_new_publish_shows_on_the_next_render_without_restart(sample_home, models_home, tmp_path, monkeypatch):
    home = tmp_path / "home"
    db_path = publish_copy(sample_home / "analytics.duckdb", home)
    app = open_app(home, monkeypatch)
    assert "not built yet: marts.cooling_probability" in texts(app)
    # Between renders no connection is open: the pipeline's rename, or even a writer, is never blocked.
    duckdb.connect(str(db_path)).close()
    publish_copy(models_home[0] / "analytics.duckdb", home)
    app.run()  # the same app session: what a click or the publish watcher does
    assert "not built yet" not in texts(app)
    assert app.table[0].value.shape[0] == len({t for t, _ in FIXTURE_PROBABILITIES})


def test_a_new_publish_shows_while_another_session_still_reads_the_old_file(sample_home, models_home, tmp_path,
                                                                          monkeypatch):
    # DuckDB shares one instance per path in a process: a connection by path opened now would read the old file.
    home = tmp_path / "home"
    db_path = publish_copy(sample_home / "analytics.duckdb", home)
    other_session = duckdb.connect(str(db_path), read_only=True, config=READ_ONLY_CONFIG)
    try:
        publish_copy(models_home[0] / "analytics.duckdb", home)
        app = open_app(home, monkeypatch)
        assert "not built yet" not in texts(app)
    finally:
        other_session.close()


def test_data_is_cached_by_file_identity(sample_home, tmp_path):
    home = tmp_path / "home"
    db_path = publish_copy(sample_home / "analytics.duckdb", home)
    settings = make_settings(home)
    first = Published(settings)
    with first.render():
        before = first.row_counts().set_index("name")["rows"]["marts.series"]
    publish_copy(sample_home / "analytics.duckdb", home)  # same bytes, new file
    con = duckdb.connect(str(db_path))
    con.execute("DELETE FROM marts.series WHERE series_id IN (SELECT series_id FROM marts.series LIMIT 2)")
    con.close()
    second = Published(settings)
    assert second.stamp != first.stamp and file_stamp(db_path) == second.stamp
    with second.render():
        after = second.row_counts().set_index("name")["rows"]["marts.series"]
    assert after == before - 2
    duckdb.connect(str(db_path)).close()  # a writer can open it: the render closed its connection


@pytest.mark.parametrize("statement", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "ATTACH '/tmp/other.duckdb' AS other",
    "CREATE TABLE marts.x AS SELECT 1",
    "SET enable_external_access = true",
    "INSTALL httpfs",
])
def test_the_dashboards_own_connection_is_read_only_and_locked_down(statement, sample_home):
    con = open_read_only(sample_home / "analytics.duckdb")
    try:
        assert con.execute("SELECT count(*) FROM marts.series").fetchone()[0] > 0
        with pytest.raises(duckdb.Error):
            con.execute(statement)
    finally:
        con.close()


def test_table_names_are_quoted():
    assert quote_table('marts.we"ird') == '"marts"."we""ird"'


# --- the SQL page -----------------------------------------------------------------------------------------

def run_sql(app: AppTest, text: str) -> AppTest:
    app.text_area(key="sql_query").input(text)
    app.button[0].click()  # the form's submit button
    return app.run()


def test_sql_page_runs_a_query_and_offers_the_result_as_csv(sample_home, monkeypatch):
    app = open_app(sample_home, monkeypatch, "sql")
    run_sql(app, "SELECT series_id, kind FROM marts.series ORDER BY series_id")
    assert not app.error
    rows = query(sample_home / "analytics.duckdb", "SELECT series_id, kind FROM marts.series ORDER BY series_id")
    frame = app.dataframe[0].value
    assert list(frame.columns) == ["series_id", "kind"] and len(frame) == len(rows)
    assert f"**{len(rows):,} rows** × 2 columns" in texts(app)
    assert app.get("download_button")[0].proto.label == "Download CSV"


@pytest.mark.parametrize("statement, says", [
    ("DROP TABLE marts.series", "DROP statements are refused"),
    ("insert into marts.series select * from marts.series", "INSERT statements are refused"),
    ("COPY marts.series TO '/tmp/leak.csv'", "COPY statements are refused"),
    ("INSTALL httpfs", "INSTALL statements are refused"),
    ("SELECT * FROM read_csv('/etc/passwd')", "file system operations are disabled"),
    ("SELECT 1; DROP TABLE marts.series", "read-only mode"),
    ("/* sneaky */ ATTACH '/tmp/other.duckdb' AS other", "ATTACH statements are refused"),
])
def test_sql_page_refuses_writes_file_access_and_extensions(statement, says, sample_home, monkeypatch):
    app = open_app(sample_home, monkeypatch, "sql")
    run_sql(app, statement)
    assert len(app.error) == 1 and "Query refused" in app.error[0].value and says in app.error[0].value
    assert not app.dataframe
    assert query(sample_home / "analytics.duckdb", "SELECT count(*) FROM marts.series")[0][0] > 0


def test_sql_page_reports_a_bad_query_in_one_line(sample_home, monkeypatch):
    app = open_app(sample_home, monkeypatch, "sql")
    run_sql(app, "SELECT nope FROM marts.series")
    assert "The query failed" in app.error[0].value and "nope" in app.error[0].value
    assert "\n" not in app.error[0].value


# --- modules and the command --------------------------------------------------------------------------------

def test_importing_the_page_modules_does_no_work():
    for name in ("overview", "divergence", "talent", "backtest", "data", "sql"):
        importlib.import_module(f"dashboards.views.{name}")


def command_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """test root"""

    cli_dashboard.register(app)
    return app


def test_dashboard_command_serves_streamlit_on_loopback_with_the_home(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(cli_dashboard, "port_free", lambda port: True)
    monkeypatch.setattr(cli_dashboard.os, "execve", lambda path, args, env: calls.append((path, args, env)))
    result = CliRunner().invoke(command_app(), ["dashboard", "--home", str(tmp_path / "h"), "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8765" in result.output
    path, args, env = calls[0]
    assert path == sys.executable and args[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(args[4]) == APP
    options = dict(zip(args[5::2], args[6::2]))
    assert options["--server.address"] == "127.0.0.1" and options["--server.port"] == "8765"
    assert options["--server.headless"] == "true" and options["--browser.gatherUsageStats"] == "false"
    assert env["GAPCAST_HOME"] == str((tmp_path / "h").resolve())


def test_dashboard_command_defaults_to_port_8501_and_refuses_a_busy_or_bad_port(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(cli_dashboard.os, "execve", lambda *a: calls.append(a))
    monkeypatch.setattr(cli_dashboard, "port_free", lambda port: True)
    assert CliRunner().invoke(command_app(), ["dashboard", "--home", str(tmp_path)]).exit_code == 0
    assert "8501" in calls[0][1]
    monkeypatch.setattr(cli_dashboard, "port_free", lambda port: False)
    busy = CliRunner().invoke(command_app(), ["dashboard", "--home", str(tmp_path), "--port", "8600"])
    assert busy.exit_code == 1 and "port 8600 on 127.0.0.1 is in use" in busy.output
    assert CliRunner().invoke(command_app(), ["dashboard", "--port", "70000"]).exit_code == 2
    assert len(calls) == 1


def test_dashboard_command_has_help():
    result = CliRunner().invoke(command_app(), ["dashboard", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--home" in result.output


def test_sql_results_keep_duplicate_column_names_apart():
    from dashboards.views.sql import unique_columns

    assert unique_columns(["a", "b", "a", "a"]) == ["a", "b", "a_2", "a_3"]


def test_reliability_bins_put_each_forecast_in_one_tenth():
    from dashboards.views.backtest import reliability_bins

    frame = pd.DataFrame({"p": [0.0, 0.05, 0.1, 0.95, 1.0], "o": [0, 0, 1, 1, 1]})
    bins = reliability_bins(frame, "p", "o", None)
    assert bins["count"].sum() == 5
    assert bins.loc[bins["bin"] == 0, "count"].item() == 2 and bins.loc[bins["bin"] == 9, "count"].item() == 2


def test_overview_leads_with_the_reports_verdict_and_keeps_regimes_apart(sample_run, tmp_path, monkeypatch):
    """The same title and sentences as page 1 of the report (one set of rules), and no regime model among the
    P(cooling) models: its number is another event, shown on the Talent page with its own label."""
    from flows import steps

    settings, _ = sample_run
    home = tmp_path / "home"
    publish_copy(settings.analytics_db, home)
    month = pd.Timestamp.now().strftime("%Y-%m")
    answer = steps.report(make_settings(home), month, out_dir=tmp_path / "out").content.answer
    app = open_app(home, monkeypatch)
    assert app.subheader[0].value == answer.title
    said = texts(app)
    for sentence in answer.sentences:
        assert sentence in said
    models = app.selectbox[0].options
    assert models and not any("regimes" in m for m in models), models
    talent = open_app(home, monkeypatch, "talent")
    said = texts(talent)
    assert "P(low-growth regime) **" in said and "p_cooling_regime" not in said
    assert "another event, not P(cooling)" in said
