-- Monthly series of other marts that catalogs/cooling.toml may name as SARIMAX regressors, long (name, month,
-- value): macro:<series> (marts.macro_monthly, as published), layoffs:<tracker> and funding:<series> (log of one
-- plus the people laid off / the USD raised in the month).
SELECT 'macro:' || series_id AS name, month, value
FROM marts.macro_monthly
WHERE value IS NOT NULL
UNION ALL
SELECT 'layoffs:' || series_id AS name, month, ln(1 + laid_off) AS value
FROM marts.layoffs_monthly
WHERE laid_off IS NOT NULL
UNION ALL
SELECT 'funding:' || series_id AS name, month, ln(1 + amount_usd) AS value
FROM marts.funding_monthly
WHERE amount_usd IS NOT NULL
ORDER BY name, month;
