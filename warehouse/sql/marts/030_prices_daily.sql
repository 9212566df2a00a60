-- Daily closes per ticker with market capitalisation where shares are known.
CREATE OR REPLACE TABLE marts.prices_daily AS
WITH prices AS (
    SELECT * FROM staging.stg_prices WHERE adj_close IS NOT NULL OR close_unadjusted IS NOT NULL
),
shares AS (
    SELECT ticker, fiscal_period_end, filed_at, shares_outstanding
    FROM staging.stg_fundamentals
    WHERE shares_outstanding IS NOT NULL
),
with_shares AS (
    -- A quarter's share count is known from its filing date, like its revenue: no look-ahead.
    SELECT p.*, s.shares_outstanding, s.fiscal_period_end AS shares_period_end
    FROM prices AS p
    ASOF LEFT JOIN shares AS s
        ON p.ticker = s.ticker AND p.date >= s.filed_at
),
with_counts AS (
    SELECT w.*, c.shares_outstanding AS shares_reported, c.date AS shares_reported_date
    FROM with_shares AS w
    ASOF LEFT JOIN staging.stg_share_counts AS c
        ON w.ticker = c.ticker AND w.date >= c.date
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
    coalesce(shares_reported, shares_outstanding) AS shares_outstanding,
    coalesce(shares_reported_date, shares_period_end) AS shares_period_end,
    -- As traded: the close as traded x the shares reported then. Otherwise the split-adjusted close x the
    -- split-adjusted shares of the last fiscal quarter: consistent across splits (a data check compares it
    -- with the reported market cap); the dividend adjustment of the close makes older caps slightly low.
    CASE
        WHEN close_unadjusted IS NOT NULL AND shares_reported IS NOT NULL THEN close_unadjusted * shares_reported
        ELSE coalesce(adj_close, close_unadjusted) * shares_outstanding
    END AS market_cap,
    CASE
        WHEN close_unadjusted IS NOT NULL AND shares_reported IS NOT NULL THEN 'close x reported shares'
        WHEN shares_outstanding IS NOT NULL THEN 'adjusted close x fiscal-quarter shares'
    END AS market_cap_basis,
    synthetic
FROM with_counts
ORDER BY ticker, date;

COMMENT ON TABLE marts.prices_daily IS 'Daily closing prices per ticker, with market capitalisation where the fundamentals give shares outstanding.';
COMMENT ON COLUMN marts.prices_daily.ticker IS 'Exchange ticker (price series id).';
COMMENT ON COLUMN marts.prices_daily.date IS 'Trading date (exchange local).';
COMMENT ON COLUMN marts.prices_daily.close IS 'Close adjusted for splits and dividends (Yahoo adjusted close), in currency.';
COMMENT ON COLUMN marts.prices_daily.close_unadjusted IS 'Close as traded, where the source gives it.';
COMMENT ON COLUMN marts.prices_daily.split_ratio IS 'Split ratio on a split day (e.g. 10 for 10-for-1), 0 otherwise, where the source gives it.';
COMMENT ON COLUMN marts.prices_daily.currency IS 'Currency of the prices.';
COMMENT ON COLUMN marts.prices_daily.shares_outstanding IS 'Shares outstanding behind market_cap: reported on or before date where the source gives a share history, else the split-adjusted weighted shares of the last fiscal quarter (ADR-equivalent for ADRs).';
COMMENT ON COLUMN marts.prices_daily.shares_period_end IS 'Date the shares were reported for, or the fiscal quarter end they come from: how stale they are.';
COMMENT ON COLUMN marts.prices_daily.market_cap IS 'Market capitalisation in currency (see market_cap_basis); split-consistent, checked against the reported market cap.';
COMMENT ON COLUMN marts.prices_daily.market_cap_basis IS 'How market_cap was computed: the as-traded close x shares reported on or before date, or the adjusted close x the split-adjusted shares of the last fiscal quarter.';
COMMENT ON COLUMN marts.prices_daily.synthetic IS 'True when built from the synthetic sample.';
