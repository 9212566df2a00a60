-- Each target's headline P(cooling) with the combination rule's reason for it, as marts.cooling_probability holds it.
SELECT p.target_series, coalesce(s.name, p.target_series) AS name, split_part(p.model, ':', 1) AS model,
       p.probability, p.chosen_by
FROM marts.cooling_probability AS p
LEFT JOIN marts.series AS s ON s.series_id = p.target_series
WHERE p.headline
ORDER BY p.target_series;
