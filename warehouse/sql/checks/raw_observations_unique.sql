-- raw.observations holds each series, entity, date, field and vintage once.
SELECT series_id, entity, obs_date, field, retrieved_at, count(*) AS copies
FROM raw.observations
GROUP BY ALL
HAVING count(*) > 1;
