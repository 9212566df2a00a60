-- The BADF and BSADF sequences with their critical values, per series and month
-- (from the registered frame bubble_sequence_frame).
CREATE OR REPLACE TABLE marts.bubble_sequence AS
SELECT
    CAST(series AS VARCHAR) AS series,
    CAST(month AS DATE) AS month,
    CAST(value AS DOUBLE) AS value,
    CAST(badf AS DOUBLE) AS badf,
    CAST(bsadf AS DOUBLE) AS bsadf,
    CAST(bsadf_cv90 AS DOUBLE) AS bsadf_cv90,
    CAST(bsadf_cv95 AS DOUBLE) AS bsadf_cv95,
    CAST(bsadf_cv99 AS DOUBLE) AS bsadf_cv99,
    CAST(in_episode AS BOOLEAN) AS in_episode,
    CAST(revenue_basis AS VARCHAR) AS revenue_basis,
    CAST(synthetic AS BOOLEAN) AS synthetic,
    CAST(run_id AS VARCHAR) AS run_id
FROM bubble_sequence_frame
ORDER BY series, month;

COMMENT ON TABLE marts.bubble_sequence IS 'PSY date-stamping sequences per series and month: the tested value, BADF (forward expanding windows), BSADF (backward sup ADF) and the BSADF critical values; starts min_window + lag months into each series.';
COMMENT ON COLUMN marts.bubble_sequence.series IS 'Series (marts.bubble_statistics.series).';
COMMENT ON COLUMN marts.bubble_sequence.month IS 'Month ending the windows.';
COMMENT ON COLUMN marts.bubble_sequence.value IS 'The tested series'' value that month (a price-to-sales ratio).';
COMMENT ON COLUMN marts.bubble_sequence.badf IS 'ADF statistic of the window from the series'' start to this month.';
COMMENT ON COLUMN marts.bubble_sequence.bsadf IS 'Backward sup ADF: maximum ADF over windows ending this month (PSY 2015).';
COMMENT ON COLUMN marts.bubble_sequence.bsadf_cv90 IS 'Monte Carlo 90% critical value of BSADF this month.';
COMMENT ON COLUMN marts.bubble_sequence.bsadf_cv95 IS 'Monte Carlo 95% critical value of BSADF this month.';
COMMENT ON COLUMN marts.bubble_sequence.bsadf_cv99 IS 'Monte Carlo 99% critical value of BSADF this month.';
COMMENT ON COLUMN marts.bubble_sequence.in_episode IS 'True within a dated episode (marts.bubble_episodes).';
COMMENT ON COLUMN marts.bubble_sequence.revenue_basis IS 'reported, nowcast or carried_forward: the revenue under the ratio that month.';
COMMENT ON COLUMN marts.bubble_sequence.synthetic IS 'True when built from the synthetic sample.';
COMMENT ON COLUMN marts.bubble_sequence.run_id IS 'The run that estimated the row.';
