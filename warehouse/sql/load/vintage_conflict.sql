-- Another payload already loaded for this series and place with the same retrieval time but other bytes?
SELECT count(*) > 0 FROM meta.load_batches
WHERE series_id = ? AND origin = ? AND retrieved_at = ? AND payload_sha256 <> ?;
