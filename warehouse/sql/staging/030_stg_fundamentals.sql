-- Quarterly fundamentals, one row per ticker and fiscal period end, in the reported currency.
CREATE OR REPLACE VIEW staging.stg_fundamentals AS
WITH fundamentals_series AS (
    SELECT series_id, ticker FROM meta.series_catalog WHERE kind = 'fundamentals'
)
SELECT
    s.ticker,
    o.obs_date AS fiscal_period_end,
    max(o.published_at) AS filed_at,
    max(o.value) FILTER (WHERE o.field = 'fiscal_year')::INTEGER AS fiscal_year,
    max(o.value) FILTER (WHERE o.field = 'fiscal_quarter')::INTEGER AS fiscal_quarter,
    max(o.unit) FILTER (WHERE o.field = 'revenue') AS currency,
    max(o.value) FILTER (WHERE o.field = 'revenue') AS revenue,
    max(o.value) FILTER (WHERE o.field = 'capex') AS capex,
    max(o.value) FILTER (WHERE o.field = 'cost_of_revenue') AS cost_of_revenue,
    max(o.value) FILTER (WHERE o.field = 'operating_income') AS operating_income,
    max(o.value) FILTER (WHERE o.field = 'net_income') AS net_income,
    max(o.value) FILTER (WHERE o.field = 'shares_outstanding') AS shares_outstanding,
    max(o.value) FILTER (WHERE o.field = 'shares_diluted') AS shares_diluted,
    max(o.value) FILTER (WHERE o.field = 'market_cap') AS market_cap_reported,
    max(o.unit) FILTER (WHERE o.field = 'market_cap') AS market_cap_currency,
    max(o.retrieved_at) AS retrieved_at,
    bool_or(o.synthetic) AS synthetic
FROM staging.stg_observations AS o
JOIN fundamentals_series AS s USING (series_id)
GROUP BY ALL;
