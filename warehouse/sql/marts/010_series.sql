-- The series dimension: what each series is and what role it plays.
CREATE OR REPLACE TABLE marts.series AS
WITH observed AS (
    SELECT series_id, min(obs_date) AS first_date, max(obs_date) AS last_date, count(*) AS observations
    FROM staging.stg_observations
    GROUP BY series_id
    UNION ALL
    SELECT series_id, min(event_date), max(event_date), count(*)
    FROM staging.stg_layoff_events
    GROUP BY series_id
)
SELECT
    c.series_id,
    c.ticker,
    c.name,
    c.kind,
    c.frequency,
    c.unit,
    c.roles,
    c.adapter,
    c.catalog,
    c.description,
    o.first_date,
    o.last_date,
    coalesce(o.observations, 0) AS observations,
    c.synthetic
FROM meta.series_catalog AS c
LEFT JOIN observed AS o USING (series_id)
ORDER BY c.kind, c.series_id;

COMMENT ON TABLE marts.series IS 'One row per series in the catalog: kind, unit, roles, source adapter and the span of data built.';
COMMENT ON COLUMN marts.series.series_id IS 'Series id as in the catalog (a ticker for prices and fundamentals, a FRED id, ...).';
COMMENT ON COLUMN marts.series.kind IS 'price, fundamentals, hiring, macro, funding, layoffs or progress.';
COMMENT ON COLUMN marts.series.frequency IS 'Native frequency: daily, weekly, monthly, quarterly, annual or event.';
COMMENT ON COLUMN marts.series.unit IS 'Unit of the values (currency code, percent, index with its base, thousands of persons, ...).';
COMMENT ON COLUMN marts.series.roles IS 'Roles: ai_basket, hyperscaler, benchmark, control, talent_target, ai_lab_revenue, ai_lab_funding.';
COMMENT ON COLUMN marts.series.observations IS 'Observations (latest vintage) or events in this build.';
COMMENT ON COLUMN marts.series.synthetic IS 'True when the series comes from the synthetic sample, not real data.';
