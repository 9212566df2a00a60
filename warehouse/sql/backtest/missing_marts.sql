-- Marts the backtest reads that are not built yet.
SELECT t
FROM (VALUES ('hiring_monthly'), ('divergence_monthly')) AS v(t)
WHERE t NOT IN (SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts')
ORDER BY t;
