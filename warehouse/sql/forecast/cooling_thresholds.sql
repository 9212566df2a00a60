-- P(cooling) in the coming March-May at several thresholds, per target and model (from cooling_thresholds_frame):
-- the configured threshold is a choice, and this says how much of the answer hangs on it.
CREATE OR REPLACE TABLE marts.cooling_thresholds AS
SELECT
    CAST(run_id AS VARCHAR) AS run_id,
    CAST(as_of AS TIMESTAMP) AS as_of,
    CAST(target_series AS VARCHAR) AS target_series,
    CAST(season AS VARCHAR) AS season,
    CAST(model AS VARCHAR) AS model,
    CAST(threshold AS DOUBLE) AS threshold,
    CAST(configured AS BOOLEAN) AS configured,
    CAST(probability AS DOUBLE) AS probability,
    CAST(headline AS BOOLEAN) AS headline,
    CAST(synthetic AS BOOLEAN) AS synthetic
FROM cooling_thresholds_frame
ORDER BY target_series, model, threshold DESC;

COMMENT ON TABLE marts.cooling_thresholds IS 'P(cooling) in the coming March-May had the threshold been another (catalogs/cooling.toml targets.<id>.thresholds): the share of each model''s simulated seasonal changes below it (climatology: of the historical seasons). The nowcast and the regime model are not in it.';
COMMENT ON COLUMN marts.cooling_thresholds.run_id IS 'The run that forecast (meta.model_runs).';
COMMENT ON COLUMN marts.cooling_thresholds.as_of IS 'The as-of of the data the forecast read.';
COMMENT ON COLUMN marts.cooling_thresholds.target_series IS 'The talent target.';
COMMENT ON COLUMN marts.cooling_thresholds.season IS 'The March-May forecast, e.g. 2027 Mar-May.';
COMMENT ON COLUMN marts.cooling_thresholds.model IS 'model:target, as in marts.cooling_probability.';
COMMENT ON COLUMN marts.cooling_thresholds.threshold IS 'Cooling: the March-May mean below the September-November mean by more than this fraction (-0.10 = 10% lower; 0 = any fall).';
COMMENT ON COLUMN marts.cooling_thresholds.configured IS 'True for the threshold marts.cooling_probability uses.';
COMMENT ON COLUMN marts.cooling_thresholds.probability IS 'P(change < threshold).';
COMMENT ON COLUMN marts.cooling_thresholds.headline IS 'True for the model the combination rule chose for the target (marts.cooling_probability.headline).';
COMMENT ON COLUMN marts.cooling_thresholds.synthetic IS 'True when built from the synthetic sample.';
