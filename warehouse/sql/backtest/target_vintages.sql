-- Complete months of each talent target (and each listed hiring series) as known at each of its vintages (every distinct retrieved_at in
-- raw.observations): for each vintage, the latest value of every observation retrieved by then, averaged by month
-- the way marts.hiring_monthly does. A daily month is left out while its last observation is more than 3 days
-- before the month's end.
WITH targets AS (
    -- the talent targets, and the other hiring series listed (the nowcast's panel)
    SELECT series_id, frequency
    FROM meta.series_catalog
    WHERE (list_contains(roles, 'talent_target') OR list_contains(?::VARCHAR[], series_id)) AND kind = 'hiring'
),
vintages AS (
    SELECT DISTINCT o.series_id, o.retrieved_at AS vintage
    FROM raw.observations AS o
    JOIN targets USING (series_id)
    WHERE o.field = 'value' AND o.entity = ''
),
known AS (
    SELECT v.series_id, v.vintage, o.obs_date, arg_max(o.value, o.retrieved_at) AS value
    FROM vintages AS v
    JOIN raw.observations AS o
      ON o.series_id = v.series_id AND o.retrieved_at <= v.vintage AND o.field = 'value' AND o.entity = ''
    GROUP BY v.series_id, v.vintage, o.obs_date
)
SELECT
    k.series_id,
    k.vintage,
    date_trunc('month', k.obs_date)::DATE AS month,
    avg(k.value ORDER BY k.obs_date) AS value,  -- ordered: a float mean must not depend on thread scheduling
    (any_value(t.frequency) IN ('daily', 'weekly')
        AND max(k.obs_date) < last_day(date_trunc('month', k.obs_date)) - INTERVAL 3 DAY) AS partial,
    bool_or(o_syn.synthetic) AS synthetic
FROM known AS k
JOIN targets AS t USING (series_id)
LEFT JOIN (SELECT series_id, bool_or(synthetic) AS synthetic FROM raw.observations GROUP BY series_id) AS o_syn
  USING (series_id)
GROUP BY k.series_id, k.vintage, date_trunc('month', k.obs_date)
ORDER BY k.series_id, k.vintage, month;
