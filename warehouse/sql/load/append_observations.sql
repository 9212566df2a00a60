-- Append a parsed payload (registered as `incoming`) to raw.observations, adding only what is new:
-- an observation never seen, or a value that differs from the latest earlier vintage.
-- Named parameters: $batch_id, $source, $series_id, $retrieved_at, $synthetic.
INSERT INTO raw.observations
WITH prior AS (
    SELECT
        entity,
        obs_date,
        field,
        arg_max(value, retrieved_at) AS value,
        arg_max(unit, retrieved_at) AS unit,
        max(retrieved_at) AS latest
    FROM raw.observations
    WHERE series_id = $series_id AND retrieved_at <= $retrieved_at
    GROUP BY entity, obs_date, field
)
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
FROM incoming AS n
LEFT JOIN prior AS p USING (entity, obs_date, field)
WHERE p.latest IS NULL
   OR (p.latest <> $retrieved_at AND (p.value <> n.value OR p.unit <> n.unit));
