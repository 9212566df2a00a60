-- Append this run's thesis record (from the registered frame model_run_rows).
INSERT INTO meta.model_runs (run_id, model, data_as_of, estimated_at, status, parameters, diagnostics, warnings, synthetic)
SELECT
    run_id, model, CAST(data_as_of AS TIMESTAMP), CAST(estimated_at AS TIMESTAMP), status,
    parameters, diagnostics, CAST(warnings AS VARCHAR[]), CAST(synthetic AS BOOLEAN)
FROM model_run_rows;
