-- The divergence measures that lead the targets, by month (marts.divergence_monthly).
SELECT month, ps_zscore, coint_gap_eg_realtime, capex_gap, synthetic
FROM marts.divergence_monthly
ORDER BY month;
