-- Quarterly revenue and capex from the fundamentals source beside Yahoo's statements, where both exist.
CREATE OR REPLACE TABLE marts.revenue_crosscheck AS
WITH yahoo AS (
    SELECT
        c.ticker,
        o.obs_date AS fiscal_period_end,
        max(o.value) FILTER (WHERE o.field = 'revenue_yahoo') AS revenue_yahoo,
        max(o.value) FILTER (WHERE o.field = 'capex_yahoo') AS capex_yahoo
    FROM staging.stg_observations AS o
    JOIN meta.series_catalog AS c USING (series_id)
    WHERE c.kind = 'price' AND o.field IN ('revenue_yahoo', 'capex_yahoo')
    GROUP BY ALL
)
SELECT
    f.ticker,
    f.fiscal_period_end,
    f.revenue_usd AS revenue_filed,
    y.revenue_yahoo,
    y.revenue_yahoo / f.revenue_usd AS revenue_ratio,
    f.capex_usd AS capex_filed,
    y.capex_yahoo,
    y.capex_yahoo / nullif(f.capex_usd, 0) AS capex_ratio,
    f.synthetic
FROM marts.fundamentals_quarterly AS f
JOIN yahoo AS y USING (ticker, fiscal_period_end)
ORDER BY f.ticker, f.fiscal_period_end;

COMMENT ON TABLE marts.revenue_crosscheck IS 'Filed quarterly revenue and capex (fundamentals source) beside Yahoo Finance''s statements for the same quarter: a cross-check of both sources.';
COMMENT ON COLUMN marts.revenue_crosscheck.revenue_filed IS 'Quarterly revenue in USD from the fundamentals source (SEC filings).';
COMMENT ON COLUMN marts.revenue_crosscheck.revenue_yahoo IS 'Quarterly total revenue from Yahoo Finance''s income statement.';
COMMENT ON COLUMN marts.revenue_crosscheck.revenue_ratio IS 'revenue_yahoo / revenue_filed: 1 when the sources agree.';
COMMENT ON COLUMN marts.revenue_crosscheck.capex_filed IS 'Quarterly capex in USD from the fundamentals source.';
COMMENT ON COLUMN marts.revenue_crosscheck.capex_yahoo IS 'Quarterly capital expenditure from Yahoo Finance''s cash-flow statement (positive).';
COMMENT ON COLUMN marts.revenue_crosscheck.capex_ratio IS 'capex_yahoo / capex_filed.';
COMMENT ON COLUMN marts.revenue_crosscheck.synthetic IS 'True when built from the synthetic sample.';
