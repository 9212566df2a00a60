-- The revenue behind the AI basket on its last trading day: the quarter each member uses, when it became public,
-- its source and age, and whether the basket counts it (and why not).
WITH last_day AS (
    SELECT max(date) AS date FROM marts.ai_basket_member_daily
)
SELECT
    m.ticker,
    m.date,
    m.counted,
    m.revenue_period_end,
    m.revenue_filed_at,
    m.revenue_filed_at_imputed,
    m.revenue_source_series,
    m.revenue_age_days,
    m.left_out_because
FROM marts.ai_basket_member_daily AS m
JOIN last_day USING (date)
ORDER BY m.counted DESC, m.ticker;
