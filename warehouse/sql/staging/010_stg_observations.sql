-- Latest vintage of every observation retrieved by the build's as-of time.
CREATE OR REPLACE VIEW staging.stg_observations AS
WITH visible AS (
    SELECT *
    FROM raw.observations
    WHERE retrieved_at <= (SELECT max(as_of) FROM meta.build_context)
),
ranked AS (
    SELECT
        *,
        row_number() OVER latest AS vintage_rank,
        count(*) OVER (PARTITION BY series_id, entity, obs_date, field) AS vintages
    FROM visible
    WINDOW latest AS (PARTITION BY series_id, entity, obs_date, field ORDER BY retrieved_at DESC, batch_id DESC)
)
SELECT
    series_id,
    entity,
    obs_date,
    field,
    value,
    unit,
    published_at,
    retrieved_at,
    vintages,
    source,
    batch_id,
    synthetic
FROM ranked
WHERE vintage_rank = 1;
