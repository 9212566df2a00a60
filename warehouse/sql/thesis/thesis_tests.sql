-- The thesis tests (from the registered frame thesis_tests_frame, built by models/thesis.py): does the gap between
-- what markets pay for technology and what it earns lead the talent market? docs/thesis.md.
CREATE OR REPLACE TABLE marts.thesis_tests AS
SELECT
    CAST(run_id AS VARCHAR) AS run_id,
    CAST(test AS VARCHAR) AS test,
    CAST(link AS VARCHAR) AS link,
    CAST(measure AS VARCHAR) AS measure,
    CAST(target AS VARCHAR) AS target,
    CAST(horizon AS INTEGER) AS horizon,
    CAST(estimate AS DOUBLE) AS estimate,
    CAST(std_error AS DOUBLE) AS std_error,
    CAST(lo AS DOUBLE) AS lo,
    CAST(hi AS DOUBLE) AS hi,
    CAST(p_value AS DOUBLE) AS p_value,
    CAST(sample_start AS DATE) AS sample_start,
    CAST(sample_end AS DATE) AS sample_end,
    CAST(n AS INTEGER) AS n,
    CAST(verdict AS VARCHAR) AS verdict,
    CAST(detail AS VARCHAR) AS detail,
    CAST(synthetic AS BOOLEAN) AS synthetic
FROM thesis_tests_frame
ORDER BY link, target, test, measure, horizon;

COMMENT ON TABLE marts.thesis_tests IS 'The thesis tests, one row per test (and per horizon of a local projection): link a (capital cools: does a wide gap precede a fall in the basket''s market cap?) and link b (talent follows: does the gap, or its turn, precede the talent targets?). The verdict is in words, by the fixed rules of docs/thesis.md; a null result says so.';
COMMENT ON COLUMN marts.thesis_tests.test IS 'local_projection (Jorda 2005, HAC errors), granger (VAR test_causality, F), calendar_season (the September-November to March-May change after a wide November gap, HAC), calendar_windows (that season against the other six-month windows, clustered by year), out_of_sample (direct forecasts with and without the gap, Diebold-Mariano with the HLN correction), robustness (the local projection on the equal-weighted gap, and on the origins of each cycle alone: 1995-2009, 2010-).';
COMMENT ON COLUMN marts.thesis_tests.link IS 'a: capital cools; b: talent follows.';
COMMENT ON COLUMN marts.thesis_tests.measure IS 'The valuation measure (for granger: the causing series).';
COMMENT ON COLUMN marts.thesis_tests.target IS 'The talent target, or basket market cap (link a); for granger: the caused series.';
COMMENT ON COLUMN marts.thesis_tests.horizon IS 'local_projection and out_of_sample: months ahead; granger: the VAR''s lag order; NULL for the calendar tests.';
COMMENT ON COLUMN marts.thesis_tests.estimate IS 'local_projection: the cumulative change of the target (percent, 100 x log) after a one-sd higher measure; granger: the F statistic; calendar: the difference in percentage points; out_of_sample: 1 - MSE with the gap / MSE without (> 0: the gap helps).';
COMMENT ON COLUMN marts.thesis_tests.std_error IS 'HAC (local projection, calendar_season) or year-clustered (calendar_windows) standard error.';
COMMENT ON COLUMN marts.thesis_tests.lo IS 'The lower end of the 90% interval.';
COMMENT ON COLUMN marts.thesis_tests.hi IS 'The upper end of the 90% interval.';
COMMENT ON COLUMN marts.thesis_tests.p_value IS 'The test''s p-value (two-sided).';
COMMENT ON COLUMN marts.thesis_tests.sample_start IS 'The first month (origin) in the sample.';
COMMENT ON COLUMN marts.thesis_tests.sample_end IS 'The last.';
COMMENT ON COLUMN marts.thesis_tests.n IS 'Observations: months, seasons (calendar_season) or forecast origins (out_of_sample).';
COMMENT ON COLUMN marts.thesis_tests.verdict IS 'The result in words (docs/thesis.md, the rules); the same sentence on every horizon of one local projection.';
COMMENT ON COLUMN marts.thesis_tests.detail IS 'How: bandwidth, controls, lag order, degrees of freedom.';
COMMENT ON COLUMN marts.thesis_tests.synthetic IS 'True when built from the synthetic sample.';
