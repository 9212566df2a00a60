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
    filed_at_imputed,
    filed_at_reported,
    currency,
    revenue,
    capex,
    rpo,
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
    source_series,
    capex_series,
    sources AS sources_with_quarter,
    period_end_calendarised,
    CASE WHEN currency = 'USD' THEN 'reported in USD'
         ELSE 'reported in ' || currency || '; no exchange-rate series in the catalog, so no USD figures'
    END AS usd_basis,
    synthetic
FROM with_ttm
ORDER BY ticker, fiscal_period_end;

COMMENT ON TABLE marts.fundamentals_quarterly IS 'Quarterly revenue and capex per company from filings; USD figures and TTM only for USD reporters (TSM reports in TWD and is left out of USD sums).';
COMMENT ON COLUMN marts.fundamentals_quarterly.fiscal_period_end IS 'Last day of the fiscal quarter.';
COMMENT ON COLUMN marts.fundamentals_quarterly.filed_at IS 'Date the quarter was public: the filing date the source reports, or, where it gives none or one on or before the period end, the period end + 40 days (fiscal Q1-Q3, 10-Q deadline) or + 60 days (fiscal Q4, 10-K deadline) for a large accelerated filer (filed_at_imputed). No mart or model uses the quarter before this date.';
COMMENT ON COLUMN marts.fundamentals_quarterly.filed_at_imputed IS 'True when filed_at is the SEC deadline, not a reported filing date.';
COMMENT ON COLUMN marts.fundamentals_quarterly.filed_at_reported IS 'The filing date the source reports (NULL where it gives none; equal to the period end in some copies).';
COMMENT ON COLUMN marts.fundamentals_quarterly.rpo IS 'Remaining performance obligations at the period end (contracted revenue not yet recognised), reporting currency, where the source gives it.';
COMMENT ON COLUMN marts.fundamentals_quarterly.source_series IS 'The catalog series the quarter comes from: of the series giving the quarter''s revenue, the one retrieved most recently (staging.stg_fundamentals); the others stay in raw.';
COMMENT ON COLUMN marts.fundamentals_quarterly.capex_series IS 'The series capex comes from: source_series, or another source of the quarter where source_series has none (same currency).';
COMMENT ON COLUMN marts.fundamentals_quarterly.sources_with_quarter IS 'How many fundamentals series give this quarter.';
COMMENT ON COLUMN marts.fundamentals_quarterly.period_end_calendarised IS 'True when the period end is a calendar month end the source put in place of the true fiscal end (ConceptStocks'' AlphaVantage rows): within a few days of it.';
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
