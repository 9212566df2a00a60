-- The four layers and the tables the pipeline appends to. Applied once; recorded in meta.schema_migrations.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS meta;

CREATE TABLE IF NOT EXISTS meta.warehouse (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
COMMENT ON TABLE meta.warehouse IS 'Facts about this warehouse, e.g. whether it holds synthetic sample data.';

CREATE TABLE IF NOT EXISTS meta.series_catalog (
    series_id   VARCHAR PRIMARY KEY,
    ticker      VARCHAR NOT NULL,
    catalog     VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    adapter     VARCHAR NOT NULL,
    frequency   VARCHAR NOT NULL,
    unit        VARCHAR NOT NULL,
    roles       VARCHAR[] NOT NULL,
    name        VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    synthetic   BOOLEAN NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
COMMENT ON TABLE meta.series_catalog IS 'Every series a catalog declared: kind, adapter, unit and roles (ai_basket, hyperscaler, benchmark, control, talent_target).';

CREATE TABLE IF NOT EXISTS meta.load_batches (
    batch_id       VARCHAR PRIMARY KEY,
    run_id         VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    series_id      VARCHAR NOT NULL,
    origin         VARCHAR NOT NULL,
    payload_sha256 VARCHAR NOT NULL,
    record_type    VARCHAR NOT NULL,
    retrieved_at   TIMESTAMP NOT NULL,
    loaded_at      TIMESTAMP NOT NULL,
    rows_parsed    BIGINT NOT NULL,
    rows_added     BIGINT NOT NULL,
    rows_rejected  BIGINT NOT NULL,
    rows_missing   BIGINT NOT NULL,
    synthetic      BOOLEAN NOT NULL
);
COMMENT ON TABLE meta.load_batches IS 'One row per payload appended to raw: where it came from, its SHA-256, when it was retrieved, rows added.';

CREATE TABLE IF NOT EXISTS meta.rejected_rows (
    batch_id     VARCHAR NOT NULL,
    series_id    VARCHAR NOT NULL,
    origin       VARCHAR NOT NULL,
    line         BIGINT NOT NULL,
    reason       VARCHAR NOT NULL,
    content      VARCHAR NOT NULL,
    retrieved_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE meta.rejected_rows IS 'Rows a lenient adapter (bad_rows = quarantine) set aside instead of loading, with the reason.';

CREATE TABLE IF NOT EXISTS meta.ingest_attempts (
    run_id       VARCHAR NOT NULL,
    series_id    VARCHAR NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    status       VARCHAR NOT NULL,
    payloads     INTEGER NOT NULL,
    rows_added   BIGINT NOT NULL,
    error        VARCHAR
);
COMMENT ON TABLE meta.ingest_attempts IS 'Every attempt to ingest a series: ok, unchanged or failed, with the error.';

CREATE TABLE IF NOT EXISTS meta.runs (
    run_id      VARCHAR PRIMARY KEY,
    command     VARCHAR NOT NULL,
    catalog     VARCHAR,
    as_of       TIMESTAMP,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status      VARCHAR NOT NULL,
    synthetic   BOOLEAN,
    rows_added  BIGINT,
    message     VARCHAR
);
COMMENT ON TABLE meta.runs IS 'Every gapcast ingest, build and run: when, on which catalog, as of when, and how it ended.';

CREATE TABLE IF NOT EXISTS meta.check_results (
    run_id         VARCHAR NOT NULL,
    check_name     VARCHAR NOT NULL,
    checked_at     TIMESTAMP NOT NULL,
    passed         BOOLEAN NOT NULL,
    offending_rows BIGINT NOT NULL,
    sample         VARCHAR
);
COMMENT ON TABLE meta.check_results IS 'Results of the data checks of each build; a check passes when its query returns no rows.';

CREATE TABLE IF NOT EXISTS meta.build_context (
    as_of    TIMESTAMP NOT NULL,
    built_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE meta.build_context IS 'The as-of time of the current build: staging shows only payloads retrieved by then.';

CREATE TABLE IF NOT EXISTS raw.observations (
    batch_id     VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    series_id    VARCHAR NOT NULL,
    entity       VARCHAR NOT NULL,
    obs_date     DATE NOT NULL,
    field        VARCHAR NOT NULL,
    value        DOUBLE NOT NULL,
    unit         VARCHAR NOT NULL,
    published_at DATE,
    retrieved_at TIMESTAMP NOT NULL,
    synthetic    BOOLEAN NOT NULL
);
COMMENT ON TABLE raw.observations IS 'Append-only: every value a source returned, one row per series, entity, date, field and vintage (retrieved_at).';

CREATE TABLE IF NOT EXISTS raw.layoff_events (
    batch_id          VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    series_id         VARCHAR NOT NULL,
    retrieved_at      TIMESTAMP NOT NULL,
    synthetic         BOOLEAN NOT NULL,
    row_number        BIGINT NOT NULL,
    company           VARCHAR NOT NULL,
    location          VARCHAR,
    country           VARCHAR,
    industry          VARCHAR,
    stage             VARCHAR,
    event_date        DATE NOT NULL,
    laid_off          DOUBLE,
    pct_laid_off      DOUBLE,
    funds_raised_musd DOUBLE,
    source_url        VARCHAR
);
COMMENT ON TABLE raw.layoff_events IS 'Append-only: each changed layoffs payload in full, one row per reported layoff event.';
