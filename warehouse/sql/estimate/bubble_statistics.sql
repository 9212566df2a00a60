-- PSY (2015) recursive ADF statistics and Monte Carlo critical values, one row per tested series
-- (from the registered frame bubble_statistics_frame).
CREATE OR REPLACE TABLE marts.bubble_statistics AS
SELECT
    CAST(series AS VARCHAR) AS series,
    CAST(description AS VARCHAR) AS description,
    CAST(first_month AS DATE) AS first_month,
    CAST(last_month AS DATE) AS last_month,
    CAST(observations AS INTEGER) AS observations,
    CAST(lag AS INTEGER) AS lag,
    CAST(min_window AS INTEGER) AS min_window,
    CAST(min_duration AS INTEGER) AS min_duration,
    CAST(level AS DOUBLE) AS level,
    CAST(adf AS DOUBLE) AS adf,
    CAST(sadf AS DOUBLE) AS sadf,
    CAST(gsadf AS DOUBLE) AS gsadf,
    CAST(adf_cv90 AS DOUBLE) AS adf_cv90,
    CAST(adf_cv95 AS DOUBLE) AS adf_cv95,
    CAST(adf_cv99 AS DOUBLE) AS adf_cv99,
    CAST(sadf_cv90 AS DOUBLE) AS sadf_cv90,
    CAST(sadf_cv95 AS DOUBLE) AS sadf_cv95,
    CAST(sadf_cv99 AS DOUBLE) AS sadf_cv99,
    CAST(gsadf_cv90 AS DOUBLE) AS gsadf_cv90,
    CAST(gsadf_cv95 AS DOUBLE) AS gsadf_cv95,
    CAST(gsadf_cv99 AS DOUBLE) AS gsadf_cv99,
    CAST(rejects_sadf AS BOOLEAN) AS rejects_sadf,
    CAST(rejects_gsadf AS BOOLEAN) AS rejects_gsadf,
    CAST(episodes AS INTEGER) AS episodes,
    CAST(ongoing AS BOOLEAN) AS ongoing,
    CAST(mc_reps AS INTEGER) AS mc_reps,
    CAST(mc_seed AS BIGINT) AS mc_seed,
    CAST(cv_key AS VARCHAR) AS cv_key,
    CAST(cv_source AS VARCHAR) AS cv_source,
    CAST(ragged_edge_months AS INTEGER) AS ragged_edge_months,
    CAST(synthetic AS BOOLEAN) AS synthetic,
    CAST(run_id AS VARCHAR) AS run_id
FROM bubble_statistics_frame
ORDER BY series;

COMMENT ON TABLE marts.bubble_statistics IS 'PSY (2015) bubble tests per series: ADF, SADF and GSADF with Monte Carlo critical values (seeded, cached by T, window, lag and replications), the verdict and the count of dated episodes.';
COMMENT ON COLUMN marts.bubble_statistics.series IS 'Series tested: ai_basket_price_to_sales, ai_basket_price_to_sales_equal_weight, or price_to_sales:<TICKER>.';
COMMENT ON COLUMN marts.bubble_statistics.description IS 'What the series is.';
COMMENT ON COLUMN marts.bubble_statistics.first_month IS 'First month of the tested series.';
COMMENT ON COLUMN marts.bubble_statistics.last_month IS 'Last month of the tested series.';
COMMENT ON COLUMN marts.bubble_statistics.observations IS 'T: monthly observations tested.';
COMMENT ON COLUMN marts.bubble_statistics.lag IS 'Lagged differences in each ADF regression.';
COMMENT ON COLUMN marts.bubble_statistics.min_window IS 'Smallest window in regression rows: floor((0.01 + 1.8/sqrt(T)) T) by default.';
COMMENT ON COLUMN marts.bubble_statistics.min_duration IS 'Shortest dated episode in months: round(log T).';
COMMENT ON COLUMN marts.bubble_statistics.level IS 'Level of the right-tailed tests and of the date-stamping (0.95).';
COMMENT ON COLUMN marts.bubble_statistics.adf IS 'ADF t statistic over the whole series (constant, lag as configured).';
COMMENT ON COLUMN marts.bubble_statistics.sadf IS 'Sup ADF (PWY 2011): maximum over forward-expanding windows.';
COMMENT ON COLUMN marts.bubble_statistics.gsadf IS 'Generalized sup ADF (PSY 2015): maximum over all windows of at least min_window rows.';
COMMENT ON COLUMN marts.bubble_statistics.adf_cv90 IS 'Monte Carlo 90% critical value of ADF.';
COMMENT ON COLUMN marts.bubble_statistics.adf_cv95 IS 'Monte Carlo 95% critical value of ADF.';
COMMENT ON COLUMN marts.bubble_statistics.adf_cv99 IS 'Monte Carlo 99% critical value of ADF.';
COMMENT ON COLUMN marts.bubble_statistics.sadf_cv90 IS 'Monte Carlo 90% critical value of SADF.';
COMMENT ON COLUMN marts.bubble_statistics.sadf_cv95 IS 'Monte Carlo 95% critical value of SADF.';
COMMENT ON COLUMN marts.bubble_statistics.sadf_cv99 IS 'Monte Carlo 99% critical value of SADF.';
COMMENT ON COLUMN marts.bubble_statistics.gsadf_cv90 IS 'Monte Carlo 90% critical value of GSADF.';
COMMENT ON COLUMN marts.bubble_statistics.gsadf_cv95 IS 'Monte Carlo 95% critical value of GSADF.';
COMMENT ON COLUMN marts.bubble_statistics.gsadf_cv99 IS 'Monte Carlo 99% critical value of GSADF.';
COMMENT ON COLUMN marts.bubble_statistics.rejects_sadf IS 'SADF above its critical value at level: explosive behaviour somewhere (PWY).';
COMMENT ON COLUMN marts.bubble_statistics.rejects_gsadf IS 'GSADF above its critical value at level: explosive behaviour somewhere (PSY); only then are episodes dated, as in exuber.';
COMMENT ON COLUMN marts.bubble_statistics.episodes IS 'Dated episodes (marts.bubble_episodes).';
COMMENT ON COLUMN marts.bubble_statistics.ongoing IS 'True when an episode runs to the last month.';
COMMENT ON COLUMN marts.bubble_statistics.mc_reps IS 'Monte Carlo replications behind the critical values.';
COMMENT ON COLUMN marts.bubble_statistics.mc_seed IS 'Seed of the Monte Carlo draws.';
COMMENT ON COLUMN marts.bubble_statistics.cv_key IS 'Cache key of the critical values: T, window, lag, replications, seed and kernel version.';
COMMENT ON COLUMN marts.bubble_statistics.cv_source IS 'cache (read from the cache under the home) or simulated (in this run, then cached).';
COMMENT ON COLUMN marts.bubble_statistics.ragged_edge_months IS 'Months of the series whose revenue is nowcast or carried forward (the ratio there rests on estimated revenue).';
COMMENT ON COLUMN marts.bubble_statistics.synthetic IS 'True when built from the synthetic sample.';
COMMENT ON COLUMN marts.bubble_statistics.run_id IS 'The run that estimated the row.';
