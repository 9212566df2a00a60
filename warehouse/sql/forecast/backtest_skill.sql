-- The latest backtest's skill by target and model: Brier skill over all leads with the forecasts and distinct
-- seasons it counts, mean CRPS skill over horizons 1-9, and the threshold and synthetic flag it was made with
-- (empty when no backtest has run).
SELECT
    target_series,
    model,
    max(CASE WHEN metric = 'brier_skill' AND horizon IS NULL THEN value END) AS brier_skill,
    max(CASE WHEN metric = 'brier_skill' AND horizon IS NULL THEN n END) AS brier_n,
    max(CASE WHEN metric = 'brier_skill' AND horizon IS NULL THEN seasons END) AS brier_seasons,
    avg(CASE WHEN metric = 'crps_skill' THEN value END) AS crps_skill,
    min(CASE WHEN metric = 'crps_skill' THEN n END) AS crps_n,
    any_value(threshold) AS threshold,
    bool_or(synthetic) AS synthetic
FROM marts.backtest_scores
GROUP BY target_series, model
ORDER BY target_series, model;
