-- Append every event of a changed layoffs payload (registered as `incoming`) to raw.layoff_events.
INSERT INTO raw.layoff_events
SELECT
    $batch_id, $source, $series_id, $retrieved_at, $synthetic,
    row_number, company, location, country, industry, stage, event_date,
    laid_off, pct_laid_off, funds_raised_musd, source_url
FROM incoming;
