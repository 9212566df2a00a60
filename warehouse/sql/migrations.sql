CREATE TABLE IF NOT EXISTS meta.schema_migrations (
    version    VARCHAR PRIMARY KEY,
    checksum   VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE meta.schema_migrations IS 'Schema files applied to this database, in order: the schema version is the latest.';
