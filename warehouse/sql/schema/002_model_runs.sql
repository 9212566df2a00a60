-- Every estimation gapcast runs: one row per model per run, with what it was given and what it found.
CREATE TABLE IF NOT EXISTS meta.model_runs (
    run_id       VARCHAR NOT NULL,
    model        VARCHAR NOT NULL,
    data_as_of   TIMESTAMP,
    estimated_at TIMESTAMP NOT NULL,
    status       VARCHAR NOT NULL,
    parameters   VARCHAR NOT NULL,
    diagnostics  VARCHAR NOT NULL,
    warnings     VARCHAR[] NOT NULL,
    synthetic    BOOLEAN,
    PRIMARY KEY (run_id, model)
);
COMMENT ON TABLE meta.model_runs IS 'One row per model per gapcast estimate run: parameters and assumptions (with sources), diagnostics, and every warning raised (never swallowed).';
COMMENT ON COLUMN meta.model_runs.run_id IS 'The gapcast run that estimated (meta.runs.run_id).';
COMMENT ON COLUMN meta.model_runs.model IS 'basket, zscore, cointegration, capex_gap, required_revenue or bubbles.';
COMMENT ON COLUMN meta.model_runs.data_as_of IS 'As-of time of the build the model read (meta.build_context.as_of): what had been retrieved by then.';
COMMENT ON COLUMN meta.model_runs.estimated_at IS 'When the estimate ran (UTC).';
COMMENT ON COLUMN meta.model_runs.status IS 'ok, or skipped when the marts held too little data (the warnings say why).';
COMMENT ON COLUMN meta.model_runs.parameters IS 'JSON: settings and assumptions, each assumption with its value, unit and source (catalogs/assumptions.toml).';
COMMENT ON COLUMN meta.model_runs.diagnostics IS 'JSON: test statistics, p-values, estimated coefficients, sample spans, critical-value provenance.';
COMMENT ON COLUMN meta.model_runs.warnings IS 'Convergence, estimation and specification warnings raised by the model, verbatim with their category.';
COMMENT ON COLUMN meta.model_runs.synthetic IS 'True when the model read data built from the synthetic sample.';
