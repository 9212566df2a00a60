-- Where two sources give a quarter's revenue, they agree within 25%: a wider gap means a units,
-- currency or period error in one of them (small gaps from restatements are expected and allowed).
SELECT ticker, fiscal_period_end, revenue_filed, revenue_yahoo, revenue_ratio
FROM marts.revenue_crosscheck
WHERE revenue_ratio < 0.75 OR revenue_ratio > 1.25;
