-- Quarterly filings of the given tickers: revenue and capex in USD, TTM sums, and when they were filed.
SELECT
    ticker,
    fiscal_period_end,
    fiscal_year,
    fiscal_quarter,
    filed_at,
    currency,
    revenue_usd,
    capex_usd,
    ttm_revenue_usd,
    ttm_capex_usd,
    synthetic
FROM marts.fundamentals_quarterly
WHERE list_contains(?::VARCHAR[], ticker)
ORDER BY ticker, fiscal_period_end;
