-- The AI basket's market cap against the frontier-progress index (from capital_progress_monthly_frame).
CREATE OR REPLACE TABLE marts.capital_progress_monthly AS
SELECT
    CAST(month AS DATE) AS month,
    CAST(basket_market_cap AS DOUBLE) AS basket_market_cap,
    CAST(log_market_cap AS DOUBLE) AS log_market_cap,
    CAST(progress_index AS DOUBLE) AS progress_index,
    CAST(progress_age_months AS INTEGER) AS progress_age_months,
    CAST(capital_z AS DOUBLE) AS capital_z,
    CAST(progress_z AS DOUBLE) AS progress_z,
    CAST(gap AS DOUBLE) AS gap,
    CAST(gap_change_12m AS DOUBLE) AS gap_change_12m,
    CAST(growth_difference AS DOUBLE) AS growth_difference,
    CAST(capital_change_12m AS DOUBLE) AS capital_change_12m,
    CAST(progress_change_12m AS DOUBLE) AS progress_change_12m,
    CAST(gap_realtime AS DOUBLE) AS gap_realtime,
    CAST(gap_zscore_realtime AS DOUBLE) AS gap_zscore_realtime,
    CAST(coint_residual AS DOUBLE) AS coint_residual,
    CAST(bubble_bsadf AS DOUBLE) AS bubble_bsadf,
    CAST(bubble_bsadf_cv AS DOUBLE) AS bubble_bsadf_cv,
    CAST(bubble_exuberant AS BOOLEAN) AS bubble_exuberant,
    CAST(basket_ttm_revenue AS DOUBLE) AS basket_ttm_revenue,
    CAST(revenue_z AS DOUBLE) AS revenue_z,
    CAST(revenue_gap AS DOUBLE) AS revenue_gap,
    CAST(lab_valuation_usd AS DOUBLE) AS lab_valuation_usd,
    CAST(lab_companies AS INTEGER) AS lab_companies,
    CAST(lab_z AS DOUBLE) AS lab_z,
    CAST(lab_gap AS DOUBLE) AS lab_gap,
    CAST(synthetic AS BOOLEAN) AS synthetic,
    CAST(run_id AS VARCHAR) AS run_id
FROM capital_progress_monthly_frame
ORDER BY month;

COMMENT ON TABLE marts.capital_progress_monthly IS 'Capital against technical progress, monthly, on the months the AI basket and the progress index both exist (the index carried forward up to 12 months past its last, flagged by progress_age_months and left out of the tests): capital relative to capability (a difference of z-scores), its real-time z-score, cointegration residual and PSY dating; revenue against progress.';
COMMENT ON COLUMN marts.capital_progress_monthly.month IS 'First day of the month.';
COMMENT ON COLUMN marts.capital_progress_monthly.basket_market_cap IS 'AI basket market cap at the month''s last trading day, USD (marts.divergence_monthly).';
COMMENT ON COLUMN marts.capital_progress_monthly.log_market_cap IS 'ln(basket_market_cap).';
COMMENT ON COLUMN marts.capital_progress_monthly.progress_index IS 'marts.progress_index_monthly.progress_index, carried forward past its last month (see progress_age_months).';
COMMENT ON COLUMN marts.capital_progress_monthly.progress_age_months IS 'Months since the progress index''s last month (0 inside it): how long it has been carried forward.';
COMMENT ON COLUMN marts.capital_progress_monthly.capital_z IS 'log_market_cap standardized with the mean and sd of the months the index was observed (progress_age_months = 0; in-sample).';
COMMENT ON COLUMN marts.capital_progress_monthly.progress_z IS 'progress_index standardized the same way (in-sample).';
COMMENT ON COLUMN marts.capital_progress_monthly.gap IS 'capital_z - progress_z: capital relative to capability, each against its own history (a difference of z-scores, sd; in-sample).';
COMMENT ON COLUMN marts.capital_progress_monthly.gap_change_12m IS 'Change of gap over 12 months (sd).';
COMMENT ON COLUMN marts.capital_progress_monthly.growth_difference IS 'Capital growth minus capability growth over 12 months, in sd of each (per year).';
COMMENT ON COLUMN marts.capital_progress_monthly.capital_change_12m IS '12-month change of log_market_cap (log points).';
COMMENT ON COLUMN marts.capital_progress_monthly.progress_change_12m IS '12-month change of progress_index (months of average progress).';
COMMENT ON COLUMN marts.capital_progress_monthly.gap_realtime IS 'The gap as computed at this month from the index fitted on the months up to it and standardized on them (no later month used).';
COMMENT ON COLUMN marts.capital_progress_monthly.gap_zscore_realtime IS 'gap_realtime against the real-time gaps of the months up to this one (sd): the number to read for "how far has capital run ahead of capability now".';
COMMENT ON COLUMN marts.capital_progress_monthly.coint_residual IS 'Residual of the in-sample regression of log_market_cap on progress_index (the Engle-Granger regression of marts.capital_progress_tests).';
COMMENT ON COLUMN marts.capital_progress_monthly.bubble_bsadf IS 'PSY BSADF statistic of the gap at this month (NULL in the first minimum window and in carried-forward months).';
COMMENT ON COLUMN marts.capital_progress_monthly.bubble_bsadf_cv IS 'Its 95% Monte Carlo critical value.';
COMMENT ON COLUMN marts.capital_progress_monthly.bubble_exuberant IS 'True inside a dated explosive episode of the gap (only when GSADF rejects, as exuber''s datestamp).';
COMMENT ON COLUMN marts.capital_progress_monthly.basket_ttm_revenue IS 'AI basket TTM revenue as filed by the month''s end, USD.';
COMMENT ON COLUMN marts.capital_progress_monthly.revenue_z IS 'ln(basket_ttm_revenue) standardized with the mean and sd of the months the index was observed.';
COMMENT ON COLUMN marts.capital_progress_monthly.revenue_gap IS 'revenue_z - progress_z: realized revenue relative to capability, each against its own history (sd).';
COMMENT ON COLUMN marts.capital_progress_monthly.lab_valuation_usd IS 'AI labs'' summed post-money valuations published by the month''s end, USD (marts.ai_lab_valuation_monthly, labs_total).';
COMMENT ON COLUMN marts.capital_progress_monthly.lab_companies IS 'Labs in that sum (it grows as labs are first valued).';
COMMENT ON COLUMN marts.capital_progress_monthly.lab_z IS 'ln(lab_valuation_usd) standardized over the observed months where it exists.';
COMMENT ON COLUMN marts.capital_progress_monthly.lab_gap IS 'lab_z minus the index standardized over the same months: the labs'' private valuations relative to capability (sd).';
COMMENT ON COLUMN marts.capital_progress_monthly.synthetic IS 'True when built from the synthetic sample.';
COMMENT ON COLUMN marts.capital_progress_monthly.run_id IS 'The run that estimated the row.';
