-- Every published table of marts and meta with its comment, for the dashboard's table list.
SELECT
    schema_name,
    table_name,
    schema_name || '.' || table_name AS name,
    comment
FROM duckdb_tables()
WHERE database_name = current_database()
  AND schema_name IN ('marts', 'meta')
  AND NOT temporary
ORDER BY schema_name, table_name;
