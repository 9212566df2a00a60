-- The headline: P(cooling) in the coming season for the software-development postings target (else the
-- first target), from the combined model, with no change figure (the mart keeps the latest run only).
SELECT target_series, season, probability, base_rate, threshold, CAST(NULL AS DOUBLE) AS change
FROM marts.cooling_probability
WHERE model LIKE 'sarimax%'
ORDER BY CASE WHEN target_series = 'IHLIDXUSTPSOFTDEVE' THEN 0 ELSE 1 END, target_series
LIMIT 1;
