-- Every attempt to send a month's report: sent once unless forced; a failure is kept for `gapcast status`.
CREATE TABLE IF NOT EXISTS meta.report_deliveries (
    month       VARCHAR NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    status      VARCHAR NOT NULL,
    recipients  VARCHAR NOT NULL,
    message_id  VARCHAR,
    attempts    INTEGER NOT NULL,
    forced      BOOLEAN NOT NULL,
    error       VARCHAR
);
COMMENT ON TABLE meta.report_deliveries IS 'Each attempt to email a monthly report: sent or failed (with the reason), and whether it was forced.';
