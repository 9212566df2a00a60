"""warehouse.forecast on the synthetic sample: the three marts with their comments, meta.model_runs, one
transaction, too little data skipped with its reason, and a failing fit recorded rather than raised."""

from __future__ import annotations

import re

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import copy_home
from warehouse import db
from flows import steps
from flows.config import COOLING_PATH, load_cooling_config
from models.config import CoolingConfigError
from models.cooling import season_year_at as season_year_for


def forecast(con, *, run_id, settings, config_path=None):
    """The forecast step on an open connection under a given run id, always fitting (no reuse)."""
    return steps.forecast(settings, config_path=config_path, con=con, run_id=run_id, reuse=False)

TARGETS = ("CES6054150001", "IHLIDXUSTPSOFTDEVE", "JTU5100JOL", "PAYEMS", "USINFO")
TABLES = ("cooling_forecast", "cooling_probability", "cooling_thresholds", "regime_probabilities", "forecast_news")
SPECIFICATIONS = ("arima", "arima_robust")  # [specifications] the rule may choose: fitted live, every one a candidate
PROBABILITY_MODELS = ("sarimax", *SPECIFICATIONS, "regimes", "nowcast", "random_walk", "drift", "seasonal_naive",
                      "climatology")


def run_forecast(settings, run_id: str, config_path: Path | None = None, before=None):
    con = db.connect_pipeline(settings)
    try:
        if before:
            con.execute(before)
        return forecast(con, run_id=run_id, settings=settings, config_path=config_path)
    finally:
        con.close()


