-- Re-running the thesis tests under the same run id replaces that run's thesis record only.
DELETE FROM meta.model_runs WHERE run_id = ? AND model = 'thesis';
