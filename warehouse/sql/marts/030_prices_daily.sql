-- Daily closes per ticker with market capitalisation where shares are known.
CREATE OR REPLACE TABLE marts.prices_daily AS
WITH prices AS (
    SELECT * FROM staging.stg_prices WHERE adj_close IS NOT NULL OR close_unadjusted IS NOT NULL
),
shares AS (
    SELECT ticker, fiscal_period_end, shares_outstanding
    FROM staging.stg_fundamentals
    WHERE shares_outstanding IS NOT NULL
),
with_shares AS (
    SELECT p.*, s.shares_outstanding, s.fiscal_period_end AS shares_period_end
    FROM prices AS p
    ASOF LEFT JOIN shares AS s
        ON p.ticker = s.ticker AND p.date >= s.fiscal_period_end
)
SELECT
    ticker,
    date,
    coalesce(adj_close, close_unadjusted) AS close,
    close_unadjusted,
    open,
    high,
    low,
    volume,
    dividends,
    split_ratio,
    currency,
    shares_outstanding,
    shares_period_end,
    -- Split-adjusted price x split-adjusted shares: consistent across splits (checked against the
    -- reported market cap); the dividend adjustment of the close makes older caps slightly low.
    coalesce(adj_close, close_unadjusted) * shares_outstanding AS market_cap,
    synthetic
FROM with_shares
ORDER BY ticker, date;

COMMENT ON TABLE marts.prices_daily IS 'Daily closing prices per ticker, with market capitalisation where the fundamentals give shares outstanding.';
COMMENT ON COLUMN marts.prices_daily.ticker IS 'Exchange ticker (price series id).';
COMMENT ON COLUMN marts.prices_daily.date IS 'Trading date (exchange local).';
COMMENT ON COLUMN marts.prices_daily.close IS 'Close adjusted for splits and dividends (Yahoo adjusted close), in currency.';
COMMENT ON COLUMN marts.prices_daily.close_unadjusted IS 'Close as traded, where the source gives it.';
COMMENT ON COLUMN marts.prices_daily.split_ratio IS 'Split ratio on a split day (e.g. 10 for 10-for-1), 0 otherwise, where the source gives it.';
COMMENT ON COLUMN marts.prices_daily.currency IS 'Currency of the prices.';
COMMENT ON COLUMN marts.prices_daily.shares_outstanding IS 'Split-adjusted weighted shares of the latest fiscal quarter ended on or before date (ADR-equivalent for ADRs).';
COMMENT ON COLUMN marts.prices_daily.shares_period_end IS 'Fiscal quarter end the shares come from: how stale they are.';
COMMENT ON COLUMN marts.prices_daily.market_cap IS 'close x shares_outstanding, in currency; split-consistent, checked against the reported market cap.';
COMMENT ON COLUMN marts.prices_daily.synthetic IS 'True when built from the synthetic sample.';
