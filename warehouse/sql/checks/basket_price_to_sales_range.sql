-- The AI basket's price-to-sales is positive and below 500 (a units or currency error would break this).
SELECT date, members, basket_market_cap, basket_ttm_revenue, price_to_sales
FROM marts.ai_basket_daily
WHERE price_to_sales <= 0 OR price_to_sales >= 500 OR basket_ttm_revenue <= 0;
