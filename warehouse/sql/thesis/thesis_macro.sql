-- The thesis tests' controls by month: unemployment and the Treasury yields of the term spread (or FRED's spread).
SELECT series_id, month, value
FROM marts.macro_monthly
WHERE series_id IN ('UNRATE', '^TNX', '^IRX', 'T10Y3M')
ORDER BY series_id, month;
