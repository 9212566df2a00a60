-- Re-forecasting under the same run id replaces that run's forecast models only (not the estimate's).
DELETE FROM meta.model_runs
WHERE run_id = ? AND (model LIKE 'sarimax:%' OR model LIKE 'regimes:%' OR model LIKE 'cooling:%');
