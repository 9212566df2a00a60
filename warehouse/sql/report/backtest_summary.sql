-- How good such forecasts have been (marts.backtest_scores): per target and model, MASE relative to the random
-- walk at 1, 3, 6 and 9 months ahead, and the Brier score of P(cooling) beside the climatological base rate's.
-- Short column names: the PDF's table is narrow.
SELECT
    target_series AS target,
    model,
    round(max(CASE WHEN metric = 'relative_mase' AND horizon = 1 THEN value END), 2) AS "1 mo",
    round(max(CASE WHEN metric = 'relative_mase' AND horizon = 3 THEN value END), 2) AS "3 mo",
    round(max(CASE WHEN metric = 'relative_mase' AND horizon = 6 THEN value END), 2) AS "6 mo",
    round(max(CASE WHEN metric = 'relative_mase' AND horizon = 9 THEN value END), 2) AS "9 mo",
    round(max(CASE WHEN metric = 'brier' AND horizon IS NULL THEN value END), 3) AS brier,
    round(max(CASE WHEN metric = 'brier_climatology' AND horizon IS NULL THEN value END), 3) AS "base rate",
    max(CASE WHEN metric = 'brier' AND horizon IS NULL THEN n END) AS n
FROM marts.backtest_scores
WHERE model <> 'regimes' AND origins = 'all'
GROUP BY target_series, model
ORDER BY target_series, brier NULLS LAST;
