-- Exact row counts of every mart, for the run summary.
SELECT table_name, estimated_size FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'marts'
ORDER BY table_name;
