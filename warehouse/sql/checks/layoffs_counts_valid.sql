-- Layoff head counts and shares are not negative; shares are at most 100%.
SELECT series_id, company, event_date, laid_off, pct_laid_off
FROM staging.stg_layoff_events
WHERE laid_off < 0 OR pct_laid_off < 0 OR pct_laid_off > 1;
