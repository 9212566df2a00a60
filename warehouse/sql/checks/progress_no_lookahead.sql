-- No look-ahead in the frontier of technical progress (marts.progress_monthly), recomputed here from staging by
-- another path: each month ended by the date its measure's data were known (its newest vintage's retrieval) and by
-- the build's as-of; the frontier was released by the month's end; METR's frontier reads one benchmark version;
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
recomputed AS (
    SELECT f.measure, f.month, max(o.value) AS best
    FROM frontier AS f
    JOIN fields AS x USING (measure)
    JOIN staging.stg_observations AS o
      ON o.field = x.field AND o.obs_date <= f.month_end AND (x.measure <> 'metr_p50_minutes' OR o.unit = f.unit)
    JOIN meta.series_catalog AS c ON c.series_id = o.series_id AND list_contains(c.roles, 'progress_frontier')
    GROUP BY f.measure, f.month
)
SELECT measure, month, frontier_entity, frontier_release_date, known_by,
       'month not complete when its data were known, or after the as-of' AS problem
FROM frontier
WHERE month_end > known_by OR known_by > (SELECT max(as_of) FROM meta.build_context)::DATE
UNION ALL
SELECT measure, month, frontier_entity, frontier_release_date, known_by, 'frontier released after the month end'
FROM frontier
WHERE frontier_release_date > month_end
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
