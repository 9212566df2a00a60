-- The gap test of the backtest (from the registered frame backtest_gap_test_frame): does the valuation gap improve
-- the forecast? SARIMAX with it against the same fit without it on the same months (models.backtest.gap_test).
CREATE OR REPLACE TABLE marts.backtest_gap_test AS
SELECT
    CAST(run_id AS VARCHAR) AS run_id,
    CAST(target_series AS VARCHAR) AS target_series,
    CAST(horizon AS INTEGER) AS horizon,
    CAST(metric AS VARCHAR) AS metric,
    CAST(with_gap AS DOUBLE) AS with_gap,
    CAST(without_gap AS DOUBLE) AS without_gap,
    CAST(difference AS DOUBLE) AS difference,
    CAST(relative AS DOUBLE) AS relative,
    CAST(statistic AS DOUBLE) AS statistic,
    CAST(p_value AS DOUBLE) AS p_value,
    CAST(n AS INTEGER) AS n,
    CAST(first_origin AS DATE) AS first_origin,
    CAST(last_origin AS DATE) AS last_origin,
    CAST(verdict AS VARCHAR) AS verdict,
    CAST(uses_gap AS BOOLEAN) AS uses_gap,
    CAST(decision AS VARCHAR) AS decision,
    CAST(regressors AS VARCHAR) AS regressors,
    CAST(yardstick AS VARCHAR) AS yardstick,
    CAST(synthetic AS BOOLEAN) AS synthetic
FROM backtest_gap_test_frame
ORDER BY target_series, metric, horizon NULLS LAST;

COMMENT ON TABLE marts.backtest_gap_test IS 'Does the valuation gap improve the forecast? Per talent target, SARIMAX with its regressors (sarimax.regressors: the long tech basket''s P/S z-score, lagged) against the same specification without them fitted on the same months (combination.gap_yardstick), on the backtest origins where both forecast: the Diebold-Mariano test with the Harvey-Leybourne-Newbold correction. The forecast uses the gap for a target only where uses_gap is true (docs/forecast.md, "Does the gap help?").';
COMMENT ON COLUMN marts.backtest_gap_test.run_id IS 'The backtest run.';
COMMENT ON COLUMN marts.backtest_gap_test.target_series IS 'The talent target.';
COMMENT ON COLUMN marts.backtest_gap_test.horizon IS 'crps: months after the origin, 1-9; NULL = the mean over horizons 1-9 at the origins scored at all of them (the row the rule reads). brier_live: NULL.';
COMMENT ON COLUMN marts.backtest_gap_test.metric IS 'crps: CRPS of the log level x 100 (about percent). brier_live: the Brier score of P(cooling) at the live leads (forecasts made September-December), one loss difference per season (its origins'' mean).';
COMMENT ON COLUMN marts.backtest_gap_test.with_gap IS 'Mean loss of SARIMAX with the gap.';
COMMENT ON COLUMN marts.backtest_gap_test.without_gap IS 'Mean loss of the same specification without it, on the same months and origins.';
COMMENT ON COLUMN marts.backtest_gap_test.difference IS 'with_gap - without_gap: negative when the gap helps.';
COMMENT ON COLUMN marts.backtest_gap_test.relative IS 'difference / without_gap.';
COMMENT ON COLUMN marts.backtest_gap_test.statistic IS 'The Diebold-Mariano statistic with the Harvey-Leybourne-Newbold small-sample correction (h - 1 autocovariances of the loss differences, unweighted; h = the horizon, 9 for the mean over horizons, 2 for seasons, which come in runs). NULL when fewer than 10 differences, or when that long-run variance is not positive (then untested, not refitted with fewer lags).';
COMMENT ON COLUMN marts.backtest_gap_test.p_value IS 'Two-sided, Student''s t with n - 1 degrees of freedom.';
COMMENT ON COLUMN marts.backtest_gap_test.n IS 'Loss differences: origins (crps) or seasons (brier_live).';
COMMENT ON COLUMN marts.backtest_gap_test.first_origin IS 'The first origin paired.';
COMMENT ON COLUMN marts.backtest_gap_test.last_origin IS 'The last origin paired.';
COMMENT ON COLUMN marts.backtest_gap_test.verdict IS 'The row in words.';
COMMENT ON COLUMN marts.backtest_gap_test.uses_gap IS 'The rule, the same on every row of a target: true when the mean CRPS over horizons 1-9 is lower with the gap at p < 0.10 on at least 120 origins scored at every horizon (the test''s size is near its nominal 10% from there: bench/gap_test_size.py) and the live-lead Brier score is not significantly higher; false when the test ran and that does not hold; NULL (untested) when it could not run. Only where it is true does the forecast carry the gap: elsewhere SARIMAX is left out for the target and its default is combination.without_gap (arima over the whole history).';
COMMENT ON COLUMN marts.backtest_gap_test.regressors IS 'What was tested: sarimax.regressors with their lag. The live forecast follows this test only while its configuration names the same.';
COMMENT ON COLUMN marts.backtest_gap_test.yardstick IS 'The specification SARIMAX was compared with (combination.gap_yardstick).';
COMMENT ON COLUMN marts.backtest_gap_test.decision IS 'The rule''s outcome in words, with its numbers: what marts.cooling_probability.chosen_by says first for a target left without the gap.';
COMMENT ON COLUMN marts.backtest_gap_test.synthetic IS 'True when built from the synthetic sample.';
