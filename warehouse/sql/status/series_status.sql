-- Per series: rows in raw, last observation, last retrieval, last ingest attempt, and ok / stale / failed.
-- Parameter 1: the stale factor (a series is stale when its last observation is older than that many periods).
WITH observed AS (
    SELECT series_id, count(*) AS raw_rows, max(obs_date) AS last_observation, max(retrieved_at) AS last_retrieval
    FROM raw.observations
    GROUP BY series_id
    UNION ALL
    SELECT series_id, count(*), max(event_date), max(retrieved_at)
    FROM raw.layoff_events
    GROUP BY series_id
),
last_attempt AS (
    -- the latest attempt as a whole row: its error is NULL when it went well (arg_max would skip NULLs)
    SELECT series_id, attempted_at AS last_attempt, status AS last_attempt_status, error AS last_error
    FROM meta.ingest_attempts
    QUALIFY row_number() OVER (PARTITION BY series_id ORDER BY attempted_at DESC) = 1
),
attempts AS (
    SELECT l.*, s.last_success
    FROM last_attempt AS l
    LEFT JOIN (
        SELECT series_id, max(attempted_at) AS last_success
        FROM meta.ingest_attempts WHERE status <> 'failed' GROUP BY series_id
    ) AS s USING (series_id)
),
periods AS (
    SELECT * FROM (VALUES
        ('daily', 3), ('weekly', 7), ('monthly', 31), ('quarterly', 92), ('annual', 366), ('event', 31)
    ) AS t(frequency, period_days)
)
SELECT
    c.series_id,
    c.kind,
    c.frequency,
    coalesce(o.raw_rows, 0) AS raw_rows,
    o.last_observation,
    o.last_retrieval,
    a.last_attempt,
    a.last_success,
    a.last_error,
    current_date - o.last_observation AS age_days,
    CASE
        WHEN a.last_attempt_status = 'failed' THEN 'failed'
        WHEN o.last_observation IS NULL THEN 'empty'
        WHEN current_date - o.last_observation > ? * p.period_days + 45 THEN 'stale'
        ELSE 'ok'
    END AS status,
    c.synthetic
FROM meta.series_catalog AS c
LEFT JOIN observed AS o USING (series_id)
LEFT JOIN attempts AS a USING (series_id)
LEFT JOIN periods AS p USING (frequency)
ORDER BY c.kind, c.series_id;
