-- The two cycles side by side: the long tech basket's gap and USINFO's 12-month growth (percent), 1995 to the
-- report month; and USINFO's local projection on the gap (h = 1-24, with its 90% band).
SELECT b.month, b.price_to_sales, b.ps_zscore, b.in_bubble_episode,
       100 * (ln(h.value) - ln(lag(h.value, 12) OVER (ORDER BY h.month))) AS usinfo_growth_12m
FROM marts.tech_basket_monthly AS b
LEFT JOIN marts.hiring_monthly AS h ON h.month = b.month AND h.series_id = 'USINFO'
WHERE b.month >= DATE '1994-01-01' AND b.month <= ?
ORDER BY b.month;
