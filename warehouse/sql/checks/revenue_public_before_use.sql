-- No look-ahead in the basket: a member's revenue is used on a day only once the quarter was public
-- (its filing date, reported or imputed as the SEC deadline). Returns every member-day that breaks it.
SELECT ticker, date, revenue_period_end, revenue_filed_at, revenue_filed_at_imputed, revenue_source_series
FROM marts.ai_basket_member_daily
WHERE ttm_revenue_usd IS NOT NULL AND (revenue_filed_at IS NULL OR revenue_filed_at > date
                                       OR revenue_filed_at <= revenue_period_end);
