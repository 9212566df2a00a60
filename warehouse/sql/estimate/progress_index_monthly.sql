-- The frontier-progress index by month (from the registered frame progress_index_monthly_frame).
CREATE OR REPLACE TABLE marts.progress_index_monthly AS
SELECT
    CAST(month AS DATE) AS month,
    CAST(progress_index AS DOUBLE) AS progress_index,
    CAST(progress_index_realtime AS DOUBLE) AS progress_index_realtime,
    CAST(measures_observed AS INTEGER) AS measures_observed,
    CAST(measures AS VARCHAR) AS measures,
    CAST(synthetic AS BOOLEAN) AS synthetic,
    CAST(run_id AS VARCHAR) AS run_id
FROM progress_index_monthly_frame
ORDER BY month;

COMMENT ON TABLE marts.progress_index_monthly IS 'Frontier-progress index, chain-linked: each month it moves by the mean, over the measures of marts.progress_monthly with a frontier this month and the month before, of their change over their own average monthly change (pace); in months of average progress. Paces and a principal-component check in meta.model_runs (model capital_progress).';
COMMENT ON COLUMN marts.progress_index_monthly.month IS 'First day of the month.';
COMMENT ON COLUMN marts.progress_index_monthly.progress_index IS 'The index with each measure''s pace taken over its whole span (in-sample: later months set the paces); 0 in the first month; never falls.';
COMMENT ON COLUMN marts.progress_index_monthly.progress_index_realtime IS 'The last value of the index computed on the months up to this one only, paces included (NULL in its first 23 months; it can fall from one month to the next when the paces change).';
COMMENT ON COLUMN marts.progress_index_monthly.measures_observed IS 'Measures with a frontier this month (the index averages these).';
COMMENT ON COLUMN marts.progress_index_monthly.measures IS 'Which measures those are, comma-separated.';
COMMENT ON COLUMN marts.progress_index_monthly.synthetic IS 'True when built from the synthetic sample.';
COMMENT ON COLUMN marts.progress_index_monthly.run_id IS 'The run that estimated the row.';
