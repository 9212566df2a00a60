-- The revenue behind the AI basket on the last trading day up to the report month: for each member, the quarter
-- it uses, when that quarter was public, where it comes from, how old it is, and whether the basket counts it.
WITH last_day AS (
    SELECT max(date) AS date FROM marts.ai_basket_member_daily WHERE date <= ?
)
SELECT
    m.ticker,
    CASE WHEN m.counted THEN 'counted' ELSE 'left out' END AS status,
    m.revenue_period_end AS quarter_end,
    m.revenue_filed_at AS public_from,
    CASE WHEN m.revenue_filed_at_imputed THEN 'imputed (SEC deadline)' ELSE 'reported' END AS filing_date,
    m.revenue_source_series AS source,
    m.revenue_age_days AS age_days,
    coalesce(m.left_out_because, '') AS why
FROM marts.ai_basket_member_daily AS m
JOIN last_day USING (date)
ORDER BY m.counted DESC, m.ticker;
