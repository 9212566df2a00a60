SELECT count(*) FROM raw.layoff_events WHERE series_id = ?;
