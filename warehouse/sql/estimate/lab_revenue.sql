-- The AI labs' annualised revenue reports (Epoch AI), each with the date it was public.
SELECT company, report_date, published_at, annualised_revenue_usd AS annualised_revenue
FROM marts.ai_lab_revenue
ORDER BY published_at, company;
