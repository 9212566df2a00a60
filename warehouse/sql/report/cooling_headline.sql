-- The headline: P(cooling) in the coming season for the software-development postings target (else the
-- first target), from the model the combination rule chose, and its change since the latest run of an earlier month.
WITH latest AS (
    SELECT target_series, season, model, probability, base_rate, threshold, as_of
    FROM marts.cooling_probability
    WHERE headline
),
earlier AS (
    SELECT h.target_series, h.season, h.model, arg_max(h.probability, h.as_of) AS probability
    FROM meta.cooling_probability_history AS h
    JOIN latest AS l USING (target_series, season, model)
    WHERE date_trunc('month', h.as_of) < date_trunc('month', l.as_of)
    GROUP BY ALL
)
SELECT l.target_series, l.season, l.probability, l.base_rate, l.threshold, l.probability - e.probability AS change,
       l.model
FROM latest AS l
LEFT JOIN earlier AS e USING (target_series, season, model)
ORDER BY CASE WHEN l.target_series = 'IHLIDXUSTPSOFTDEVE' THEN 0 ELSE 1 END, l.target_series
LIMIT 1;
