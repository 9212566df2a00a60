-- Each target's headline P(cooling) with the combination rule's reason for it, as marts.cooling_probability holds it.
SELECT target_series, split_part(model, ':', 1) AS model, probability, chosen_by
FROM marts.cooling_probability
WHERE headline
ORDER BY target_series;
