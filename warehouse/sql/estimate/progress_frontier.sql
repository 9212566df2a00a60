-- The monthly frontier of every technical-progress measure (marts.progress_monthly), for the progress index.
SELECT measure, month, frontier_level, frontier_value, synthetic
FROM marts.progress_monthly
ORDER BY measure, month;
