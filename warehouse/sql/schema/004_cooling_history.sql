-- Every P(cooling) ever published, so the report can say how the forecast changed since last month.
CREATE TABLE IF NOT EXISTS meta.cooling_probability_history (
    run_id        VARCHAR NOT NULL,
    as_of         TIMESTAMP,
    target_series VARCHAR NOT NULL,
    season        VARCHAR NOT NULL,
    model         VARCHAR NOT NULL,
    probability   DOUBLE,
    recorded_at   TIMESTAMP NOT NULL
);
COMMENT ON TABLE meta.cooling_probability_history IS 'Every P(cooling) each run computed (marts.cooling_probability keeps only the latest): the basis of the change since last month.';
