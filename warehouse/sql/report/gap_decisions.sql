-- The forecast and the gap: per talent target, whether the forecast carries the valuation gap, with the test's
-- summary row (mean CRPS over horizons 1-9 with and without it, its Diebold-Mariano p-value and origins) and the
-- decision in words (marts.backtest_gap_test).
SELECT target_series, uses_gap, relative, p_value, n, decision
FROM marts.backtest_gap_test
WHERE metric = 'crps' AND horizon IS NULL
ORDER BY target_series;
