-- Re-running the backtest under the same run id replaces that run's backtest row.
DELETE FROM meta.model_runs WHERE run_id = ? AND model = 'backtest';
