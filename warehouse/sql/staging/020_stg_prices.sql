-- Daily prices, one row per ticker and date, fields side by side.
CREATE OR REPLACE VIEW staging.stg_prices AS
WITH price_series AS (
    SELECT series_id, ticker FROM meta.series_catalog WHERE kind = 'price'
)
SELECT
    s.ticker,
    o.obs_date AS date,
    max(o.value) FILTER (WHERE o.field = 'adj_close') AS adj_close,
    max(o.value) FILTER (WHERE o.field = 'close') AS close_unadjusted,
    max(o.value) FILTER (WHERE o.field = 'open') AS open,
    max(o.value) FILTER (WHERE o.field = 'high') AS high,
    max(o.value) FILTER (WHERE o.field = 'low') AS low,
    max(o.value) FILTER (WHERE o.field = 'volume') AS volume,
    max(o.value) FILTER (WHERE o.field = 'dividends') AS dividends,
    max(o.value) FILTER (WHERE o.field = 'split_ratio') AS split_ratio,
    max(o.unit) FILTER (WHERE o.field IN ('adj_close', 'close')) AS currency,
    max(o.retrieved_at) AS retrieved_at,
    bool_or(o.synthetic) AS synthetic
FROM staging.stg_observations AS o
JOIN price_series AS s USING (series_id)
WHERE o.entity = ''
GROUP BY ALL;
