-- Capital against technical progress for the report's chart: the two curves (each in sd of its history) and the
-- gap, through the report month's end.
SELECT month, capital_z, progress_z, gap, gap_zscore_realtime, progress_age_months, bubble_exuberant
FROM marts.capital_progress_monthly
WHERE month <= ?
ORDER BY month;
