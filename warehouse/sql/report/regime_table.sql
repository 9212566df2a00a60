-- The regime model's probability that each target is in its low-growth regime in the coming season: a different event
-- from cooling, kept apart from P(cooling), in percent.
SELECT
    coalesce(s.name, p.target_series) AS target,
    p.probability * 100 AS "P(low-growth regime) %",
    p.season
FROM marts.cooling_probability AS p
LEFT JOIN marts.series AS s ON s.series_id = p.target_series
WHERE p.model LIKE 'regimes%'
ORDER BY p.target_series;
