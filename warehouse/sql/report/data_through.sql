-- How far each input of the divergence reaches on the basket's last trading day up to the report month: prices
-- through that day, and the newest revenue quarter, segment release and lab report public by then.
WITH last_day AS (
    SELECT max(date) AS day FROM marts.ai_basket_member_daily WHERE date <= ?
)
SELECT 'prices (AI basket)' AS input, (SELECT day FROM last_day) AS data_through
UNION ALL
SELECT 'newest quarter of filed revenue', max(fiscal_period_end)
FROM marts.fundamentals_quarterly
WHERE filed_at <= (SELECT day FROM last_day)
  AND ticker IN (SELECT DISTINCT ticker FROM marts.ai_basket_member_daily)
UNION ALL
SELECT 'data-centre and cloud segments (newest release)', max(released_at)
FROM marts.segment_revenue_quarterly WHERE data_center_segment AND released_at <= (SELECT day FROM last_day)
UNION ALL
SELECT 'AI labs'' annualised revenue (newest report)', max(report_date)
FROM marts.ai_lab_revenue WHERE published_at <= (SELECT day FROM last_day);
