-- How far each input of the divergence reaches, up to the report month: the newest date of each.
SELECT 'prices (AI basket)' AS input, max(date) AS data_through
FROM marts.ai_basket_member_daily WHERE date <= ?
UNION ALL
SELECT 'filed quarterly revenue (newest quarter end)', max(fiscal_period_end)
FROM marts.fundamentals_quarterly
WHERE filed_at <= ? AND ticker IN (SELECT DISTINCT ticker FROM marts.ai_basket_member_daily)
UNION ALL
SELECT 'GPU vendor data-centre segment (newest release)', max(released_at)
FROM marts.segment_revenue_quarterly WHERE data_center_segment AND released_at <= ?
UNION ALL
SELECT 'AI labs'' annualised revenue (newest report)', max(report_date)
FROM marts.ai_lab_revenue WHERE published_at <= ?;
