-- The AI basket's own valuation measures by month (marts.divergence_monthly, from 2015), and its market cap
-- against technical progress (marts.capital_progress_monthly: the gap's real-time z-score, from 2019, only in the
-- months the progress index was observed, not carried forward): the thesis tests' robustness check on the recent
-- cycle alone.
SELECT d.month, d.ps_zscore, d.capex_gap,
       CASE WHEN c.progress_age_months = 0 THEN c.gap_zscore_realtime END AS progress_gap_zscore
FROM marts.divergence_monthly AS d
LEFT JOIN marts.capital_progress_monthly AS c ON c.month = d.month
ORDER BY d.month;
