-- Index-valued hiring series (Indeed: 100 = 1 Feb 2020; JOLTS: 100 = Dec 2000) stay within a sane range.
SELECT series_id, month, value, unit
FROM marts.hiring_monthly
WHERE unit LIKE 'index%' AND (value <= 1 OR value >= 1000 OR isnan(value));
