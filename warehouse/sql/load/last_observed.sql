-- The last observation date per series and field: where incremental pulls resume.
SELECT series_id, field, max(obs_date) FROM raw.observations GROUP BY series_id, field;