def read(settings, sql: str, params=()) -> pd.DataFrame:
    con = duckdb.connect(str(settings.pipeline_db), read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def config_with(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """catalogs/cooling.toml with each (old, new) text replaced once."""
    text = COOLING_PATH.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "cooling.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample_forecast(sample_run, tmp_path_factory):
    settings = copy_home(sample_run, tmp_path_factory, "forecast-sample")
    return settings, run_forecast(settings, "fc-1")


def test_every_target_gets_paths_probabilities_and_regimes(sample_forecast):
    settings, report = sample_forecast
    assert report.season == "2027 Mar-May"
    assert set(report.statuses.values()) == {"ok"}
    assert report.seconds < 15
    probs = read(settings, "SELECT * FROM marts.cooling_probability")
    assert set(probs["target_series"]) == set(TARGETS)
    assert set(probs["model"]) == {f"{k}:{t}" for t in TARGETS for k in PROBABILITY_MODELS}
    # No backtest in this warehouse: the combination rule falls back to its default, once per target.
    headline = probs[probs["headline"]]
    assert sorted(headline["target_series"]) == sorted(TARGETS)
    assert (headline["model"].str.startswith("sarimax:")).all()
    assert headline["chosen_by"].str.contains("default").all() and probs[~probs["headline"]]["chosen_by"].isna().all()
    assert probs["probability"].between(0, 1).all() and probs["base_rate"].between(0, 1).all()
    assert (probs["season"] == "2027 Mar-May").all() and probs["synthetic"].all()
    assert (probs["threshold"] < 0).all() and probs["run_id"].eq("fc-1").all()
    fc = read(settings, "SELECT * FROM marts.cooling_forecast")
    assert set(fc["target_series"]) == set(TARGETS) and fc["synthetic"].all()
    assert (fc.groupby("target_series")["target_month"].max() == pd.Timestamp("2027-06-01")).all()
    regimes = read(settings, "SELECT * FROM marts.regime_probabilities")
    assert set(regimes["kind"]) == {"smoothed", "forecast"} and regimes["p_cooling_regime"].between(0, 1).all()
    assert (regimes[regimes["kind"] == "forecast"].groupby("target_series")["month"].max()
            == pd.Timestamp("2027-06-01")).all()


def test_forecast_intervals_are_nested(sample_forecast):
    settings, _ = sample_forecast
    fc = read(settings, "SELECT * FROM marts.cooling_forecast")
    assert len(fc) > 0
    assert (fc["lo95"] <= fc["lo80"]).all() and (fc["lo80"] <= fc["mean"]).all()
    assert (fc["mean"] <= fc["hi80"]).all() and (fc["hi80"] <= fc["hi95"]).all()


def test_tables_and_columns_are_commented(sample_forecast):
    settings, _ = sample_forecast
    for table in TABLES:
        comment = read(settings, "SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = ?",
                       [table])["comment"]
        assert comment.iloc[0], table
        cols = read(settings, "SELECT column_name, comment FROM duckdb_columns() "
                              "WHERE schema_name = 'marts' AND table_name = ?", [table])
        assert cols["comment"].notna().all(), cols[cols["comment"].isna()]
        assert "synthetic" in set(cols["column_name"])


def test_model_runs_record_every_model_and_keep_the_estimates(sample_forecast, sample_run):
    settings, _ = sample_forecast
    runs = read(settings, "SELECT * FROM meta.model_runs WHERE run_id = 'fc-1' ORDER BY model")
    per_target = ("regimes", "sarimax", *SPECIFICATIONS, "random_walk", "drift", "seasonal_naive")
    assert list(runs["model"]) == sorted([f"{k}:{t}" for t in TARGETS for k in per_target] + ["nowcast"])
    assert (runs["status"] == "ok").all() and runs["synthetic"].all()
    assert runs[runs["model"] != "nowcast"]["parameters"].str.contains("threshold").all()
    # the estimate's rows of the sample run are untouched
    _, sample_report = sample_run
    kept = read(settings, "SELECT count(*) AS n FROM meta.model_runs WHERE run_id = ?", [sample_report.run_id])
    assert kept["n"].iloc[0] > 0
    # forecasting again under the same run id replaces its rows
    run_forecast(settings, "fc-1")
    assert len(read(settings, "SELECT * FROM meta.model_runs WHERE run_id = 'fc-1'")) == len(runs)


def test_a_target_with_too_little_data_is_skipped_with_the_reason(sample_run, tmp_path_factory):
    settings = copy_home(sample_run, tmp_path_factory, "forecast-short")
    report = run_forecast(settings, "fc-short", before=(
        "DELETE FROM marts.hiring_monthly WHERE series_id = 'CES6054150001' AND month < DATE '2025-06-01'"))
    runs = read(settings, "SELECT model, status, warnings FROM meta.model_runs WHERE run_id = 'fc-short'")
    short = runs[runs["model"].str.startswith(("sarimax:", "regimes:")) & runs["model"].str.endswith("CES6054150001")]
    assert set(short["status"]) == {"skipped"} and len(short) == 2
    assert all("fewer than 36" in w[0] for w in short["warnings"])
    probs = read(settings, "SELECT * FROM marts.cooling_probability")
    models = set(probs[probs["target_series"] == "CES6054150001"]["model"].str.split(":").str[0])
    assert not models & {"sarimax", "regimes"}  # only what could run on 14 months: the baselines
    assert report.statuses["sarimax:JTU5100JOL"] == "ok"


def test_a_failing_fit_is_recorded_not_raised(sample_run, tmp_path_factory, tmp_path):
    settings = copy_home(sample_run, tmp_path_factory, "forecast-fail")
    config = config_with(tmp_path, ("order = [1, 1, 0]", "order = [2, 1, 2]"),
                         ("maxiter = 200\nmin_months = 36\nfuture", "maxiter = 1\nmin_months = 36\nfuture"))
    report = run_forecast(settings, "fc-fail", config)
    runs = read(settings, "SELECT model, status, warnings FROM meta.model_runs WHERE run_id = 'fc-fail'")
    sarimax = runs[runs["model"].str.startswith("sarimax:")]
    assert set(sarimax["status"]) == {"not_converged"}, sarimax
    assert all(any("did not converge" in w for w in ws) for ws in sarimax["warnings"])
    assert any("ConvergenceWarning" in w for ws in sarimax["warnings"] for w in ws)  # statsmodels' own, verbatim
    assert read(settings, "SELECT count(*) AS n FROM marts.cooling_forecast WHERE model LIKE 'sarimax:%'"
                )["n"].iloc[0] == 0
    probs = read(settings, "SELECT * FROM marts.cooling_probability")
    assert "sarimax" not in set(probs["model"].str.split(":").str[0])  # the other models went on
    # the combination rule cannot choose a model that did not converge: no backtest, default absent -> none chosen
    assert not probs["headline"].any()
    assert report.statuses["regimes:JTU5100JOL"] == "ok"


def test_a_target_without_a_threshold_is_skipped_not_guessed(sample_run, tmp_path_factory, tmp_path):
    settings = copy_home(sample_run, tmp_path_factory, "forecast-nothreshold")
    config = config_with(tmp_path, ("[targets.CES6054150001]", "[targets.SOMETHING_ELSE]"))
    run_forecast(settings, "fc-nt", config)
    runs = read(settings, "SELECT model, status, warnings FROM meta.model_runs WHERE run_id = 'fc-nt'")
    row = runs[runs["model"] == "sarimax:CES6054150001"].iloc[0]
    assert row["status"] == "skipped" and "no threshold configured" in row["warnings"][0]


def test_a_bad_threshold_is_refused_naming_file_and_key(tmp_path):
    path = config_with(tmp_path, ("threshold = -0.007", "threshold = 0.5"))
    with pytest.raises(CoolingConfigError, match=r"targets.CES6054150001.threshold"):
        load_cooling_config(path)


def test_the_coming_season():
    assert season_year_for(pd.Timestamp("2026-08-01")) == 2027
    assert season_year_for(pd.Timestamp("2026-04-01")) == 2026
    assert season_year_for(pd.Timestamp("2026-04-01"), 2030) == 2030


def test_the_combination_rule_picks_the_best_backtested_candidate_that_ran():
    from models.combination import choose_headline
    from warehouse.results import backtest_skill

    config = load_cooling_config()
    config.targets.update({k: {"threshold": -0.1} for k in "ABCDEF"})
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.backtest_scores (target_series VARCHAR, model VARCHAR, horizon INTEGER, "
                "metric VARCHAR, value DOUBLE, n INTEGER, seasons INTEGER, lo90 DOUBLE, hi90 DOUBLE, "
                "origins VARCHAR, threshold DOUBLE, synthetic BOOLEAN)")
    live = "brier_skill_live"
    rows = [
        # A: random_walk beats the default sarimax by more than the margin, with an interval above 0
        ("A", "random_walk", None, live, 0.6, 40, 9, 0.2), ("A", "sarimax", None, live, 0.2, 40, 9, -0.1),
        ("A", "nowcast", None, live, 0.9, 10, 2, 0.5),  # best, but on too few forecasts
        ("A", "regimes", None, live, 0.99, 40, 9, 0.9),  # not a candidate: a different event
        ("A", "random_walk", None, "brier_skill", 0.99, 90, 9, None),  # all leads: not what the rule reads
        ("A", "drift", 1, "crps_skill", 0.3, 30, None, None), ("A", "drift", 2, "crps_skill", 0.1, 30, None, None),
        ("A", "sarimax", 1, "crps_skill", 0.1, 30, None, None), ("A", "sarimax", 2, "crps_skill", 0.1, 30, None, None),
        ("B", "drift", None, live, 0.7, 40, 9, 0.3),  # B's drift did not run this month
        ("C", "drift", None, live, 0.23, 40, 9, 0.1), ("C", "sarimax", None, live, 0.2, 40, 9, 0.1),
        ("D", "drift", None, live, 0.9, 40, 2, 0.5), ("D", "sarimax", None, live, 0.1, 40, 2, -0.2),
        ("E", "drift", None, live, 0.5, 40, 9, -0.05), ("E", "sarimax", None, live, 0.1, 40, 9, -0.3),
        ("F", "random_walk", None, live, 0.11, 144, 36, -0.17), ("F", "sarimax", None, live, 0.22, 28, 7, None),
    ]
    con.executemany("INSERT INTO marts.backtest_scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 'all', -0.1, false)",
                    rows)
    con.execute("INSERT INTO marts.backtest_scores VALUES ('A', 'seasonal_naive', NULL, 'brier_skill_live', 0.95, "
                "40, 9, 0.5, 0.99, 'all', -0.05, false)")  # scored with another threshold: ignored
    con.execute("INSERT INTO marts.backtest_scores VALUES ('A', 'nowcast', NULL, 'brier_skill_live', 0.97, "
                "400, 50, 0.5, 0.99, 'real_time', -0.1, false)")  # the real-time-only summary: not what the rule reads
    probabilities = pd.DataFrame({
        "target_series": ["A"] * 6 + ["B"] * 2 + ["C"] * 2 + ["D"] * 2 + ["E"] * 2 + ["F"] * 2,
        "model": ["sarimax:A", "random_walk:A", "nowcast:A", "regimes:A", "climatology:A", "seasonal_naive:A",
                  "sarimax:B", "random_walk:B", "sarimax:C", "drift:C", "sarimax:D", "drift:D", "sarimax:E",
                  "drift:E", "sarimax:F", "random_walk:F"]})
    forecasts = pd.DataFrame({"target_series": ["A"] * 4, "model": ["sarimax:A", "sarimax:A", "drift:A", "drift:A"]})
    thresholds = {sid: t["threshold"] for sid, t in config.targets.items()}
    choose_headline(config.combination, thresholds, backtest_skill(con), forecasts, probabilities, synthetic=False)
    chosen = probabilities[probabilities["headline"]].set_index("target_series")
    assert chosen.loc["A", "model"] == "random_walk:A" and "+0.60 over 40" in chosen.loc["A", "chosen_by"]
    assert chosen.loc["B", "model"] == "sarimax:B" and "default" in chosen.loc["B", "chosen_by"]
    assert chosen.loc["C", "model"] == "sarimax:C" and "not ahead by more than 0.05" in chosen.loc["C", "chosen_by"]
    assert chosen.loc["D", "model"] == "sarimax:D" and "8+ seasons" in chosen.loc["D", "chosen_by"]
    # E: drift is well ahead, but its interval reaches below 0: no demonstrated skill, so the default stays
    assert chosen.loc["E", "model"] == "sarimax:E" and "no demonstrated skill" in chosen.loc["E", "chosen_by"]
    # F: the default was scored on too few seasons to count, and the best candidate shows no skill: the default stays
    assert chosen.loc["F", "model"] == "sarimax:F" and "no demonstrated skill" in chosen.loc["F", "chosen_by"]
    # the reason says what the number rests on: the model, its skill, interval, forecasts, seasons and lead
    assert chosen.loc["F", "chosen_by"] == (
        "the default (sarimax, not scored on 24+ forecasts about 8+ seasons with this threshold); the best, "
        "random_walk, has live-lead Brier skill +0.11 over 144 forecasts about 36 seasons made 5-8 months before the "
        "season's May: no demonstrated skill")
    assert set(forecasts[forecasts["headline"]]["model"]) == {"drift:A"}  # mean CRPS skill 0.2 beats 0.1
    # a synthetic run ignores scores from real data
    choose_headline(config.combination, thresholds, backtest_skill(con), forecasts, probabilities, synthetic=True)
    assert probabilities[probabilities["headline"]]["model"].str.startswith("sarimax:").all()


def test_where_the_gap_is_left_out_sarimax_is_no_candidate_and_the_default_is_without_gap():
    from models.combination import choose_headline

    config = load_cooling_config()
    skill = pd.DataFrame([
        {"target_series": "A", "model": "sarimax", "brier_skill": 0.9, "brier_skill_lo90": 0.5, "brier_n": 90,
         "brier_seasons": 20, "crps_skill": 0.5, "crps_n": 90, "threshold": -0.1, "synthetic": False},
        {"target_series": "A", "model": "arima", "brier_skill": 0.1, "brier_skill_lo90": -0.2, "brier_n": 90,
         "brier_seasons": 20, "crps_skill": 0.1, "crps_n": 90, "threshold": -0.1, "synthetic": False}])
    probabilities = pd.DataFrame({"target_series": ["A"] * 2, "model": ["sarimax:A", "arima:A"]})
    forecasts = pd.DataFrame({"target_series": ["A"] * 2, "model": ["sarimax:A", "arima:A"]})
    choose_headline(config.combination, {"A": -0.1}, skill, forecasts, probabilities, synthetic=False)
    assert probabilities.loc[probabilities["headline"], "model"].tolist() == ["sarimax:A"]
    why = "the gap is left out: CRPS over horizons 1-9: no evidence (DM p 0.4)"
    choose_headline(config.combination, {"A": -0.1}, skill, forecasts, probabilities, synthetic=False,
                    without_gap={"A": why})
    chosen = probabilities[probabilities["headline"]]
    assert chosen["model"].tolist() == ["arima:A"] and chosen["chosen_by"].iloc[0].startswith(why + "; the default (arima")
    assert forecasts.loc[forecasts["headline"], "model"].tolist() == ["arima:A"]


def test_the_live_forecast_follows_the_published_gap_test(sample_run, tmp_path_factory):
    """A target the gap test says the gap does not help gets no SARIMAX (its record says why) and its headline is
    the default without it; a target it says it helps keeps SARIMAX and says so; an untested target carries it."""
    from models.combination import regressor_label

    settings = copy_home(sample_run, tmp_path_factory, "forecast-gap")
    sx = load_cooling_config().sarimax
    tested = regressor_label(sx["regressors"], sx["lag"]).replace("'", "''")

    def gap_table(regressors: str) -> str:
        return ("CREATE OR REPLACE TABLE marts.backtest_gap_test AS SELECT * FROM (VALUES "
                "('USINFO', false, 'the gap is left out: CRPS over horizons 1-9: no evidence (+1.0%, DM p 0.400)', "
                f"'{regressors}', 'arima_gap_sample', true), "
                "('PAYEMS', true, 'the gap is used: CRPS over horizons 1-9: the gap lowers the CRPS by 5.0%', "
                f"'{regressors}', 'arima_gap_sample', true)) "
                "AS t(target_series, uses_gap, decision, regressors, yardstick, synthetic)")

    run_forecast(settings, "fc-gap", before=gap_table(tested))
    runs = read(settings, "SELECT model, status, warnings, parameters FROM meta.model_runs WHERE run_id = 'fc-gap'")
    runs = runs.set_index("model")
    assert runs.loc["sarimax:USINFO", "status"] == "skipped"
    assert "not fitted: the gap is left out" in runs.loc["sarimax:USINFO", "warnings"][0]
    assert runs.loc["sarimax:PAYEMS", "status"] == "ok" and "the gap is used" in runs.loc["sarimax:PAYEMS", "parameters"]
    assert runs.loc["sarimax:JTU5100JOL", "status"] == "ok"  # untested: carried
    head = read(settings, "SELECT target_series, model, chosen_by FROM marts.cooling_probability WHERE headline "
                          "AND run_id = 'fc-gap'").set_index("target_series")
    assert head.loc["USINFO", "model"] == "arima:USINFO"
    assert head.loc["USINFO", "chosen_by"].startswith("the gap is left out: ")
    assert head.loc["PAYEMS", "model"] == "sarimax:PAYEMS"
    # a published test of other regressors decides nothing: SARIMAX runs for every target, and the run says why
    run_forecast(settings, "fc-gap-other", before=gap_table("ps_zscore (lag 6)"))
    runs = read(settings, "SELECT model, status, warnings FROM meta.model_runs WHERE run_id = 'fc-gap-other'")
    runs = runs.set_index("model")
    assert runs.loc["sarimax:USINFO", "status"] == "ok"
    assert "tested ps_zscore (lag 6) against arima_gap_sample, not this configuration's" in \
        runs.loc["cooling:gap_test", "warnings"][0]


def test_regressors_can_come_from_the_macro_layoff_and_funding_marts():
    from warehouse.results import regressors as regressor_frame

    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.macro_monthly AS SELECT 'UNRATE' AS series_id, DATE '2020-01-01' AS month, "
                "3.5 AS value UNION ALL SELECT 'UNRATE', DATE '2020-02-01', 3.6")
    con.execute("CREATE TABLE marts.layoffs_monthly AS SELECT 'fyi' AS series_id, DATE '2020-02-01' AS month, "
                "CAST(99 AS DOUBLE) AS laid_off")
    con.execute("CREATE TABLE marts.funding_monthly (series_id VARCHAR, month DATE, amount_usd DOUBLE)")
    con.execute("CREATE TABLE marts.divergence_monthly AS SELECT DATE '2020-01-01' AS month, 1.0 AS ps_zscore, "
                "NULL::DOUBLE AS coint_gap_eg_realtime, NULL::DOUBLE AS capex_gap, false AS synthetic UNION ALL "
                "SELECT DATE '2020-02-01', 2.0, NULL, NULL, false")
    frame, missing = regressor_frame(con, ["ps_zscore", "macro:UNRATE", "layoffs:fyi", "funding:none",
                                                       "typo"])
    assert missing == ["funding:none", "typo"]
    assert list(frame.columns) == ["ps_zscore", "macro:UNRATE", "layoffs:fyi"]
    assert frame.loc["2020-02-01", "macro:UNRATE"] == 3.6
    assert frame.loc["2020-02-01", "layoffs:fyi"] == pytest.approx(np.log(100))
    assert np.isnan(frame.loc["2020-01-01", "layoffs:fyi"])


def test_a_backtest_from_before_the_live_lead_scores_is_called_outdated_not_absent():
    """A published backtest without the live-lead columns cannot feed the combination rule: it reads as outdated
    (the forecast then says to run `gapcast backtest` again), while no backtest at all is simply absent."""
    from warehouse.results import backtest_outdated, backtest_skill

    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    assert not backtest_outdated(con) and backtest_skill(con).empty  # no backtest yet
    con.execute("CREATE TABLE marts.backtest_scores (target_series VARCHAR, model VARCHAR, horizon INTEGER, "
                "metric VARCHAR, value DOUBLE, n INTEGER, seasons INTEGER, threshold DOUBLE, synthetic BOOLEAN)")
    con.execute("INSERT INTO marts.backtest_scores VALUES ('A', 'drift', NULL, 'brier_skill', 0.9, 99, 9, -0.1, "
                "false)")
    assert backtest_outdated(con) and backtest_skill(con).empty


def test_first_origins_are_months_and_the_nowcast_starts_with_the_others_unless_told(tmp_path):
    from flows.config import COOLING_PATH
    from models.config import CoolingConfigError

    text = COOLING_PATH.read_text(encoding="utf-8")
    config = load_cooling_config()
    assert config.targets["USINFO"]["first_origin"] == pd.Timestamp("1990-01-01")
    assert config.backtest["nowcast_first_origin"] == pd.Timestamp("2019-01-01")
    unset = tmp_path / "unset.toml"
    unset.write_text(text.replace('nowcast_first_origin = "2019-01"', "").replace('first_origin = "2019-01"',
                                                                                 'first_origin = "2021-03"'))
    assert load_cooling_config(unset).backtest["nowcast_first_origin"] == pd.Timestamp("2021-03-01")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('first_origin = "1990-01"', 'first_origin = "1990-13"'))
    with pytest.raises(CoolingConfigError, match="targets.USINFO.first_origin '1990-13' must be a month"):
        load_cooling_config(bad)


