-- The talent targets by month, up to the report month.
SELECT h.series_id, coalesce(nullif(s.name, ''), h.series_id) AS name, h.month, h.value, h.unit, h.partial
FROM marts.hiring_monthly AS h
JOIN marts.series AS s USING (series_id)
WHERE h.talent_target AND h.month <= ? AND h.month >= DATE '2015-01-01'
ORDER BY h.series_id, h.month;
