-- Keep this run's probabilities beside earlier runs' (marts.cooling_probability keeps only the latest).
INSERT INTO meta.cooling_probability_history
SELECT run_id, as_of, target_series, season, model, probability, ?::TIMESTAMP
FROM marts.cooling_probability
WHERE run_id = ?;
