-- P(cooling) of each talent target in the coming March-May (from the registered frame cooling_probability_frame).
CREATE OR REPLACE TABLE marts.cooling_probability AS
SELECT
    CAST(run_id AS VARCHAR) AS run_id,
    CAST(as_of AS TIMESTAMP) AS as_of,
    CAST(target_series AS VARCHAR) AS target_series,
    CAST(season AS VARCHAR) AS season,
    CAST(probability AS DOUBLE) AS probability,
    CAST(model AS VARCHAR) AS model,
    CAST(threshold AS DOUBLE) AS threshold,
    CAST(base_rate AS DOUBLE) AS base_rate,
    CAST(base_seasons AS INTEGER) AS base_seasons,
    coalesce(CAST(headline AS BOOLEAN), false) AS headline,
    CAST(chosen_by AS VARCHAR) AS chosen_by,
    CAST(synthetic AS BOOLEAN) AS synthetic
FROM cooling_probability_frame
ORDER BY target_series, model;

COMMENT ON TABLE marts.cooling_probability IS 'Probability that each talent target cools in the coming March-May: its March-May mean below its September-November mean of the year before by more than its threshold (catalogs/cooling.toml). One row per model: sarimax, nowcast, the baselines random_walk, drift, seasonal_naive, climatology (the base rate), and regimes (a different event: the low-growth regime, shown beside). headline marks the one the combination rule chose. See docs/forecast.md.';
COMMENT ON COLUMN marts.cooling_probability.run_id IS 'The run that forecast (meta.model_runs).';
COMMENT ON COLUMN marts.cooling_probability.as_of IS 'As-of time of the build the forecast read.';
COMMENT ON COLUMN marts.cooling_probability.target_series IS 'The talent target (marts.hiring_monthly.series_id).';
COMMENT ON COLUMN marts.cooling_probability.season IS 'The spring forecast, e.g. ''2027 Mar-May'' (against September-November of the year before).';
COMMENT ON COLUMN marts.cooling_probability.probability IS 'sarimax, nowcast and baselines: share of simulated paths in which the event happens (sarimax with parameter uncertainty); climatology: the base rate; regimes: mean forecast probability of the cooling (low-growth) regime over March-May, p_{t+h} = p_t P^h.';
COMMENT ON COLUMN marts.cooling_probability.model IS '<model>:<target>: sarimax, nowcast, random_walk, drift, seasonal_naive, climatology, or regimes (not a P(cooling)).';
COMMENT ON COLUMN marts.cooling_probability.headline IS 'True for the probability the report leads with: the combination rule''s choice (catalogs/cooling.toml [combination]).';
COMMENT ON COLUMN marts.cooling_probability.chosen_by IS 'Why the headline model was chosen (its backtest Brier skill, or the default).';
COMMENT ON COLUMN marts.cooling_probability.threshold IS 'The target''s cooling threshold, a fraction (-0.10 = more than 10% lower); seasonally adjusted levels for a not seasonally adjusted target.';
COMMENT ON COLUMN marts.cooling_probability.base_rate IS 'Historical frequency of the event for the target: the share of its fully observed past seasons that cooled by the same definition.';
COMMENT ON COLUMN marts.cooling_probability.base_seasons IS 'How many past seasons base_rate counts.';
COMMENT ON COLUMN marts.cooling_probability.synthetic IS 'True when built from the synthetic sample.';
