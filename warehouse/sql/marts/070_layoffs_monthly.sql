-- Reported layoffs by month and tracker.
CREATE OR REPLACE TABLE marts.layoffs_monthly AS
SELECT
    series_id,
    date_trunc('month', event_date)::DATE AS month,
    count(*) AS events,
    count(laid_off) AS events_with_count,
    coalesce(sum(laid_off), 0) AS laid_off,
    count(DISTINCT company) AS companies,
    max(retrieved_at) AS retrieved_at,
    bool_or(synthetic) AS synthetic
FROM staging.stg_layoff_events
GROUP BY series_id, date_trunc('month', event_date)
ORDER BY series_id, month;

COMMENT ON TABLE marts.layoffs_monthly IS 'Layoff events reported by month in each layoffs.fyi-format tracker (not an official statistic; many events lack a head count).';
COMMENT ON COLUMN marts.layoffs_monthly.events IS 'Layoff events reported in the month.';
COMMENT ON COLUMN marts.layoffs_monthly.events_with_count IS 'Events that state how many were laid off.';
COMMENT ON COLUMN marts.layoffs_monthly.laid_off IS 'Sum of stated head counts (events without a count add nothing).';
COMMENT ON COLUMN marts.layoffs_monthly.companies IS 'Distinct companies with an event in the month.';
COMMENT ON COLUMN marts.layoffs_monthly.synthetic IS 'True when built from the synthetic sample.';
