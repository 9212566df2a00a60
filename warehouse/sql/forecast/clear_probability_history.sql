-- A rerun with the same run id replaces its own history rows.
DELETE FROM meta.cooling_probability_history WHERE run_id = ?;
