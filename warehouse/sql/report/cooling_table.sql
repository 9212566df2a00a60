-- P(cooling) by target for the coming season, with the threshold and the historical base rate; the regime
-- model's number is the probability of its volatile regime in those months, shown beside it, not P(cooling).
SELECT
    target_series AS target,
    season,
    CASE WHEN model LIKE 'regimes%' THEN 'P(volatile regime), not P(cooling)' ELSE 'P(cooling), simulated' END
        AS measure,
    probability,
    threshold,
    base_rate,
    base_seasons
FROM marts.cooling_probability
ORDER BY target_series, model DESC;
