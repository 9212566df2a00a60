-- Series whose last ingest failed, with the reason.
SELECT series_id, kind, last_attempt::DATE AS last_attempt, left(last_error, 160) AS last_error
FROM meta.series_status
WHERE status = 'failed'
ORDER BY series_id;
