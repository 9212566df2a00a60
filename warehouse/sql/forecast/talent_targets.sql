-- Complete months of the talent targets (marts.hiring_monthly, talent_target = true).
SELECT series_id, month, value, synthetic
FROM marts.hiring_monthly
WHERE talent_target AND NOT coalesce(partial, false) AND value IS NOT NULL
ORDER BY series_id, month;
