-- Prices are positive (yields such as ^TNX are macro series and never reach this mart).
SELECT ticker, date, close, open, high, low
FROM marts.prices_daily
WHERE close <= 0 OR open <= 0 OR high <= 0 OR low <= 0;
