-- The content of each result group's inputs and configuration when it was last computed: a step whose inputs are
-- unchanged reuses its published results instead of fitting again.
CREATE TABLE IF NOT EXISTS meta.result_fingerprints (
    result_group VARCHAR PRIMARY KEY,   -- estimate, forecast
    fingerprint VARCHAR NOT NULL,       -- SHA-256 of the inputs, the configuration and the models' code
    run_id VARCHAR NOT NULL,            -- the run that computed the results
    computed_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE meta.result_fingerprints IS 'Per result group, the fingerprint of the inputs and configuration its published results were computed from';
