-- Segment figures are dated by their release: one figure per segment and fiscal quarter where the source labels
-- the quarter (a label that cannot fit its date is dropped by the adapter and the figure kept at its date), and
-- every figure has a release date.
SELECT series_id, fiscal_year, fiscal_quarter, count(*) AS copies, min(released_at) AS released_at
FROM marts.segment_revenue_quarterly
WHERE fiscal_year IS NOT NULL OR released_at IS NULL
GROUP BY series_id, fiscal_year, fiscal_quarter
HAVING count(*) > 1 OR min(released_at) IS NULL;
