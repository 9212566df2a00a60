-- Segment figures are dated by their release: one figure per segment and fiscal quarter, released in order.
SELECT series_id, fiscal_year, fiscal_quarter, count(*) AS copies, min(released_at) AS released_at
FROM marts.segment_revenue_quarterly
GROUP BY series_id, fiscal_year, fiscal_quarter
HAVING count(*) > 1 OR min(released_at) IS NULL;
