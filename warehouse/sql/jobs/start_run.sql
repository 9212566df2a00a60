INSERT INTO meta.runs (run_id, command, catalog, as_of, started_at, status, synthetic) VALUES (?, ?, ?, ?, ?, 'running', ?);
