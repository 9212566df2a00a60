-- Reliability table of the backtest's P(cooling) (from the registered frame backtest_reliability_frame).
CREATE OR REPLACE TABLE marts.backtest_reliability AS
SELECT
    CAST(run_id AS VARCHAR) AS run_id,
    CAST(target_series AS VARCHAR) AS target_series,
    CAST(model AS VARCHAR) AS model,
    CAST(bin_low AS DOUBLE) AS bin_low,
    CAST(bin_high AS DOUBLE) AS bin_high,
    CAST(forecasts AS INTEGER) AS forecasts,
    CAST(mean_probability AS DOUBLE) AS mean_probability,
    CAST(observed_frequency AS DOUBLE) AS observed_frequency,
    CAST(synthetic AS BOOLEAN) AS synthetic
FROM backtest_reliability_frame
ORDER BY target_series, model, bin_low;

COMMENT ON TABLE marts.backtest_reliability IS 'Backtest P(cooling) by probability bin: how often the seasons forecast at about p cooled. Per target and pooled (target_series = ''all targets''). Monthly origins forecasting the same season are not independent: count seasons, not forecasts.';
COMMENT ON COLUMN marts.backtest_reliability.run_id IS 'The backtest run.';
COMMENT ON COLUMN marts.backtest_reliability.target_series IS 'The talent target, or ''all targets''.';
COMMENT ON COLUMN marts.backtest_reliability.model IS 'The model or baseline.';
COMMENT ON COLUMN marts.backtest_reliability.bin_low IS 'Lower edge of the probability bin.';
COMMENT ON COLUMN marts.backtest_reliability.bin_high IS 'Upper edge (the last bin includes 1).';
COMMENT ON COLUMN marts.backtest_reliability.forecasts IS 'Forecasts in the bin with a known outcome.';
COMMENT ON COLUMN marts.backtest_reliability.mean_probability IS 'Mean forecast probability in the bin.';
COMMENT ON COLUMN marts.backtest_reliability.observed_frequency IS 'Share of those forecasts whose season cooled.';
COMMENT ON COLUMN marts.backtest_reliability.synthetic IS 'True when built from the synthetic sample.';
