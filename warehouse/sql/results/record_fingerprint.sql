-- Record the fingerprint of a result group's fresh results.
INSERT OR REPLACE INTO meta.result_fingerprints (result_group, fingerprint, run_id, computed_at) VALUES (?, ?, ?, ?);
