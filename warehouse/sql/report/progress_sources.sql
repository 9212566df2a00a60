-- Each frontier measure behind the progress index, with its catalog series, the last month it reached and the
-- frontier then (the source line of the capital-against-progress chart).
SELECT
    p.measure,
    any_value(c.name) AS series_name,
    any_value(p.series_id) AS series_id,
    max(p.month) AS last_month,
    arg_max(p.frontier_value, p.month) AS frontier_value,
    arg_max(p.unit, p.month) AS unit,
    arg_max(p.frontier_entity, p.month) AS frontier_entity
FROM marts.progress_monthly AS p
LEFT JOIN marts.series AS c ON c.series_id = p.series_id
WHERE p.measure IN ('eci', 'metr_p50_minutes', 'swe_bench_verified_pct', 'training_compute_flop',
                    'gpu_flops_per_usd')
GROUP BY p.measure
ORDER BY p.measure;
