-- The nowcast's monthly panel, long: complete months of the talent targets and the listed hiring series, and,
-- when the second parameter is true, the AI basket's market cap in complete months.
SELECT series_id, month, value
FROM marts.hiring_monthly
WHERE NOT coalesce(partial, false) AND value IS NOT NULL AND (talent_target OR list_contains(?::VARCHAR[], series_id))
UNION ALL
SELECT 'basket_market_cap' AS series_id, month, basket_market_cap AS value
FROM marts.divergence_monthly
WHERE ? AND month_complete AND basket_market_cap > 0
ORDER BY series_id, month;
