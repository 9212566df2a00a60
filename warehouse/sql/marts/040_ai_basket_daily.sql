-- The AI basket each trading day: market cap over trailing revenue, using only revenue filed by that day.
-- First one row per member and day (marts.ai_basket_member_daily: which quarter it uses, filed when, how old),
-- then the basket. A member whose newest filed quarter is more than max_overdue_quarters overdue (a quarter
-- is overdue once filing_lag_days have passed since its end with no filing) is left out of the ratio and
-- named in stale_tickers; both rules come from catalogs/assumptions.toml [ragged_edge], set by the build.
CREATE OR REPLACE TABLE marts.ai_basket_member_daily AS
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
    SELECT ticker, filed_at, filed_at_imputed, fiscal_period_end, ttm_revenue_usd, source_series
    FROM marts.fundamentals_quarterly
    WHERE ttm_revenue_usd IS NOT NULL AND filed_at IS NOT NULL
),
joined AS (
    SELECT c.*, r.ttm_revenue_usd, r.fiscal_period_end, r.filed_at, r.filed_at_imputed, r.source_series
    FROM caps AS c
    ASOF LEFT JOIN revenue AS r
        ON c.ticker = r.ticker AND c.date >= r.filed_at
),
aged AS (
    SELECT
        *,
        (date - fiscal_period_end) AS revenue_age_days,
        greatest(0, floor((date - getvariable('filing_lag_days')::INTEGER - fiscal_period_end) / (365.25 / 4)))::INTEGER
            AS revenue_overdue_quarters
    FROM joined
)
SELECT
    ticker,
    date,
    market_cap,
    ttm_revenue_usd,
    fiscal_period_end AS revenue_period_end,
    filed_at AS revenue_filed_at,
    filed_at_imputed AS revenue_filed_at_imputed,
    source_series AS revenue_source_series,
    revenue_age_days,
    revenue_overdue_quarters,
    ttm_revenue_usd IS NOT NULL AND revenue_overdue_quarters <= getvariable('max_overdue_quarters')::INTEGER AS counted,
    CASE
        WHEN ttm_revenue_usd IS NULL THEN 'no USD TTM revenue filed by this day'
        WHEN revenue_overdue_quarters > getvariable('max_overdue_quarters')::INTEGER
            THEN 'stale: newest filed quarter ended ' || strftime(fiscal_period_end, '%Y-%m-%d') || ', '
                 || revenue_overdue_quarters || ' quarter(s) overdue (limit '
                 || getvariable('max_overdue_quarters')::INTEGER || ')'
    END AS left_out_because,
    synthetic
FROM aged
ORDER BY ticker, date;

