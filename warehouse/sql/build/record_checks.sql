INSERT INTO meta.check_results SELECT * FROM check_rows;
