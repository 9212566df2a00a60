-- The data checks of the last build.
SELECT check_name, passed, offending_rows
FROM meta.check_results
WHERE run_id = (SELECT arg_max(run_id, checked_at) FROM meta.check_results)
ORDER BY check_name;
