-- The split-adjusted close x the quarter's split-adjusted shares agrees with the reported market cap at each
-- USD quarter end since 2015. A stock split applied to one side only moves the ratio by the split factor
-- (2x, 4x, 10x); the dividend adjustment of the close moves it at most about 25% (AVGO, 2015), so the band
-- is 0.70 to 1.43. (marts.prices_daily uses a quarter's shares only from its filing date, so on the quarter
-- end itself it still holds the previous quarter's; the check compares like with like.)
WITH reported AS (
    SELECT ticker, fiscal_period_end, market_cap_reported, shares_outstanding
    FROM marts.fundamentals_quarterly
    WHERE market_cap_currency = 'USD' AND market_cap_reported > 0 AND shares_outstanding > 0
      AND fiscal_period_end >= DATE '2015-01-01'
),
computed AS (
    SELECT r.ticker, r.fiscal_period_end, r.market_cap_reported, p.date, p.close * r.shares_outstanding AS market_cap
    FROM reported AS r
    ASOF JOIN marts.prices_daily AS p
        ON p.ticker = r.ticker AND p.date >= r.fiscal_period_end
    WHERE p.close IS NOT NULL AND p.currency = 'USD'
)
SELECT ticker, fiscal_period_end, date, market_cap, market_cap_reported, market_cap / market_cap_reported AS ratio
FROM computed
WHERE date - fiscal_period_end <= 7
  AND (market_cap / market_cap_reported < 0.70 OR market_cap / market_cap_reported > 1.43);
