-- The report's CSV: one tidy file, one row per record of one of three tables named in `table` (docs/report.md):
--   probability  P(cooling) for the coming season per target and model, 0-1, with its headline flag, threshold
--                (a fall, as a fraction of the September-November average), base rate and the rule's reason;
--                the regime model's row is the probability of its low-growth regime, another event (`event` says so);
--   path         each model's forecast path by target month in the target's unit, with the observed value of that
--                month where one is published (the base window may be partly observed);
--   observed     each target's observed monthly values over the three years before its forecast begins, in its unit;
--   vintage      the data behind the report: per kind and source, series, newest and oldest last observation,
--                newest retrieval, stale and failed counts.
WITH names AS (
    SELECT series_id, name, unit FROM marts.series
)
SELECT
    'probability' AS "table", p.target_series, n.name AS target_name, 'probability (0-1)' AS unit,
    split_part(p.model, ':', 1) AS model, p.headline,
    CASE WHEN p.model LIKE 'regimes%' THEN 'low-growth regime' ELSE 'cooling' END AS event,
    p.season, NULL::DATE AS target_month, p.probability, p.threshold, p.base_rate, p.base_seasons,
    NULL::DOUBLE AS observed, NULL::DOUBLE AS mean, NULL::DOUBLE AS lo80, NULL::DOUBLE AS hi80,
    NULL::DOUBLE AS lo95, NULL::DOUBLE AS hi95, p.chosen_by,
    NULL AS kind, NULL AS source, NULL::BIGINT AS series, NULL::DATE AS newest_observation,
    NULL::DATE AS oldest_observation, NULL::DATE AS retrieved, NULL::BIGINT AS stale, NULL::BIGINT AS failed,
    p.as_of, p.run_id
FROM marts.cooling_probability AS p
LEFT JOIN names AS n ON n.series_id = p.target_series
UNION ALL BY NAME
SELECT
    'path' AS "table", f.target_series, n.name AS target_name, n.unit, split_part(f.model, ':', 1) AS model,
    f.headline, 'level' AS event, NULL AS season, f.target_month, f.mean, f.lo80, f.hi80, f.lo95, f.hi95,
    h.value AS observed, f.as_of, f.run_id
FROM marts.cooling_forecast AS f
LEFT JOIN names AS n ON n.series_id = f.target_series
LEFT JOIN marts.hiring_monthly AS h ON h.series_id = f.target_series AND h.month = f.target_month
UNION ALL BY NAME
SELECT
    'observed' AS "table", h.series_id AS target_series, n.name AS target_name, h.unit, h.month AS target_month,
    h.value AS observed
FROM marts.hiring_monthly AS h
JOIN (SELECT target_series, min(target_month) AS first FROM marts.cooling_forecast GROUP BY ALL) AS f
    ON f.target_series = h.series_id AND h.month >= f.first - INTERVAL 36 MONTH
LEFT JOIN names AS n ON n.series_id = h.series_id
UNION ALL BY NAME
SELECT
    'vintage' AS "table", st.kind, c.adapter AS source, count(*) AS series,
    max(st.last_observation)::DATE AS newest_observation, min(st.last_observation)::DATE AS oldest_observation,
    max(st.last_retrieval)::DATE AS retrieved, count(*) FILTER (WHERE st.status = 'stale') AS stale,
    count(*) FILTER (WHERE st.status IN ('failed', 'empty')) AS failed
FROM meta.series_status AS st
LEFT JOIN marts.series AS c USING (series_id)
GROUP BY st.kind, c.adapter
ORDER BY "table", target_series, model, target_month, kind, source;
