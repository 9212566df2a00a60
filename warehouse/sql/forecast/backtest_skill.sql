-- The latest backtest's skill by target and model: Brier skill over all leads and mean CRPS skill over horizons
-- 1-9, with how many forecasts each counts (empty when no backtest has run).
SELECT
    target_series,
    model,
    max(CASE WHEN metric = 'brier_skill' AND horizon IS NULL THEN value END) AS brier_skill,
    max(CASE WHEN metric = 'brier_skill' AND horizon IS NULL THEN n END) AS brier_n,
    avg(CASE WHEN metric = 'crps_skill' THEN value END) AS crps_skill,
    min(CASE WHEN metric = 'crps_skill' THEN n END) AS crps_n
FROM marts.backtest_scores
GROUP BY target_series, model
ORDER BY target_series, model;
