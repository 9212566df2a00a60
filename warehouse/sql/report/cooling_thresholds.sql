-- The headline model's P(cooling) at each threshold of marts.cooling_thresholds, per target, the configured one
-- marked: how much of the answer hangs on the threshold chosen. ``name``: the catalog's name of the target.
SELECT
    t.target_series AS target,
    coalesce(s.name, t.target_series) AS name,
    split_part(t.model, ':', 1) AS model,
    t.threshold,
    t.configured,
    t.probability
FROM marts.cooling_thresholds AS t
LEFT JOIN marts.series AS s ON s.series_id = t.target_series
WHERE t.headline
ORDER BY t.target_series, t.threshold DESC;