def test_p_cooling_at_other_thresholds_agrees_with_the_configured_one_and_falls_with_the_threshold(sample_forecast):
    settings, _ = sample_forecast
    grid = read(settings, "SELECT * FROM marts.cooling_thresholds")
    probs = read(settings, "SELECT model, probability, threshold, headline FROM marts.cooling_probability")
    assert set(grid["target_series"]) == set(TARGETS) and grid["synthetic"].all()
    # every model with simulated changes (and climatology) is in it; the regime model (another event) is not
    assert {m.split(":")[0] for m in grid["model"]} == set(PROBABILITY_MODELS) - {"regimes"}
    at = grid[grid["configured"]].merge(probs, on="model", suffixes=("", "_p"))
    assert len(at) == grid["model"].nunique()
    assert (at["probability"] - at["probability_p"]).abs().max() < 1e-12  # the same changes, the same threshold
    assert (at["threshold"] == at["threshold_p"]).all() and (at["headline"] == at["headline_p"]).all()
    for _, g in grid.groupby("model"):
        g = g.sort_values("threshold", ascending=False)
        assert g["probability"].is_monotonic_decreasing  # a larger fall is never likelier
        assert len(g) >= 3
    usinfo = grid[grid["model"] == "sarimax:USINFO"].set_index("threshold")["probability"]
    assert set(usinfo.index) == {0.0, -0.001, -0.005, -0.01}  # as catalogs/cooling.toml lists them
    # climatology at another threshold, recomputed from the warehouse's own history of the target
    from models.cooling import CoolingEvent
    level = read(settings, "SELECT month, value FROM marts.hiring_monthly WHERE series_id = 'USINFO' ORDER BY month"
                 ).set_index("month")["value"]
    changes = CoolingEvent(-0.005).changes(level.astype(float))
    clim = grid[grid["model"] == "climatology:USINFO"].set_index("threshold")["probability"]
    assert clim[-0.005] == pytest.approx(float((changes < -0.005).mean()), abs=1e-12)
    assert clim[0.0] == pytest.approx(float((changes < 0).mean()), abs=1e-12)


