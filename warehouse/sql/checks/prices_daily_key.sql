-- marts.prices_daily: (ticker, date) present and unique.
SELECT ticker, date, count(*) AS copies
FROM marts.prices_daily
GROUP BY ALL
HAVING count(*) > 1 OR ticker IS NULL OR date IS NULL;
