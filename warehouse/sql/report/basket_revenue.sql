-- The revenue behind the AI basket on the last trading day up to the report month: for each member, the quarter
-- it uses, when that quarter was public (imputed: the SEC deadline, the source giving no filing date), how old it
-- is, and whether the basket counts it (left out: stale, more than two quarters overdue, or no revenue).
WITH last_day AS (
    SELECT max(date) AS date FROM marts.ai_basket_member_daily WHERE date <= ?
)
SELECT
    m.ticker,
    CASE WHEN m.counted THEN 'counted'
         WHEN m.ttm_revenue_usd IS NULL THEN 'out: no revenue'
         ELSE 'out: stale' END AS status,
    m.revenue_period_end AS quarter_end,
    m.revenue_filed_at AS public_from,
    CASE WHEN m.revenue_filed_at_imputed THEN 'imputed' ELSE 'filed' END AS date_basis,
    m.revenue_age_days AS age_days
FROM marts.ai_basket_member_daily AS m
JOIN last_day USING (date)
ORDER BY m.counted DESC, m.ticker;
