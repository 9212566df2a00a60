-- The divergence measures by month up to the report month.
SELECT
    month,
    price_to_sales,
    ps_zscore,
    coint_gap_eg,
    capex_gap * 100 AS capex_gap_pp,
    required_revenue_gap / 1e9 AS required_revenue_gap_bn,
    revenue_basis,
    revenue_age_days
FROM marts.divergence_monthly
WHERE month <= ? AND month >= DATE '2015-01-01'
ORDER BY month;
