-- The tests of capital against technical progress (from the registered frame capital_progress_tests_frame).
CREATE OR REPLACE TABLE marts.capital_progress_tests AS
SELECT
    CAST(test AS VARCHAR) AS test,
    CAST(statistic AS DOUBLE) AS statistic,
    CAST(pvalue AS DOUBLE) AS pvalue,
    CAST(critical_value AS DOUBLE) AS critical_value,
    CAST(months AS INTEGER) AS months,
    CAST(first_month AS DATE) AS first_month,
    CAST(last_month AS DATE) AS last_month,
    CAST(verdict AS VARCHAR) AS verdict,
    CAST(note AS VARCHAR) AS note,
    CAST(synthetic AS BOOLEAN) AS synthetic,
    CAST(run_id AS VARCHAR) AS run_id
FROM capital_progress_tests_frame
ORDER BY test;

COMMENT ON TABLE marts.capital_progress_tests IS 'Tests of capital against technical progress, on the months the index was observed: Engle-Granger cointegration of log market cap on the progress index, PSY GSADF of the gap, revenue growth on capability growth (HAC), the trends since 2023, and the same with a time trend in place of the index.';
COMMENT ON COLUMN marts.capital_progress_tests.test IS 'engle_granger_capital_progress, psy_gsadf_gap, revenue_growth_on_progress_growth, since_2023, since_2023_time_trend or since_2023_labs (the AI labs'' valuations against the index).';
COMMENT ON COLUMN marts.capital_progress_tests.statistic IS 'The test statistic (EG t, GSADF, HAC t of the slope; for since_2023 the trend-implied change of capital_z minus that of progress_z over the window, sd; for since_2023_time_trend the same against a linear time trend).';
COMMENT ON COLUMN marts.capital_progress_tests.pvalue IS 'Its p-value where one exists.';
COMMENT ON COLUMN marts.capital_progress_tests.critical_value IS 'Its 5% critical value (EG) or 95% Monte Carlo critical value (GSADF).';
COMMENT ON COLUMN marts.capital_progress_tests.months IS 'Months in the test.';
COMMENT ON COLUMN marts.capital_progress_tests.first_month IS 'First month of the test''s sample.';
COMMENT ON COLUMN marts.capital_progress_tests.last_month IS 'Last month of the test''s sample.';
COMMENT ON COLUMN marts.capital_progress_tests.verdict IS 'The verdict in words, by the rule in docs/progress.md.';
COMMENT ON COLUMN marts.capital_progress_tests.note IS 'What was regressed on what, the slope, the episodes.';
COMMENT ON COLUMN marts.capital_progress_tests.synthetic IS 'True when built from the synthetic sample.';
COMMENT ON COLUMN marts.capital_progress_tests.run_id IS 'The run that estimated the row.';
