-- Has this exact payload (same series, same bytes) been loaded before?
SELECT count(*) > 0 FROM meta.load_batches WHERE series_id = ? AND payload_sha256 = ?;
