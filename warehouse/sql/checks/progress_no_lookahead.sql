-- No look-ahead in the frontier of technical progress (marts.progress_monthly), recomputed here from staging by
-- another path: each month ended before the date its measure's data were known (its newest vintage's retrieval,
-- recomputed from staging for the single-field measures) and by the build's as-of; the frontier was released by
-- the month's end, as staging dates it; METR's frontier reads one benchmark version and a leaderboard's one unit;
-- the frontier never falls; and for the single-field measures it equals the best value staging holds among the
-- results released by the month's end (nothing later, nothing missed).
WITH frontier AS (
    SELECT *, lag(frontier_value) OVER (PARTITION BY measure ORDER BY month) AS previous
    FROM marts.progress_monthly
),
fields AS (
    SELECT * FROM (VALUES ('eci', 'eci'), ('metr_p50_minutes', 'p50_minutes'), ('swe_bench_verified_pct', 'resolved_pct'),
                          ('training_compute_flop', 'training_compute_flop')) AS t(measure, field)
),
known AS (  -- when each single-field measure's data were known, from staging: its newest vintage, or the as-of
    SELECT x.measure, least(max(o.retrieved_at), (SELECT max(as_of) FROM meta.build_context))::DATE AS known_by
    FROM fields AS x
    JOIN staging.stg_observations AS o ON o.field = x.field
    JOIN meta.series_catalog AS c ON c.series_id = o.series_id AND list_contains(c.roles, 'progress_frontier')
    GROUP BY x.measure
),
released AS (  -- the release date of every result staging holds, to check each frontier's by another path
    SELECT x.measure, o.entity, o.obs_date
    FROM fields AS x
    JOIN staging.stg_observations AS o ON o.field = x.field
    JOIN meta.series_catalog AS c ON c.series_id = o.series_id AND list_contains(c.roles, 'progress_frontier')
),
recomputed AS (
    SELECT f.measure, f.month, max(o.value) AS best
    FROM frontier AS f
    JOIN fields AS x USING (measure)
    JOIN staging.stg_observations AS o
      ON o.field = x.field AND o.obs_date <= f.month_end AND (x.measure <> 'metr_p50_minutes' OR o.unit = f.unit)
    JOIN meta.series_catalog AS c ON c.series_id = o.series_id AND list_contains(c.roles, 'progress_frontier')
    GROUP BY f.measure, f.month
)
SELECT f.measure, f.month, f.frontier_entity, f.frontier_release_date, f.known_by,
       'month not complete when its data were known, or after the as-of' AS problem
FROM frontier AS f
LEFT JOIN known AS k USING (measure)
WHERE f.month_end >= coalesce(k.known_by, f.known_by) OR f.month_end >= f.known_by
   OR f.known_by > (SELECT max(as_of) FROM meta.build_context)::DATE
UNION ALL
SELECT f.measure, f.month, f.frontier_entity, f.frontier_release_date, f.known_by,
       'frontier released after the month end, or not released when the mart says'
FROM frontier AS f
WHERE f.frontier_release_date > f.month_end
   OR (f.measure IN (SELECT measure FROM fields)
       AND NOT EXISTS (SELECT 1 FROM released AS r WHERE r.measure = f.measure AND r.entity = f.frontier_entity
                                                     AND r.obs_date = f.frontier_release_date))
UNION ALL
SELECT measure, NULL, NULL, NULL, NULL, 'more than one unit in one leaderboard''s frontier'
FROM frontier
WHERE measure LIKE 'hub:%' OR measure LIKE 'ext:%'
GROUP BY measure
HAVING count(DISTINCT unit) > 1
UNION ALL
SELECT measure, NULL, NULL, NULL, NULL, 'more than one METR version in one build'
FROM frontier
WHERE measure = 'metr_p50_minutes'
GROUP BY measure
HAVING count(DISTINCT unit) > 1
UNION ALL
SELECT measure, month, frontier_entity, frontier_release_date, known_by, 'the frontier fell'
FROM frontier
WHERE frontier_value < previous
UNION ALL
SELECT f.measure, f.month, f.frontier_entity, f.frontier_release_date, f.known_by,
       'the frontier is not the best result staging holds among the releases by the month end'
FROM frontier AS f
JOIN recomputed AS r USING (measure, month)
WHERE abs(f.frontier_value - r.best) > 1e-9 * greatest(abs(r.best), 1);
