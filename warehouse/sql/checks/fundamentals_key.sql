-- marts.fundamentals_quarterly: (ticker, fiscal_period_end) unique; revenue not negative; filed after the quarter.
SELECT ticker, fiscal_period_end, count(*) AS copies, min(revenue) AS revenue, min(filed_at) AS filed_at
FROM marts.fundamentals_quarterly
GROUP BY ALL
HAVING count(*) > 1 OR min(revenue) < 0 OR min(filed_at) < fiscal_period_end;
