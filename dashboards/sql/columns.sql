-- Every published column with its type and comment: the data dictionary.
SELECT
    schema_name,
    table_name,
    column_name,
    data_type,
    comment
FROM duckdb_columns()
WHERE database_name = current_database()
  AND schema_name IN ('marts', 'meta')
ORDER BY schema_name, table_name, column_index;
