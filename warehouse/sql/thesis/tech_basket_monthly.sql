-- The long tech basket by month (from the registered frame tech_basket_monthly_frame, built by models/thesis.py
-- with the AI basket's own code): the members of the catalog role tech_basket, market cap over the TTM revenue
-- filed by each month's last trading day.
CREATE OR REPLACE TABLE marts.tech_basket_monthly AS
SELECT
    CAST(run_id AS VARCHAR) AS run_id,
    CAST(month AS DATE) AS month,
    CAST(members AS INTEGER) AS members,
    CAST(member_tickers AS VARCHAR[]) AS member_tickers,
    CAST(excluded_tickers AS VARCHAR[]) AS excluded_tickers,
    CAST(basket_market_cap AS DOUBLE) AS basket_market_cap,
    CAST(basket_ttm_revenue AS DOUBLE) AS basket_ttm_revenue,
    CAST(price_to_sales AS DOUBLE) AS price_to_sales,
    CAST(price_to_sales_equal_weight AS DOUBLE) AS price_to_sales_equal_weight,
    CAST(log_price_to_sales AS DOUBLE) AS log_price_to_sales,
    CAST(ps_zscore AS DOUBLE) AS ps_zscore,
    CAST(ps_zscore_cumulative AS DOUBLE) AS ps_zscore_cumulative,
    CAST(ps_zscore_equal_weight AS DOUBLE) AS ps_zscore_equal_weight,
    CAST(ps_change_12m AS DOUBLE) AS ps_change_12m,
    CAST(cap_change_12m AS DOUBLE) AS cap_change_12m,
    CAST(in_bubble_episode AS BOOLEAN) AS in_bubble_episode,
    CAST(synthetic AS BOOLEAN) AS synthetic
FROM tech_basket_monthly_frame
ORDER BY month;

COMMENT ON TABLE marts.tech_basket_monthly IS 'The long tech basket (catalog role tech_basket: the tickers with prices and filed revenue through the 1990s), by month from 1987: the valuation gap of the thesis test (docs/thesis.md). Members enter when their price and filed revenue begin (member_tickers per month).';
COMMENT ON COLUMN marts.tech_basket_monthly.run_id IS 'The run that built it (meta.model_runs, model thesis).';
COMMENT ON COLUMN marts.tech_basket_monthly.month IS 'The month; values at its last trading day.';
COMMENT ON COLUMN marts.tech_basket_monthly.members IS 'Members counted: a market cap and USD TTM revenue filed by that day.';
COMMENT ON COLUMN marts.tech_basket_monthly.member_tickers IS 'The members counted that month.';
COMMENT ON COLUMN marts.tech_basket_monthly.excluded_tickers IS 'Members with a market cap but no filed (or a stale) revenue that month.';
COMMENT ON COLUMN marts.tech_basket_monthly.basket_market_cap IS 'Sum of the counted members'' market caps, USD.';
COMMENT ON COLUMN marts.tech_basket_monthly.basket_ttm_revenue IS 'Sum of their trailing-twelve-month revenue filed by the month''s last trading day, USD.';
COMMENT ON COLUMN marts.tech_basket_monthly.price_to_sales IS 'basket_market_cap / basket_ttm_revenue.';
COMMENT ON COLUMN marts.tech_basket_monthly.price_to_sales_equal_weight IS 'Mean of the members'' own price-to-sales ratios.';
COMMENT ON COLUMN marts.tech_basket_monthly.log_price_to_sales IS 'ln(price_to_sales).';
COMMENT ON COLUMN marts.tech_basket_monthly.ps_zscore IS 'The gap: log P/S against the mean and sd of its own months before (expanding; 60 months of history before the first value). Uses nothing after the month.';
COMMENT ON COLUMN marts.tech_basket_monthly.ps_zscore_cumulative IS 'The gap summed over the months from its first value: the forecast''s regressor form (a model of the differenced target reads its change, which is the gap''s level). Uses nothing after the month.';
COMMENT ON COLUMN marts.tech_basket_monthly.ps_zscore_equal_weight IS 'The same z-score of the equal-weighted ratio (the mean of the members'' own P/S): a robustness check, less driven by the largest member.';
COMMENT ON COLUMN marts.tech_basket_monthly.ps_change_12m IS 'The turn: log P/S less its value 12 months before.';
COMMENT ON COLUMN marts.tech_basket_monthly.cap_change_12m IS 'Capital: log market cap less its value 12 months before.';
COMMENT ON COLUMN marts.tech_basket_monthly.in_bubble_episode IS 'True in a month of a PSY (2015) bubble episode of price_to_sales (95%, whole-sample dating); NULL when the test did not run.';
COMMENT ON COLUMN marts.tech_basket_monthly.synthetic IS 'True when built from the synthetic sample.';
