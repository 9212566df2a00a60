-- P(cooling) by target for the coming season from every model, the headline first, with the threshold and the
-- historical base rate; the regime model's number is the probability of its volatile regime, not P(cooling).
SELECT
    target_series AS target,
    season,
    split_part(model, ':', 1) AS model,
    CASE WHEN model LIKE 'regimes%' THEN 'P(volatile regime), not P(cooling)'
         WHEN model LIKE 'climatology%' THEN 'base rate'
         ELSE 'P(cooling), simulated' END AS measure,
    probability,
    headline,
    threshold,
    base_rate,
    base_seasons
FROM marts.cooling_probability
ORDER BY target_series, headline DESC, model;
