-- The run's data vintage: per kind of series and source (adapter), how many series, the newest and oldest last
-- observation, the newest retrieval and how many are stale or failed, at the last build (meta.series_status).
SELECT
    st.kind,
    c.adapter,
    count(*) AS series,
    max(st.last_observation)::DATE AS newest_observation,
    min(st.last_observation)::DATE AS oldest_observation,
    max(st.last_retrieval)::DATE AS retrieved,
    count(*) FILTER (WHERE st.status = 'stale') AS stale,
    count(*) FILTER (WHERE st.status IN ('failed', 'empty')) AS failed
FROM meta.series_status AS st
LEFT JOIN marts.series AS c USING (series_id)
GROUP BY st.kind, c.adapter
ORDER BY st.kind, c.adapter;
