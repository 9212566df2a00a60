-- PIT histograms of the backtest's paths (from the registered frame backtest_pit_frame).
CREATE OR REPLACE TABLE marts.backtest_pit AS
SELECT
    CAST(run_id AS VARCHAR) AS run_id,
    CAST(target_series AS VARCHAR) AS target_series,
    CAST(model AS VARCHAR) AS model,
    CAST(horizon AS INTEGER) AS horizon,
    CAST(bin_low AS DOUBLE) AS bin_low,
    CAST(bin_high AS DOUBLE) AS bin_high,
    CAST(forecasts AS INTEGER) AS forecasts,
    CAST(share AS DOUBLE) AS share,
    CAST(synthetic AS BOOLEAN) AS synthetic
FROM backtest_pit_frame
ORDER BY target_series, model, horizon, bin_low;

COMMENT ON TABLE marts.backtest_pit IS 'Probability integral transform histograms of the backtest''s path forecasts: per target, model and horizon, the share of outcomes in each tenth of the forecast distribution (read as the log-normal the CRPS uses, from the median and the 95% bounds). Calibrated bands give 0.10 in every bin; outcomes piling in the outer bins mean bands too narrow, in the middle bins too wide; a slope means a biased median.';
COMMENT ON COLUMN marts.backtest_pit.run_id IS 'The backtest run.';
COMMENT ON COLUMN marts.backtest_pit.target_series IS 'The talent target.';
COMMENT ON COLUMN marts.backtest_pit.model IS 'The model, baseline or headline.';
COMMENT ON COLUMN marts.backtest_pit.horizon IS 'Months after the origin.';
COMMENT ON COLUMN marts.backtest_pit.bin_low IS 'Lower edge of the PIT bin.';
COMMENT ON COLUMN marts.backtest_pit.bin_high IS 'Upper edge (the last bin includes 1).';
COMMENT ON COLUMN marts.backtest_pit.forecasts IS 'Forecasts whose outcome fell in the bin.';
COMMENT ON COLUMN marts.backtest_pit.share IS 'Their share of the forecasts of that target, model and horizon.';
COMMENT ON COLUMN marts.backtest_pit.synthetic IS 'True when built from the synthetic sample.';
