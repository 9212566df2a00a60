-- Freshness by kind of series at the last build: how many are ok, stale, failed, and the oldest last date.
SELECT
    kind,
    count(*) AS series,
    count(*) FILTER (WHERE status = 'ok') AS ok,
    count(*) FILTER (WHERE status = 'stale') AS stale,
    count(*) FILTER (WHERE status = 'failed') AS failed,
    count(*) FILTER (WHERE status = 'empty') AS empty,
    min(last_observation)::DATE AS oldest_last_observation,
    max(last_observation)::DATE AS newest_last_observation
FROM meta.series_status
GROUP BY kind
ORDER BY kind;
