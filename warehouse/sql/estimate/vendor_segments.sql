-- The GPU vendor's data-centre segment by quarter, with the date each figure was released.
SELECT segment, fiscal_year, fiscal_quarter, released_at, release_imputed, segment_revenue_usd AS segment_revenue
FROM marts.segment_revenue_quarterly
WHERE ticker = ? AND data_center_segment AND segment_revenue_usd IS NOT NULL
ORDER BY released_at, fiscal_year, fiscal_quarter;
