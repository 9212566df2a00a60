-- Series not ok at the last build, worst first; then a count of the ok ones.
SELECT series_id, kind, status, last_observation, last_retrieval, last_error
FROM meta.series_status
WHERE status <> 'ok'
ORDER BY CASE status WHEN 'failed' THEN 0 WHEN 'empty' THEN 1 ELSE 2 END, series_id;