@pytest.mark.parametrize("change, message", [
    (("thresholds = [0.0, -0.007, -0.015]", "thresholds = [0.1]"), r"targets.CES6054150001.thresholds \[0.1\] must"),
    (("thresholds = [0.0, -0.007, -0.015]", "thresholds = []"), r"targets.CES6054150001.thresholds \[\] must"),
    (("arima_recent = { window = 120 }", "arima_recent = { window = 24 }"),
     r"specifications.arima_recent.window 24 must be 0 \(the whole sample\) or whole months, at least"),
    (("arima_recent = { window = 120 }", "arima_recent = { window = true }"), r"specifications.arima_recent.window"),
    (("arima_recent = { window = 120 }", "arima_recent = { span = 120 }"),
     r"specifications.arima_recent: unknown key\(s\) \['span'\]"),
    (("arima_drift = { drift = true }", "arima_drift = { drift = \"yes\" }"),
     r"specifications.arima_drift.drift 'yes' must be true or false"),
    (("arima_recent = { window = 120 }", "2recent = { window = 120 }"), r"specifications.2recent: the name"),
    (("arima_recent = { window = 120 }", "\"arimä\" = { window = 120 }"), r"specifications.arimä: the name"),
    (("arima_recent = { window = 120 }", "random_walk = { window = 120 }"), r"specifications.random_walk: the name"),
    (("arima_recent = { window = 120 }", "headline = { window = 120 }"), r"specifications.headline: the name"),
    (("arima_recent = { window = 120 }", "backtest = { window = 120 }"), r"specifications.backtest: the name"),
    (("arima_recent = { window = 120 }", "bubbles = {}"), r"specifications.bubbles: the name"),
    (("outliers = 4 }", "outliers = 2 }"), r"specifications.arima_robust.outliers 2 must be 0 \(none\)"),
    (("outliers = 4 }", "outliers = true }"), r"specifications.arima_robust.outliers True must be 0"),
    (("order = [6, 1, 0]", "order = [1, 3, 0]"), r"specifications.arima_robust.order \[1, 3, 0\] must be \[p, d, q\]"),
    (("order = [6, 1, 0]", "order = [13, 1, 0]"), r"specifications.arima_robust.order \[13, 1, 0\] must be .*p 0-12"),
    (("order = [6, 1, 0]", "order = [2, 1]"), r"specifications.arima_robust.order \[2, 1\] must be"),
    (("order = [6, 1, 0]", "order = [2, 1, 1]"), r"specifications.arima_robust: outliers need an order without MA"),
    (("outliers = 4 }", 'outliers = 4, shocks = "student" }'), r"specifications.arima_robust.shocks 'student' must be "
     r"one of \['normal', 'bootstrap', 'local'\]"),
    (("order = [6, 1, 0], outliers = 4 }", 'order = [2, 1, 1], shocks = "bootstrap" }'),
     r"specifications.arima_robust: shocks = 'bootstrap' needs an order without MA"),
    (('candidates = ["sarimax", "arima", ', 'candidates = ["sarimax", "arima", "arima_nope", '),
     r"combination names \['arima_nope'\]"),
])
def test_a_bad_specification_is_refused_naming_file_and_key(tmp_path, change, message):
    path = config_with(tmp_path, change)
    with pytest.raises(CoolingConfigError, match=message) as err:
        load_cooling_config(path)
    assert str(path) in str(err.value)


