-- Append a series' first payload (registered as `incoming`) to raw.observations: with no earlier vintage, every
-- observation is new. Named parameters: $batch_id, $source, $series_id, $retrieved_at, $synthetic.
INSERT INTO raw.observations
SELECT
    $batch_id AS batch_id,
    $source AS source,
    $series_id AS series_id,
    n.entity,
    n.obs_date,
    n.field,
    n.value,
    n.unit,
    n.published_at,
    $retrieved_at AS retrieved_at,
    $synthetic AS synthetic
FROM incoming AS n;
