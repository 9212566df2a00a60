-- P(cooling) by target for the coming season from every model, the headline first, with the threshold and the
-- historical base rate, in percent, targets by their catalog names. The regime model's number is another event
-- (the probability of its low-growth regime) and is left out here: report/regime_table.sql.
SELECT
    coalesce(s.name, p.target_series) AS target,
    split_part(p.model, ':', 1) AS model,
    p.probability * 100 AS "P(cooling) %",
    CASE WHEN p.headline THEN 'headline' ELSE '' END AS chosen,
    p.threshold * 100 AS "threshold %",
    p.base_rate * 100 AS "base rate %",
    p.base_seasons AS seasons
FROM marts.cooling_probability AS p
LEFT JOIN marts.series AS s ON s.series_id = p.target_series
WHERE p.model NOT LIKE 'regimes%'
ORDER BY coalesce(list_contains(s.roles, 'control'), false), p.target_series, p.headline DESC, p.model;
