-- The AI basket at each month's last trading day, up to the report month.
SELECT
    date_trunc('month', date)::DATE AS month,
    arg_max(price_to_sales, date) AS price_to_sales,
    arg_max(price_to_sales_equal_weight, date) AS price_to_sales_equal_weight,
    arg_max(basket_market_cap, date) / 1e12 AS market_cap_tn,
    arg_max(basket_ttm_revenue, date) / 1e9 AS ttm_revenue_bn,
    arg_max(max_revenue_age_days, date) AS max_revenue_age_days,
    arg_max(members, date) AS members
FROM marts.ai_basket_daily
WHERE date <= ? AND date >= DATE '2015-01-01'
GROUP BY 1
ORDER BY 1;
