-- Re-estimating under the same run id replaces that run's rows.
DELETE FROM meta.model_runs WHERE run_id = ?;
