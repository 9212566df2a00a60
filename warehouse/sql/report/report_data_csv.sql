-- What the report charts, month by month up to the report month, for the CSV attachment while no forecast
-- is built: the AI basket's price-to-sales and each talent target (long form; the report pivots it).
SELECT date_trunc('month', date)::DATE AS month, 'ai_basket_price_to_sales' AS series, arg_max(price_to_sales, date) AS value
FROM marts.ai_basket_daily
WHERE date >= DATE '2015-01-01' AND date <= ?
GROUP BY 1
UNION ALL
SELECT month, series_id, value
FROM marts.hiring_monthly
WHERE talent_target AND month >= DATE '2015-01-01' AND month <= ?
ORDER BY 1, 2;
