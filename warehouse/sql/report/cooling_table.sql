-- P(cooling) by target for the coming season from every model, the headline first, with the threshold and the
-- historical base rate; regimes' number is the probability of its volatile regime, not P(cooling).
SELECT
    target_series AS target,
    CASE WHEN model LIKE 'regimes%' THEN 'regimes*' ELSE split_part(model, ':', 1) END AS model,
    round(probability, 2) AS p,
    CASE WHEN headline THEN 'headline' ELSE '' END AS chosen,
    threshold,
    round(base_rate, 2) AS "base rate",
    base_seasons AS seasons
FROM marts.cooling_probability
ORDER BY target_series, headline DESC, model;
