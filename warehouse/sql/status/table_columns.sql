-- The columns of one table (schema, table).
SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?;
