-- The published backtest's gap test, one row per target (its decision is on every row): the live forecast's input,
-- with what was tested (the regressors and lag, the yardstick), so that a test of another configuration is ignored.
SELECT DISTINCT target_series, uses_gap, decision, regressors, yardstick, synthetic
FROM marts.backtest_gap_test
ORDER BY target_series;
