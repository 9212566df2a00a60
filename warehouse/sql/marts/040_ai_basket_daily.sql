-- The AI basket each trading day: market cap over trailing revenue, using only revenue filed by that day.
CREATE OR REPLACE TABLE marts.ai_basket_daily AS
WITH members AS (
    SELECT ticker
    FROM meta.series_catalog
    WHERE list_contains(roles, 'ai_basket') AND kind = 'price'
),
caps AS (
    SELECT p.ticker, p.date, p.market_cap, p.synthetic
    FROM marts.prices_daily AS p
    JOIN members USING (ticker)
    WHERE p.market_cap IS NOT NULL
),
revenue AS (
    SELECT ticker, filed_at, fiscal_period_end, ttm_revenue_usd
    FROM marts.fundamentals_quarterly
    WHERE ttm_revenue_usd IS NOT NULL AND filed_at IS NOT NULL
),
joined AS (
    SELECT c.*, r.ttm_revenue_usd, r.fiscal_period_end, r.filed_at
    FROM caps AS c
    ASOF LEFT JOIN revenue AS r
        ON c.ticker = r.ticker AND c.date >= r.filed_at
),
daily AS (
    SELECT
        date,
        count(*) FILTER (WHERE ttm_revenue_usd IS NOT NULL) AS members,
        sum(market_cap) FILTER (WHERE ttm_revenue_usd IS NOT NULL) AS basket_market_cap,
        sum(ttm_revenue_usd) AS basket_ttm_revenue,
        avg(market_cap / ttm_revenue_usd) AS price_to_sales_equal_weight,
        min(fiscal_period_end) AS oldest_revenue_period,
        max(fiscal_period_end) AS newest_revenue_period,
        max(date - fiscal_period_end) AS max_revenue_age_days,
        list(ticker ORDER BY ticker) FILTER (WHERE ttm_revenue_usd IS NOT NULL) AS member_tickers,
        list(ticker ORDER BY ticker) FILTER (WHERE ttm_revenue_usd IS NULL) AS excluded_tickers,
        bool_or(synthetic) AS synthetic
    FROM joined
    GROUP BY date
)
SELECT
    date,
    members,
    basket_market_cap,
    basket_ttm_revenue,
    basket_market_cap / basket_ttm_revenue AS price_to_sales,
    price_to_sales_equal_weight,
    oldest_revenue_period,
    newest_revenue_period,
    max_revenue_age_days,
    member_tickers,
    coalesce(excluded_tickers, []) AS excluded_tickers,
    synthetic
FROM daily
WHERE members > 0
ORDER BY date;

COMMENT ON TABLE marts.ai_basket_daily IS 'AI basket per trading day: summed market cap, summed TTM revenue known (filed) by that day, and price-to-sales. Members need a market cap and USD TTM revenue; others are listed in excluded_tickers.';
COMMENT ON COLUMN marts.ai_basket_daily.members IS 'Basket members counted that day.';
COMMENT ON COLUMN marts.ai_basket_daily.basket_market_cap IS 'Sum of members'' market caps, USD.';
COMMENT ON COLUMN marts.ai_basket_daily.basket_ttm_revenue IS 'Sum of members'' trailing-twelve-month revenue filed by that day, USD.';
COMMENT ON COLUMN marts.ai_basket_daily.price_to_sales IS 'Cap-weighted price-to-sales: basket_market_cap / basket_ttm_revenue.';
COMMENT ON COLUMN marts.ai_basket_daily.price_to_sales_equal_weight IS 'Mean of members'' own price-to-sales ratios.';
COMMENT ON COLUMN marts.ai_basket_daily.oldest_revenue_period IS 'Oldest fiscal quarter end behind the revenue used: the ragged edge.';
COMMENT ON COLUMN marts.ai_basket_daily.max_revenue_age_days IS 'Days from the oldest member''s last quarter end to date: how stale revenue is.';
COMMENT ON COLUMN marts.ai_basket_daily.excluded_tickers IS 'Basket tickers left out that day (no market cap or no USD revenue, e.g. TSM reports in TWD).';
COMMENT ON COLUMN marts.ai_basket_daily.synthetic IS 'True when built from the synthetic sample.';
