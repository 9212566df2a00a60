-- Backtest scores by target, model and horizon (from the registered frame backtest_scores_frame).
CREATE OR REPLACE TABLE marts.backtest_scores AS
SELECT
    CAST(run_id AS VARCHAR) AS run_id,
    CAST(target_series AS VARCHAR) AS target_series,
    CAST(model AS VARCHAR) AS model,
    CAST(horizon AS INTEGER) AS horizon,
    CAST(metric AS VARCHAR) AS metric,
    CAST(value AS DOUBLE) AS value,
    CAST(n AS INTEGER) AS n,
    CAST(seasons AS INTEGER) AS seasons,
    CAST(lo90 AS DOUBLE) AS lo90,
    CAST(hi90 AS DOUBLE) AS hi90,
    CAST(verdict AS VARCHAR) AS verdict,
    CAST(origins AS VARCHAR) AS origins,
    CAST(threshold AS DOUBLE) AS threshold,
    CAST(data_basis AS VARCHAR) AS data_basis,
    CAST(synthetic AS BOOLEAN) AS synthetic
FROM backtest_scores_frame;

COMMENT ON TABLE marts.backtest_scores IS 'gapcast backtest scores. Paths (horizon = months ahead, 1-9): crps_skill, relative_mase, mase, rmse, crps_log, pinball, coverage80, coverage95. P(cooling) (horizon = months from the origin to the season''s May; NULL = all leads): brier, brier_climatology, brier_skill; and, with a season-block bootstrap 90% interval, brier_skill_live (leads 5-8: forecasts made September-December) and brier_skill_lead3plus (leads of 3 months or more); brier_skill_vs_no_gap and brier_skill_vs_default, the live-lead skill against another model on shared origins (marts.backtest_gap_test has the Diebold-Mariano test of the gap). Every score over all origins and, but the paired ones, over the real-time origins alone (origins). See docs/forecast.md.';
COMMENT ON COLUMN marts.backtest_scores.run_id IS 'The backtest run.';
COMMENT ON COLUMN marts.backtest_scores.target_series IS 'The talent target.';
COMMENT ON COLUMN marts.backtest_scores.model IS 'sarimax (with the long tech basket''s gap), the backtested specifications without it (arima, arima_robust, and arima_gap_sample, the gap test''s yardstick fitted on SARIMAX''s months: catalogs/cooling.toml [specifications]), nowcast, regimes (P(cooling) only, backtested at the live-lead origins alone, September-December: its brier over all leads and its brier_skill_lead3plus cover those origins, not every month), random_walk, seasonal_naive, drift, climatology, or headline (the combination rule applied at each origin to what was known then).';
COMMENT ON COLUMN marts.backtest_scores.horizon IS 'Paths: months after the origin. Brier rows: months from the origin to the season''s May; NULL over all leads.';
COMMENT ON COLUMN marts.backtest_scores.metric IS 'mase: mean |error| over the in-sample naive MAE at the origin (seasonal, lag 12, for a not seasonally adjusted target; Hyndman and Koehler 2006). relative_mase: MASE over the random walk''s at the same origins (< 1 beats it). rmse: target units. crps_log: CRPS of the log level x 100 (about percent). crps_skill: 1 - CRPS / random walk CRPS. pinball: mean quantile loss at 2.5, 10, 50, 90, 97.5%, target units. coverage80/95: share of outcomes inside the interval. brier: mean (p - cooled)^2. brier_climatology: the base rate''s Brier at the same origins. brier_skill: 1 - brier / brier_climatology (> 0 beats the base rate). brier_skill_live: the same over leads 5-8 (forecasts made September-December for the coming March-May). brier_skill_lead3plus: over leads of 3 months or more. brier_skill_vs_no_gap (model sarimax only): 1 - brier / the brier of the same fit without its regressors on the same months (combination.gap_yardstick) at the live leads on the origins both forecast. brier_skill_vs_default: the same against the combination rule''s default (sarimax), for every other model: is a candidate better than what it would replace.';
COMMENT ON COLUMN marts.backtest_scores.value IS 'The score.';
COMMENT ON COLUMN marts.backtest_scores.n IS 'Forecasts scored (origins with a known outcome).';
COMMENT ON COLUMN marts.backtest_scores.seasons IS 'Brier rows: the distinct seasons those forecasts are about (monthly origins forecasting one season are not independent: count seasons). NULL for path scores.';
COMMENT ON COLUMN marts.backtest_scores.lo90 IS 'brier_skill_live, brier_skill_lead3plus and the paired skills (brier_skill_vs_*): 5th percentile of the skill over 2,000 bootstrap draws of whole seasons (runs of 3 consecutive seasons from 20 seasons on); an interval containing 0 is "no demonstrated skill". NULL elsewhere or with fewer than 8 seasons. From 20 seasons on the bootstrap draws runs of 3 consecutive seasons (circular), since cooling comes in runs; below, one season at a time.';
COMMENT ON COLUMN marts.backtest_scores.hi90 IS 'The 95th percentile of the same bootstrap.';
COMMENT ON COLUMN marts.backtest_scores.verdict IS 'brier_skill_live and brier_skill_lead3plus in words: beats the base rate (interval above 0), no demonstrated skill (interval contains 0, or too few seasons for one), worse than the base rate (interval below 0). brier_skill_vs_no_gap and brier_skill_vs_default: beats / worse than / no demonstrated difference from the reference model.';
COMMENT ON COLUMN marts.backtest_scores.origins IS 'all: every origin (the paired skills, brier_skill_vs_*, are over all origins only); real_time: only the origins at which the target itself read a vintage retrieved by the origin (the nowcast''s other panel series and the regressors may still be revised or as last built: see data_basis).';
COMMENT ON COLUMN marts.backtest_scores.threshold IS 'The target''s cooling threshold the backtest used (the combination rule ignores scores made with another).';
COMMENT ON COLUMN marts.backtest_scores.data_basis IS 'What the origins could see for this target: how many read a real-time vintage, how many revised data cut at the publication lag.';
COMMENT ON COLUMN marts.backtest_scores.synthetic IS 'True when built from the synthetic sample.';
