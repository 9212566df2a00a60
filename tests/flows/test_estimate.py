"""warehouse.estimate on the built marts: the tables it writes, their comments, the ragged edge in every
row, meta.model_runs, one transaction, the critical-value cache, and `gapcast estimate`."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from flows.cli_models import register
from tests.conftest import copy_home
from warehouse import db
from flows import steps


def estimate(con, *, run_id, settings):
    """The estimate step on an open connection under a given run id, always fitting (no reuse)."""
    return steps.estimate(settings, con=con, run_id=run_id, reuse=False)

NEW_TABLES = ("divergence_monthly", "bubble_statistics", "bubble_episodes", "bubble_sequence")
# Measure columns and the prefix their absence is explained under in `notes`.
MEASURES = {
    "price_to_sales": "basket", "ps_zscore": "ps_zscore", "coint_gap_eg": "coint_gap_", "coint_gap_johansen": "coint_gap_",
    "coint_gap_eg_realtime": "coint_gap_eg_realtime", "eg_half_life_months": "eg_half_life_months",
    "capex_gap": "capex_gap", "required_ai_revenue": "required_ai_revenue",
    "required_revenue_gap": ("required_revenue_gap", "required_ai_revenue"), "bubble_bsadf": "bubble_",
}


@pytest.fixture(scope="module")
def snapshot_estimate(snapshot_run, tmp_path_factory):
    settings = copy_home(snapshot_run, tmp_path_factory, "estimate-snapshot")
    con = db.connect_pipeline(settings)
    try:
        report = estimate(con, run_id="run-a", settings=settings)
    finally:
        con.close()
    return settings, report


def read(settings, sql: str, params=()) -> pd.DataFrame:
    con = duckdb.connect(str(settings.pipeline_db), read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def test_divergence_monthly_runs_2015_to_the_last_price_month(snapshot_estimate):
    settings, report = snapshot_estimate
    frame = read(settings, "SELECT * FROM marts.divergence_monthly ORDER BY month")
    assert frame["month"].iloc[0] == pd.Timestamp("2015-01-01")
    assert frame["month"].iloc[-1] == pd.Timestamp("2026-08-01")
    assert len(frame) == 140 and frame["month"].is_unique
    assert not frame["synthetic"].any() and (frame["run_id"] == "run-a").all()
    assert report.rows["divergence_monthly"] == 140
    # Every measure is present, or the row says why not.
    for column, prefixes in MEASURES.items():
        prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
        for _, row in frame[frame[column].isna()].iterrows():
            assert any(n.startswith(prefixes) for n in row["notes"]), (column, row["month"], row["notes"])
    present = frame[["price_to_sales", "ps_zscore", "coint_gap_eg", "coint_gap_johansen", "capex_gap",
                     "required_ai_revenue", "bubble_bsadf"]].notna().mean()
    # Required revenue starts only once NVIDIA's FY2016, the first year with a data-centre assumption, is complete
    # (filed 2016-03): 14 of 140 months come before; every other measure covers more than 90%.
    assert (present.drop("required_ai_revenue") > 0.9).all() and present["required_ai_revenue"] >= 0.89, present
    first = frame.dropna(subset=["required_ai_revenue"]).iloc[0]
    assert first["month"] == pd.Timestamp("2016-03-01") and first["data_center_share_fiscal_year"] == 2016


def test_the_ragged_edge_is_said_in_every_late_row(snapshot_estimate):
    settings, _ = snapshot_estimate
    frame = read(settings, "SELECT * FROM marts.divergence_monthly ORDER BY month")
    late = frame[frame["revenue_basis"].isin(["nowcast", "carried_forward"])]
    assert len(late) > 0
    for notes in late["notes"]:
        assert any(n.startswith("ragged edge") for n in notes)
    last = frame.iloc[-1]
    assert not last["month_complete"] and any(n.startswith("partial month") for n in last["notes"])


def test_2026_07_rests_on_fresh_revenue_and_names_the_members_left_out(snapshot_estimate):
    """Issue 13: the divergence of 2026-07 rests on revenue filed no more than 150 days before for every member
    with fresh data, and names the members left out and why."""
    settings, _ = snapshot_estimate
    row = read(settings, "SELECT * FROM marts.divergence_monthly WHERE month = '2026-07-01'").iloc[0]
    members = read(settings, "SELECT ticker, counted, revenue_filed_at, revenue_period_end, left_out_because "
                             "FROM marts.ai_basket_member_daily WHERE date = ? ORDER BY ticker",
                   [row["month_end_date"]])
    counted = members[members["counted"]]
    assert sorted(counted["ticker"]) == sorted(row["member_tickers"]) and len(counted) >= 9
    age = (pd.Timestamp(row["month_end_date"]) - pd.to_datetime(counted["revenue_filed_at"])).dt.days
    assert (age <= 150).all(), counted.assign(age=age)
    # PLTR and SMCI have no fundamentals after the FMP set: stale, left out, named with the reason.
    assert sorted(row["stale_tickers"]) == ["PLTR", "SMCI"]
    assert {"PLTR", "SMCI"} <= set(row["excluded_tickers"])
    assert any(n.startswith("left out of the basket as stale: PLTR, SMCI") for n in row["notes"]), row["notes"]
    stale = members.set_index("ticker").loc[["PLTR", "SMCI"]]
    assert stale["left_out_because"].str.startswith("stale: newest filed quarter ended").all()
    # Every member's revenue age is in the row, counted or not.
    ages = row["member_revenue_age_days"]
    assert set(ages) == set(members.dropna(subset=["revenue_period_end"])["ticker"]) and ages["PLTR"] > 400
    assert row["revenue_basis"] == "reported" and row["revenue_age_days"] <= 150


def test_snapshot_numbers_are_plausible(snapshot_estimate):
    settings, _ = snapshot_estimate
    frame = read(settings, "SELECT * FROM marts.divergence_monthly").set_index("month")
    dec19, dec24 = frame.loc["2019-12-01"], frame.loc["2024-12-01"]
    # The basket re-rated from about 5.8x to 8.8x sales, against the mart's daily figures.
    daily = read(settings, "SELECT date, price_to_sales FROM marts.ai_basket_daily "
                           "WHERE date IN ('2019-12-31', '2024-12-31') ORDER BY date")
    assert dec19["price_to_sales"] == pytest.approx(daily["price_to_sales"].iloc[0], rel=1e-12)
    assert dec24["price_to_sales_filed"] == pytest.approx(daily["price_to_sales"].iloc[1], rel=1e-12)
    assert dec24["ps_zscore"] > dec19["ps_zscore"]
    assert dec24["hyperscaler_capex_to_revenue"] > dec19["hyperscaler_capex_to_revenue"]
    assert dec24["capex_gap"] > 0  # capex grew faster than hyperscaler revenue in 2024
    assert dec24["required_ai_revenue"] == pytest.approx(dec24["data_center_spend"] * 2)
    assert dec24["data_center_spend"] == pytest.approx(dec24["gpu_spend_run_rate"] * 2)
    # Realized AI revenue is the labs' reports public by then: OpenAI 4.0 (its 2024-12-31 rows conflict:
    # quarantined), Anthropic 0.1 (its month-end 2024-12-31 figure counts only from 2025-01-30), xAI 0.1.
    assert dec24["realized_ai_revenue_as_of"] == "2024-11-20"
    assert sorted(dec24["realized_ai_revenue_companies"]) == ["Anthropic", "OpenAI", "xAI"]
    assert dec24["realized_ai_revenue"] == pytest.approx(4.0e9 + 0.1e9 + 0.1e9)
    assert dec24["realized_ai_revenue_cahn_as_of"] == "2024-06" and dec24["realized_ai_revenue_cahn"] == 100e9
    assert dec24["data_center_basis"].startswith("segment: NVDA")


def test_bubble_tables_are_consistent(snapshot_estimate):
    settings, _ = snapshot_estimate
    stats = read(settings, "SELECT * FROM marts.bubble_statistics").set_index("series")
    assert {"ai_basket_price_to_sales", "ai_basket_price_to_sales_equal_weight", "price_to_sales:NVDA"} <= set(stats.index)
    assert "price_to_sales:TSM" not in stats.index  # no USD revenue, no ratio
    nvda = stats.loc["price_to_sales:NVDA"]
    assert nvda["observations"] == 200 and nvda["min_window"] == 27 and nvda["min_duration"] == 5
    assert nvda["gsadf_cv95"] > nvda["gsadf_cv90"] and nvda["rejects_gsadf"]
    episodes = read(settings, "SELECT * FROM marts.bubble_episodes")
    counts = episodes.groupby("series").size()
    for series, row in stats.iterrows():
        assert counts.get(series, 0) == row["episodes"]
        if row["episodes"]:
            assert row["rejects_gsadf"]
    assert (episodes["duration"] >= 5).all()
    seq = read(settings, "SELECT * FROM marts.bubble_sequence WHERE series = 'ai_basket_price_to_sales' ORDER BY month")
    assert len(seq) == stats.loc["ai_basket_price_to_sales", "observations"] - 27
    div = read(settings, "SELECT month, bubble_bsadf FROM marts.divergence_monthly WHERE month = '2020-06-01'")
    assert div["bubble_bsadf"].iloc[0] == pytest.approx(seq.set_index("month").loc["2020-06-01", "bsadf"])


def test_every_new_table_and_column_has_a_comment(snapshot_estimate):
    settings, _ = snapshot_estimate
    tables = read(settings, "SELECT schema_name, table_name, comment FROM duckdb_tables() "
                            "WHERE (schema_name = 'marts' AND list_contains(?, table_name)) "
                            "OR (schema_name = 'meta' AND table_name = 'model_runs')", [list(NEW_TABLES)])
    assert len(tables) == 5 and tables["comment"].notna().all()
    columns = read(settings, "SELECT table_name, column_name, comment FROM duckdb_columns() "
                             "WHERE (schema_name = 'marts' AND list_contains(?, table_name)) "
                             "OR (schema_name = 'meta' AND table_name = 'model_runs')", [list(NEW_TABLES)])
    assert columns[columns["comment"].isna()].empty, columns[columns["comment"].isna()]
    for table in NEW_TABLES:
        assert "synthetic" in set(columns.loc[columns["table_name"] == table, "column_name"])


def test_model_runs_record_parameters_sources_and_diagnostics(snapshot_estimate):
    settings, _ = snapshot_estimate
    runs = read(settings, "SELECT * FROM meta.model_runs WHERE run_id = 'run-a'").set_index("model")
    assert set(runs.index) == {"basket", "zscore", "cointegration", "capex_gap", "required_revenue", "bubbles",
                               "capital_progress"}
    assert (runs["status"] == "ok").all() and runs["data_as_of"].notna().all()
    required = json.loads(runs.loc["required_revenue", "parameters"])
    assert required["cost_multiple"]["value"] == 2.0 and "Cahn" in required["cost_multiple"]["source"]
    assert required["realized_ai_revenue"][1]["as_of"] == "2024-06"
    coint = json.loads(runs.loc["cointegration", "diagnostics"])
    assert coint["engle_granger"]["ecm_speed"] < 0 and coint["johansen"]["k_ar_diff"] >= 0
    bubbles = json.loads(runs.loc["bubbles", "diagnostics"])
    assert bubbles["series"]["ai_basket_price_to_sales"]["cv_key"].startswith("radf_mc_T200_w27_lag0_reps2000")


def test_reestimating_reuses_cached_critical_values(snapshot_estimate):
    settings, first = snapshot_estimate
    assert list((settings.cache_dir / "bubbles").glob("radf_mc_T200_w27_lag0_reps2000_*.json"))
    con = db.connect_pipeline(settings)
    try:
        again = estimate(con, run_id="run-b", settings=settings)
    finally:
        con.close()
    assert set(again.critical_values.values()) == {"cache"}
    runs = read(settings, "SELECT DISTINCT run_id FROM meta.model_runs WHERE run_id LIKE 'run-%' ORDER BY 1")
    assert list(runs["run_id"]) == ["run-a", "run-b"]  # appended, not replaced (gapcast run's own runs aside)
    assert read(settings, "SELECT count(DISTINCT run_id) AS n FROM meta.model_runs")["n"][0] >= 3
    assert read(settings, "SELECT DISTINCT run_id FROM marts.divergence_monthly")["run_id"].tolist() == ["run-b"]


def test_a_failed_estimate_leaves_the_previous_results(snapshot_estimate, monkeypatch):
    settings, _ = snapshot_estimate
    before = read(settings, "SELECT count(*) AS n, max(run_id) AS run FROM marts.divergence_monthly")
    real = db.sql_text

    def broken(relative: str) -> str:
        if relative == "estimate/bubble_episodes.sql":
            return "CREATE OR REPLACE TABLE marts.bubble_episodes AS SELECT no_such_column FROM bubble_episodes_frame"
        return real(relative)

    monkeypatch.setattr(db, "sql_text", broken)
    con = db.connect_pipeline(settings)
    try:
        with pytest.raises(duckdb.Error):
            estimate(con, run_id="run-broken", settings=settings)
    finally:
        con.close()
    after = read(settings, "SELECT count(*) AS n, max(run_id) AS run FROM marts.divergence_monthly")
    assert after.equals(before)
    assert read(settings, "SELECT count(*) AS n FROM meta.model_runs WHERE run_id = 'run-broken'")["n"].iloc[0] == 0


def test_sample_estimate_is_synthetic_and_explains_early_months(sample_run, tmp_path_factory):
    settings = copy_home(sample_run, tmp_path_factory, "estimate-sample")
    con = db.connect_pipeline(settings)
    try:
        estimate(con, run_id="run-s", settings=settings)
    finally:
        con.close()
    for table in NEW_TABLES:
        flags = read(settings, f"SELECT DISTINCT synthetic FROM marts.{table}")["synthetic"].tolist()
        assert flags == [True], table
    assert read(settings, "SELECT DISTINCT synthetic FROM meta.model_runs")["synthetic"].tolist() == [True]
    frame = read(settings, "SELECT * FROM marts.divergence_monthly ORDER BY month")
    assert frame["month"].iloc[0] == pd.Timestamp("2015-01-01")
    early = frame[frame["members"] == 0]
    assert len(early) and all(any(n.startswith("basket") for n in notes) for notes in early["notes"])


def test_cli_estimate_publishes_and_prints_assumptions(snapshot_run, tmp_path_factory):
    settings = copy_home(snapshot_run, tmp_path_factory, "estimate-cli")
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["estimate", "--home", str(settings.home)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2026-08: price-to-sales" in result.stdout
    assert "required_revenue.cost_multiple = 2.0" in result.stdout and "AI's $600B Question" in result.stdout
    con = duckdb.connect(str(settings.analytics_db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM marts.divergence_monthly").fetchall()[0][0] == 140
        assert con.execute("SELECT command, status FROM meta.runs WHERE command = 'estimate'").fetchall() == [
            ("estimate", "ok")]
        comment = con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'divergence_monthly' "
                              "AND column_name = 'revenue_basis'").fetchall()[0][0]
        assert "nowcast" in comment
    finally:
        con.close()
    missing = CliRunner().invoke(app, ["estimate", "--home", str(settings.home / "nowhere")])
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


def test_empty_marts_give_empty_tables_and_a_skipped_run(sample_run, tmp_path_factory):
    from datetime import datetime

    from warehouse.build import build

    settings = copy_home(sample_run, tmp_path_factory, "estimate-empty")
    con = db.connect_pipeline(settings)
    try:
        build(con, run_id="early", as_of=datetime(2001, 1, 1))  # nothing had been retrieved by then
        report = estimate(con, run_id="run-empty", settings=settings)
    finally:
        con.close()
    assert all(report.rows[t] == 0 for t in NEW_TABLES)
    assert any("nothing to estimate" in w for w in report.warnings)
    runs = read(settings, "SELECT model, status, warnings FROM meta.model_runs WHERE run_id = 'run-empty'")
    assert runs.set_index("model")["status"].to_dict() == {"basket": "skipped", "capital_progress": "skipped"}
    progress = runs.set_index("model").loc["capital_progress", "warnings"]
    assert list(progress) == ["no progress index: no frontier measure"]
    columns = read(settings, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'divergence_monthly'")
    assert {"month", "price_to_sales", "notes", "synthetic"} <= set(columns["column_name"])


def test_a_warm_run_reuses_results_whose_inputs_are_unchanged(sample_run, tmp_path_factory, tmp_path):
    """The estimate and the forecast keep their published results when the data, the configuration and the
    models' code are those they were computed from, and say so; any change refits."""
    from flows.config import ASSUMPTIONS_PATH, COOLING_PATH

    settings = copy_home(sample_run, tmp_path_factory, "reuse")
    first_run = read(settings, "SELECT DISTINCT run_id FROM marts.divergence_monthly")["run_id"].tolist()
    again = steps.estimate(settings)
    assert again.reused == first_run[0] and not again.rows
    assert read(settings, "SELECT DISTINCT run_id FROM marts.divergence_monthly")["run_id"].tolist() == first_run
    message = read(settings, "SELECT message FROM meta.runs WHERE run_id = ?", [again.run_id])["message"][0]
    assert "reused the results of run" in message and "unchanged" in message
    forecast_again = steps.forecast(settings)
    assert forecast_again.reused is not None
    # another assumption: refitted
    changed = tmp_path / "assumptions.toml"
    changed.write_text(ASSUMPTIONS_PATH.read_text().replace("zscore_min_history = { value = 36",
                                                            "zscore_min_history = { value = 30"))
    assert changed.read_text() != ASSUMPTIONS_PATH.read_text()
    refit = steps.estimate(settings, assumptions_path=changed)
    assert refit.reused is None and refit.rows["divergence_monthly"] > 0
    # another forecast configuration: refitted
    cooling = tmp_path / "cooling.toml"
    cooling.write_text(COOLING_PATH.read_text().replace("search_reps = 5", "search_reps = 4"))
    assert cooling.read_text() != COOLING_PATH.read_text()
    assert steps.forecast(settings, config_path=cooling).reused is None
    # new data (one value of a target revised in the marts): refitted
    con = db.connect_pipeline(settings)
    try:
        con.execute("UPDATE marts.hiring_monthly SET value = value * 1.01 WHERE talent_target AND month = "
                    "(SELECT max(month) FROM marts.hiring_monthly WHERE talent_target)")
    finally:
        con.close()
    assert steps.forecast(settings, config_path=cooling).reused is None


def test_a_failing_progress_model_is_recorded_and_the_divergence_still_publishes(sample_run, tmp_path_factory,
                                                                                monkeypatch):
    from models import api

    settings = copy_home(sample_run, tmp_path_factory, "progress-fails")

    def broken(*args, **kwargs):
        raise ValueError("a broken frontier")

    monkeypatch.setattr(api, "capital_progress", broken)
    report = steps.estimate(settings, reuse=False)
    assert report.rows["divergence_monthly"] > 0 and report.rows["capital_progress_monthly"] == 0
    assert "capital_progress: failed: ValueError: a broken frontier" in report.warnings
    runs = read(settings, "SELECT status, warnings FROM meta.model_runs WHERE run_id = ? AND model = "
                          "'capital_progress'", [report.run_id])
    assert runs["status"].tolist() == ["failed"]
    assert list(runs["warnings"][0]) == ["failed: ValueError: a broken frontier"]
