-- The AI basket's own valuation measures by month (marts.divergence_monthly, from 2015): the thesis tests'
-- robustness check on the recent cycle alone.
SELECT month, ps_zscore, capex_gap
FROM marts.divergence_monthly
ORDER BY month;
