-- Daily market caps of the given tickers (split-consistent shares x adjusted close).
SELECT ticker, date, close, market_cap, synthetic
FROM marts.prices_daily
WHERE list_contains(?::VARCHAR[], ticker)
ORDER BY ticker, date;
