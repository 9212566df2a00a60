-- The thesis tests' talent targets, latest data, complete months: series_id, month, value, synthetic.
SELECT series_id, month, value, synthetic
FROM marts.hiring_monthly
WHERE list_contains(?::VARCHAR[], series_id) AND NOT coalesce(partial, false)
ORDER BY series_id, month;
