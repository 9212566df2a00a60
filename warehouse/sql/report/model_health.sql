-- The latest fit of each model: its status and how many warnings it raised (the first one shown).
SELECT
    model,
    status,
    data_as_of,
    len(warnings) AS warnings,
    CASE WHEN len(warnings) > 0 THEN left(warnings[1], 120) END AS first_warning
FROM meta.model_runs
QUALIFY row_number() OVER (PARTITION BY model ORDER BY estimated_at DESC) = 1
ORDER BY model;
