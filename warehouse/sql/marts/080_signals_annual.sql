-- Annual funding and AI-progress signals (OWID AI investment and AI job share) by entity and year.
CREATE OR REPLACE TABLE marts.signals_annual AS
SELECT
    series_id,
    kind,
    entity,
    year(obs_date) AS year,
    value,
    unit,
    retrieved_at,
    synthetic
FROM staging.stg_series_values
WHERE kind IN ('funding', 'progress') AND frequency = 'annual'
ORDER BY series_id, entity, year;

COMMENT ON TABLE marts.signals_annual IS 'Annual funding and AI-progress signals by entity (country or region) and year, e.g. OWID private AI investment.';
COMMENT ON COLUMN marts.signals_annual.entity IS 'Country or region the value is for.';
COMMENT ON COLUMN marts.signals_annual.value IS 'Value in unit.';
COMMENT ON COLUMN marts.signals_annual.synthetic IS 'True when built from the synthetic sample.';
