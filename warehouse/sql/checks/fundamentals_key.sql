-- marts.fundamentals_quarterly: (ticker, fiscal_period_end) unique; revenue not negative; public (filed_at) only
-- after the quarter ended and never before an earlier quarter of the ticker; and no quarter counted twice: two
-- period ends of a ticker less than 60 days apart are one quarter given by two sources under different dates.
WITH keyed AS (
    SELECT ticker, fiscal_period_end, revenue, filed_at,
           fiscal_period_end - lag(fiscal_period_end) OVER (PARTITION BY ticker ORDER BY fiscal_period_end)
               AS days_after_previous,
           lag(filed_at) OVER (PARTITION BY ticker ORDER BY fiscal_period_end) AS previous_filed_at
    FROM marts.fundamentals_quarterly
)
SELECT ticker, fiscal_period_end, count(*) AS copies, min(revenue) AS revenue, min(filed_at) AS filed_at,
       min(days_after_previous) AS days_after_previous, max(previous_filed_at) AS previous_filed_at
FROM keyed
GROUP BY ticker, fiscal_period_end
HAVING count(*) > 1 OR min(revenue) < 0 OR min(filed_at) <= fiscal_period_end OR min(days_after_previous) < 60
    OR min(filed_at) < max(previous_filed_at);
