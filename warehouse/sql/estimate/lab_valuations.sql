-- The AI labs' summed post-money valuations by month (marts.ai_lab_valuation_monthly, labs_total), for capital
-- against progress.
SELECT month, valuation_post_usd, companies
FROM marts.ai_lab_valuation_monthly
WHERE company = 'labs_total'
ORDER BY month;
