-- The latest backtest's skill by target and model, over all origins: Brier skill at the leads a reader acts on
-- (brier_skill_live: forecasts made September-December for the coming March-May) with its season-block bootstrap
-- 90% interval, the forecasts and distinct seasons it counts; mean CRPS skill over horizons 1-9; and the threshold
-- and synthetic flag it was made with (empty when no backtest has run).
SELECT
    target_series,
    model,
    max(CASE WHEN metric = 'brier_skill_live' THEN value END) AS brier_skill,
    max(CASE WHEN metric = 'brier_skill_live' THEN lo90 END) AS brier_skill_lo90,
    max(CASE WHEN metric = 'brier_skill_live' THEN hi90 END) AS brier_skill_hi90,
    max(CASE WHEN metric = 'brier_skill_live' THEN n END) AS brier_n,
    max(CASE WHEN metric = 'brier_skill_live' THEN seasons END) AS brier_seasons,
    avg(CASE WHEN metric = 'crps_skill' THEN value END) AS crps_skill,
    min(CASE WHEN metric = 'crps_skill' THEN n END) AS crps_n,
    any_value(threshold) AS threshold,
    bool_or(synthetic) AS synthetic
FROM marts.backtest_scores
WHERE coalesce(origins, 'all') = 'all'
GROUP BY target_series, model
ORDER BY target_series, model;
