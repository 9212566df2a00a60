-- Monthly marts: (series_id, month) present and unique.
SELECT 'hiring_monthly' AS mart, series_id, month, count(*) AS copies FROM marts.hiring_monthly GROUP BY ALL
HAVING count(*) > 1 OR series_id IS NULL OR month IS NULL
UNION ALL
SELECT 'macro_monthly', series_id, month, count(*) FROM marts.macro_monthly GROUP BY ALL
HAVING count(*) > 1 OR series_id IS NULL OR month IS NULL
UNION ALL
SELECT 'layoffs_monthly', series_id, month, count(*) FROM marts.layoffs_monthly GROUP BY ALL
HAVING count(*) > 1 OR series_id IS NULL OR month IS NULL;
