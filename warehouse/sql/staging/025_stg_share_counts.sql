-- Shares outstanding reported for a price series (e.g. Yahoo's share-count history), one row per ticker and date.
CREATE OR REPLACE VIEW staging.stg_share_counts AS
SELECT
    c.ticker,
    o.obs_date AS date,
    o.value AS shares_outstanding,
    o.source
FROM staging.stg_observations AS o
JOIN meta.series_catalog AS c USING (series_id)
WHERE c.kind = 'price' AND o.field = 'shares_outstanding';
