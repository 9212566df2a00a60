-- Page 1: every talent target's headline P(cooling) for the coming season by its plain name (the catalog's), with
-- its unit, whether it is a control (total payrolls: the economy, not tech), the base rate, the model and the
-- combination rule's reason, the last complete month observed, and the latest headline of an earlier month for the same season and model.
WITH latest AS (
    SELECT * FROM marts.cooling_probability WHERE headline
),
earlier AS (
    SELECT h.target_series, arg_max(h.probability, h.as_of) AS probability, max(h.as_of) AS as_of
    FROM meta.cooling_probability_history AS h
    JOIN latest AS l USING (target_series, season, model)
    WHERE date_trunc('month', h.as_of) < date_trunc('month', l.as_of)
    GROUP BY h.target_series
),
observed AS (
    SELECT series_id AS target_series, max(month) AS observed_through
    FROM marts.hiring_monthly WHERE NOT coalesce(partial, false) GROUP BY series_id
)
SELECT
    l.target_series,
    coalesce(s.name, l.target_series) AS name,
    s.unit,
    coalesce(list_contains(s.roles, 'control'), false) AS control,
    l.season,
    l.probability,
    l.base_rate,
    l.base_seasons,
    l.threshold,
    split_part(l.model, ':', 1) AS model,
    l.chosen_by,
    e.probability AS previous,
    e.as_of AS previous_as_of,
    o.observed_through
FROM latest AS l
LEFT JOIN marts.series AS s ON s.series_id = l.target_series
LEFT JOIN earlier AS e USING (target_series)
LEFT JOIN observed AS o USING (target_series)
ORDER BY control, CASE WHEN l.target_series = 'IHLIDXUSTPSOFTDEVE' THEN 0 ELSE 1 END, l.target_series;
