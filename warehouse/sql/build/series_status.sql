CREATE OR REPLACE TABLE meta.series_status AS SELECT * FROM status_frame;
COMMENT ON TABLE meta.series_status IS 'Per series at the last build: raw rows, last observation, last retrieval, last ingest attempt and error, and status ok / stale / failed / empty.';
