-- One model's record of a run (meta.model_runs): its status, diagnostics (JSON) and warnings.
SELECT status, diagnostics, warnings, synthetic FROM meta.model_runs WHERE run_id = ? AND model = ?;
