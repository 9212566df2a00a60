-- Does raw already hold a payload of this series retrieved no later than this one (an earlier vintage to compare)?
SELECT count(*) > 0 FROM meta.load_batches WHERE series_id = ? AND record_type = 'observations' AND retrieved_at <= ?;
