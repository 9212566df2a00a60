SELECT count(*) FROM raw.observations WHERE series_id = ?;
