-- Quarterly revenue and capex per company, in USD where the company reports in USD, with trailing twelve months.
CREATE OR REPLACE TABLE marts.fundamentals_quarterly AS
WITH quarters AS (
    SELECT
        *,
        -- No exchange-rate series is in the catalog, so only USD reporters get USD figures.
        CASE WHEN currency = 'USD' THEN revenue END AS revenue_usd,
        CASE WHEN currency = 'USD' THEN capex END AS capex_usd
    FROM staging.stg_fundamentals
),
with_ttm AS (
    SELECT
        *,
        sum(revenue_usd) OVER last_four AS revenue_usd_4q,
        count(revenue_usd) OVER last_four AS revenue_quarters,
        sum(capex_usd) OVER last_four AS capex_usd_4q,
        count(capex_usd) OVER last_four AS capex_quarters,
        min(fiscal_period_end) OVER last_four AS first_period_end
    FROM quarters
    WINDOW last_four AS (PARTITION BY ticker ORDER BY fiscal_period_end ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)
)
SELECT
    ticker,
    fiscal_period_end,
    fiscal_year,
    fiscal_quarter,
    filed_at,
    currency,
    revenue,
    capex,
    revenue_usd,
    capex_usd,
    -- Four quarters spanning about a year; a gap in the filings leaves TTM empty rather than wrong.
    CASE WHEN revenue_quarters = 4 AND fiscal_period_end - first_period_end BETWEEN 250 AND 300
         THEN revenue_usd_4q END AS ttm_revenue_usd,
    CASE WHEN capex_quarters = 4 AND fiscal_period_end - first_period_end BETWEEN 250 AND 300
         THEN capex_usd_4q END AS ttm_capex_usd,
    operating_income,
    net_income,
    shares_outstanding,
    shares_diluted,
    market_cap_reported,
    market_cap_currency,
    CASE WHEN currency = 'USD' THEN 'reported in USD'
         ELSE 'reported in ' || currency || '; no exchange-rate series in the catalog, so no USD figures'
    END AS usd_basis,
    synthetic
FROM with_ttm
ORDER BY ticker, fiscal_period_end;

COMMENT ON TABLE marts.fundamentals_quarterly IS 'Quarterly revenue and capex per company from filings; USD figures and TTM only for USD reporters (TSM reports in TWD and is left out of USD sums).';
COMMENT ON COLUMN marts.fundamentals_quarterly.fiscal_period_end IS 'Last day of the fiscal quarter.';
COMMENT ON COLUMN marts.fundamentals_quarterly.filed_at IS 'Date the quarter was filed with the SEC: when the market could know it.';
COMMENT ON COLUMN marts.fundamentals_quarterly.currency IS 'Reporting currency of revenue and capex.';
COMMENT ON COLUMN marts.fundamentals_quarterly.revenue IS 'Quarterly revenue in the reporting currency.';
COMMENT ON COLUMN marts.fundamentals_quarterly.capex IS 'Quarterly capital expenditure (cash paid for property and equipment), reporting currency, positive.';
COMMENT ON COLUMN marts.fundamentals_quarterly.revenue_usd IS 'Quarterly revenue in USD (USD reporters only).';
COMMENT ON COLUMN marts.fundamentals_quarterly.capex_usd IS 'Quarterly capex in USD (USD reporters only).';
COMMENT ON COLUMN marts.fundamentals_quarterly.ttm_revenue_usd IS 'Trailing-twelve-month revenue in USD: this and the three previous quarters, when all four are present.';
COMMENT ON COLUMN marts.fundamentals_quarterly.ttm_capex_usd IS 'Trailing-twelve-month capex in USD, as ttm_revenue_usd.';
COMMENT ON COLUMN marts.fundamentals_quarterly.shares_outstanding IS 'Weighted average shares in the quarter, split-adjusted by the source to its retrieval date.';
COMMENT ON COLUMN marts.fundamentals_quarterly.market_cap_reported IS 'Market capitalisation the source reports for the quarter end, in market_cap_currency.';
COMMENT ON COLUMN marts.fundamentals_quarterly.usd_basis IS 'How USD figures were obtained, or why there are none.';
COMMENT ON COLUMN marts.fundamentals_quarterly.synthetic IS 'True when built from the synthetic sample.';
