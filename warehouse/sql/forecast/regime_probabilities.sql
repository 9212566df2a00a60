-- Probability of the cooling regime by month, smoothed in sample and forecast ahead (from regime_probabilities_frame).
CREATE OR REPLACE TABLE marts.regime_probabilities AS
SELECT
    CAST(run_id AS VARCHAR) AS run_id,
    CAST(target_series AS VARCHAR) AS target_series,
    CAST(month AS DATE) AS month,
    CAST(p_cooling_regime AS DOUBLE) AS p_cooling_regime,
    CAST(kind AS VARCHAR) AS kind,
    CAST(synthetic AS BOOLEAN) AS synthetic
FROM regime_probabilities_frame
ORDER BY target_series, month;

COMMENT ON TABLE marts.regime_probabilities IS 'Two-regime Markov-switching regression (switching mean and variance) of each talent target''s monthly log growth: the probability of the cooling (lower-mean) regime, smoothed over the sample and forecast through June of the season year.';
COMMENT ON COLUMN marts.regime_probabilities.run_id IS 'The run that estimated (meta.model_runs).';
COMMENT ON COLUMN marts.regime_probabilities.target_series IS 'The talent target.';
COMMENT ON COLUMN marts.regime_probabilities.month IS 'First day of the month.';
COMMENT ON COLUMN marts.regime_probabilities.p_cooling_regime IS 'Probability of the cooling regime in the month.';
COMMENT ON COLUMN marts.regime_probabilities.kind IS 'smoothed (in sample, using all data) or forecast (p_{T+h} = p_T P^h from the last filtered probabilities).';
COMMENT ON COLUMN marts.regime_probabilities.synthetic IS 'True when built from the synthetic sample.';
