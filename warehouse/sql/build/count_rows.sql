SELECT count(*) FROM query_table(?);
