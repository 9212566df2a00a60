-- The fingerprint and run of a result group's published results.
SELECT fingerprint, run_id FROM meta.result_fingerprints WHERE result_group = ?;
