-- Layoff events from the latest payload of each layoffs series retrieved by the as-of time.
CREATE OR REPLACE VIEW staging.stg_layoff_events AS
WITH visible AS (
    SELECT *
    FROM raw.layoff_events
    WHERE retrieved_at <= (SELECT max(as_of) FROM meta.build_context)
),
latest_batch AS (
    SELECT series_id, arg_max(batch_id, retrieved_at) AS batch_id
    FROM visible
    GROUP BY series_id
)
SELECT
    v.series_id,
    v.row_number,
    trim(v.company) AS company,
    trim(v.location) AS location,
    v.country,
    v.industry,
    v.stage,
    v.event_date,
    v.laid_off,
    v.pct_laid_off,
    v.funds_raised_musd,
    v.source_url,
    v.retrieved_at,
    v.synthetic
FROM visible AS v
JOIN latest_batch USING (series_id, batch_id);
