-- Tickers holding a role in the catalog, for one kind of series (price or fundamentals).
SELECT DISTINCT ticker
FROM marts.series
WHERE kind = ? AND list_contains(roles, ?)
ORDER BY ticker;