-- Float sums and means are taken in a fixed order (ORDER BY ticker): DuckDB's parallel aggregation would
-- otherwise change their last bits from run to run, and the fits downstream would follow.
CREATE OR REPLACE TABLE marts.ai_basket_daily AS
WITH daily AS (
    SELECT
        date,
        count(*) FILTER (WHERE counted) AS members,
        sum(market_cap ORDER BY ticker) FILTER (WHERE counted) AS basket_market_cap,
        sum(ttm_revenue_usd ORDER BY ticker) FILTER (WHERE counted) AS basket_ttm_revenue,
        avg(market_cap / ttm_revenue_usd ORDER BY ticker) FILTER (WHERE counted) AS price_to_sales_equal_weight,
        min(revenue_period_end) FILTER (WHERE counted) AS oldest_revenue_period,
        max(revenue_period_end) FILTER (WHERE counted) AS newest_revenue_period,
        max(revenue_age_days) FILTER (WHERE counted) AS max_revenue_age_days,
        map_from_entries(list({'k': ticker, 'v': revenue_age_days} ORDER BY ticker)
            FILTER (WHERE revenue_age_days IS NOT NULL)) AS member_revenue_age_days,
        list(ticker ORDER BY ticker) FILTER (WHERE counted) AS member_tickers,
        list(ticker ORDER BY ticker) FILTER (WHERE NOT counted) AS excluded_tickers,
        list(ticker ORDER BY ticker) FILTER (WHERE ttm_revenue_usd IS NOT NULL AND NOT counted) AS stale_tickers,
        bool_or(synthetic) AS synthetic
    FROM marts.ai_basket_member_daily
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
    member_revenue_age_days,
    member_tickers,
    coalesce(excluded_tickers, []) AS excluded_tickers,
    coalesce(stale_tickers, []) AS stale_tickers,
    synthetic
FROM daily
WHERE members > 0
ORDER BY date;

COMMENT ON TABLE marts.ai_basket_member_daily IS 'Each AI-basket member each trading day: its market cap, the TTM revenue filed by that day, which quarter it ends in and when it was filed, how old and how overdue it is, and whether the basket counts it.';
COMMENT ON COLUMN marts.ai_basket_member_daily.revenue_period_end IS 'Fiscal quarter end of the newest TTM revenue filed by date.';
COMMENT ON COLUMN marts.ai_basket_member_daily.revenue_filed_at IS 'When that quarter was public (marts.fundamentals_quarterly.filed_at): never after date.';
COMMENT ON COLUMN marts.ai_basket_member_daily.revenue_filed_at_imputed IS 'True when the filing date is the SEC deadline, not a reported date.';
COMMENT ON COLUMN marts.ai_basket_member_daily.revenue_source_series IS 'Catalog series the quarter comes from.';
COMMENT ON COLUMN marts.ai_basket_member_daily.revenue_age_days IS 'Days from revenue_period_end to date.';
COMMENT ON COLUMN marts.ai_basket_member_daily.revenue_overdue_quarters IS 'Quarters overdue: whole quarters from revenue_period_end + filing_lag_days to date.';
COMMENT ON COLUMN marts.ai_basket_member_daily.counted IS 'True when the member is in the basket''s ratio that day: USD TTM revenue filed, at most max_overdue_quarters overdue.';
COMMENT ON COLUMN marts.ai_basket_member_daily.left_out_because IS 'Why a member is not counted (no revenue, or stale with its quarter and overdue count).';

COMMENT ON TABLE marts.ai_basket_daily IS 'AI basket per trading day: summed market cap, summed TTM revenue known (filed) by that day, and price-to-sales. Members need a market cap and USD TTM revenue; others are listed in excluded_tickers.';
COMMENT ON COLUMN marts.ai_basket_daily.members IS 'Basket members counted that day (marts.ai_basket_member_daily.counted).';
COMMENT ON COLUMN marts.ai_basket_daily.basket_market_cap IS 'Sum of members'' market caps, USD.';
COMMENT ON COLUMN marts.ai_basket_daily.basket_ttm_revenue IS 'Sum of members'' trailing-twelve-month revenue filed by that day, USD.';
COMMENT ON COLUMN marts.ai_basket_daily.price_to_sales IS 'Cap-weighted price-to-sales: basket_market_cap / basket_ttm_revenue.';
COMMENT ON COLUMN marts.ai_basket_daily.price_to_sales_equal_weight IS 'Mean of members'' own price-to-sales ratios.';
COMMENT ON COLUMN marts.ai_basket_daily.oldest_revenue_period IS 'Oldest fiscal quarter end behind the revenue used: the ragged edge.';
COMMENT ON COLUMN marts.ai_basket_daily.max_revenue_age_days IS 'Days from the oldest counted member''s last quarter end to date: how stale the counted revenue is.';
COMMENT ON COLUMN marts.ai_basket_daily.excluded_tickers IS 'Basket tickers with a market cap left out that day: no USD revenue filed, or stale (stale_tickers); a ticker with no market cap is absent from both lists.';
COMMENT ON COLUMN marts.ai_basket_daily.stale_tickers IS 'Members left out because their newest filed quarter is more than max_overdue_quarters overdue (catalogs/assumptions.toml [ragged_edge]).';
COMMENT ON COLUMN marts.ai_basket_daily.member_revenue_age_days IS 'MAP ticker -> days from its newest filed quarter end to date, for every member with revenue (counted or stale): e.g. member_revenue_age_days[''NVDA''].';
COMMENT ON COLUMN marts.ai_basket_daily.synthetic IS 'True when built from the synthetic sample.';
