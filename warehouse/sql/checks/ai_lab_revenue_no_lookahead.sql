-- marts.ai_lab_revenue_monthly uses no figure published (or dated) after its month's end: every company row is a
-- report of marts.ai_lab_revenue published by then, labs_total adds up the company rows, each key appears once.
WITH monthly AS (
    SELECT * FROM marts.ai_lab_revenue_monthly
),
company_rows AS (
    SELECT * FROM monthly WHERE company <> 'labs_total'
),
totals AS (
    SELECT month, sum(annualised_revenue_usd) AS revenue, count(*) AS companies
    FROM company_rows
    GROUP BY month
)
SELECT month, company, report_date, published_at, 'figure published or dated after the month end' AS problem
FROM monthly
WHERE published_at > month_end OR report_date > month_end
UNION ALL
SELECT m.month, m.company, m.report_date, m.published_at, 'no such report published by the month end'
FROM company_rows AS m
WHERE NOT EXISTS (
    SELECT 1 FROM marts.ai_lab_revenue AS r
    WHERE r.company = m.company AND r.report_date = m.report_date
      AND r.annualised_revenue_usd = m.annualised_revenue_usd AND r.published_at <= m.month_end
)
UNION ALL
SELECT m.month, m.company, m.report_date, m.published_at, 'labs_total is not the sum of the company rows'
FROM monthly AS m
LEFT JOIN totals AS t USING (month)
WHERE m.company = 'labs_total'
  AND (t.month IS NULL OR m.companies <> t.companies
       OR abs(m.annualised_revenue_usd - t.revenue) > 1e-6 * greatest(abs(t.revenue), 1))
UNION ALL
SELECT month, company, NULL, NULL, 'more than one row for the month and company'
FROM monthly
GROUP BY month, company
HAVING count(*) > 1;