def test_the_default_thresholds_are_half_and_twice_the_threshold_within_a_fall(tmp_path):
    config = load_cooling_config(config_with(tmp_path, ("thresholds = [0.0, -0.007, -0.015]", "#")))
    assert config.targets["CES6054150001"]["thresholds"] == [-0.0035, -0.007, -0.014]
    deep = load_cooling_config(config_with(tmp_path, ("thresholds = [0.0, -0.007, -0.015]", "#"),
                                           ("threshold = -0.007", "threshold = -0.6")))
    assert deep.targets["CES6054150001"]["thresholds"] == [-0.3, -0.6]  # -1.2 is no fall a level can have


def test_a_candidate_the_backtest_does_not_run_is_refused_and_the_default_candidates_are_the_backtested(tmp_path):
    text = COOLING_PATH.read_text(encoding="utf-8")
    models = next(line for line in text.splitlines() if line.startswith("models = ["))
    unscored = config_with(tmp_path, (models, 'models = ["sarimax", "regimes", "nowcast", "arima"]'))
    with pytest.raises(CoolingConfigError, match=r"combination.candidates \['arima_robust'\] are not "
                                                 r"in backtest.models"):
        load_cooling_config(unscored)
    candidates = re.search(r"^candidates = \[.*?\]", text, re.S | re.M).group(0)  # may span lines
    default = config_with(tmp_path, (candidates, ""))
    # by default: every backtested model but the gap test's yardstick (arima_drift and arima_recent are specified
    # but not backtested, so not candidates)
    assert load_cooling_config(default).combination["candidates"] == [
        "sarimax", "arima", "arima_robust", "nowcast", "random_walk", "drift", "seasonal_naive"]
    off = config_with(tmp_path, ("[nowcast]", "[nowcast]\nenabled = false"))
    with pytest.raises(CoolingConfigError, match=r"candidates \['nowcast'\] .*nowcast.enabled"):
        load_cooling_config(off)  # a disabled nowcast is never backtested either
    assert "nowcast" not in load_cooling_config(config_with(tmp_path, ("[nowcast]", "[nowcast]\nenabled = false"),
                                                            (candidates, ""))).combination["candidates"]
    narrow = config_with(tmp_path, (candidates, ""), (models, 'models = ["sarimax", "arima"]'),
                         ('gap_yardstick = "arima_gap_sample"', "gap_yardstick = false"))  # no gap test
    assert load_cooling_config(narrow).combination["candidates"] == [
        "sarimax", "arima", "random_walk", "drift", "seasonal_naive"]  # only what is backtested, and the baselines


def test_the_live_forecast_fits_every_specification_the_rule_may_choose(sample_forecast):
    """So the headline is always the rule's choice: each candidate specification has its paths and P(cooling)."""
    settings, _ = sample_forecast
    probs = read(settings, "SELECT model FROM marts.cooling_probability")
    runs = read(settings, "SELECT model, status, parameters FROM meta.model_runs WHERE run_id = 'fc-1'")
    for name in SPECIFICATIONS:
        for t in TARGETS:
            assert f"{name}:{t}" in set(probs["model"]), (name, t)
            row = runs[runs["model"] == f"{name}:{t}"].iloc[0]
            assert row["status"] == "ok" and '"regressors": []' in row["parameters"], row
    robust = runs[runs["model"].str.startswith("arima_robust:")]["parameters"]
    assert robust.str.contains('"outliers": 4.0').all() and robust.str.contains('"order": \\[6, 1, 0\\]').all()
    # specified but neither a candidate nor backtested: not fitted live
    assert not runs["model"].str.startswith(("arima_drift:", "arima_recent:", "arima_gap_sample:")).any()
