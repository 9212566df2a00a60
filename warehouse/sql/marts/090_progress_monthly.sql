-- Frontier of technical progress, month by month: for each capability measure, the best result among the models
-- (or chips) released by the month's end, as known at the build's as-of (staging's vintages), from the month of its
-- first release to the month of its last (complete months only: ended by the build's as-of and by the retrieval of
-- the measure's newest vintage). Series with the role progress_frontier feed it:
--   eci                    Epoch Capabilities Index (field eci), ECI points, a level scale
--   metr_p50_minutes       METR 50% time horizon (field p50_minutes, with p50_low / p50_high), minutes, log scale;
--                          the newest METR-Horizon version known at the as-of, whole (its rows carry it in unit)
--   swe_bench_verified_pct SWE-bench Verified, % of tasks resolved (field resolved_pct), a level scale (a share)
--   training_compute_flop  training compute of notable models (field training_compute_flop), FLOP, log scale
--   gpu_flops_per_usd      FP16/BF16 FLOP/s per release-price dollar of ML chips (fp16_flops / release_price_usd)
--   owid:<domain>          OWID test scores relative to humans (0 = human), a level scale, dated at each year's end
--   owid_gflops_per_usd    OWID / Epoch price of computing, inverted: GFLOP/s per dollar, log scale
--   hub:<task>, ext:<name> Epoch Benchmarking Hub runs and curated external leaderboards (SOTA per benchmark), each
--                          result placed at its model version's release date (field released), else its own date
CREATE OR REPLACE TABLE marts.progress_monthly AS
WITH frontier_series AS (
    SELECT series_id FROM meta.series_catalog WHERE list_contains(roles, 'progress_frontier')
),
obs AS (
    SELECT o.* FROM staging.stg_observations AS o JOIN frontier_series USING (series_id)
),
released AS (  -- model versions' release dates (Epoch AI Benchmarking Hub), which place the hub's results
    SELECT entity, min(obs_date) AS released FROM obs WHERE field = 'released' GROUP BY entity
),
leaderboard_unit AS (  -- one scale per hub or external benchmark: the unit of its newest vintage
    SELECT series_id, field, arg_max(unit, retrieved_at) AS unit
    FROM obs WHERE field LIKE 'hub:%' OR field LIKE 'ext:%' GROUP BY series_id, field
),
metr_version AS (
    SELECT series_id, arg_max(unit, retrieved_at) AS unit FROM obs WHERE field = 'p50_minutes' GROUP BY series_id
),
points AS (  -- every result: its measure, value, the date that places it, and the vintage it comes from
    SELECT 'eci' AS measure, 'level' AS scale, series_id, entity, obs_date, value, NULL::DOUBLE AS low,
           NULL::DOUBLE AS high, unit, retrieved_at, synthetic
    FROM obs WHERE field = 'eci'
    UNION ALL
    SELECT 'metr_p50_minutes', 'log', p.series_id, p.entity, p.obs_date, p.value, lo.value, hi.value, p.unit,
           p.retrieved_at, p.synthetic
    FROM obs AS p
    JOIN metr_version AS v ON v.series_id = p.series_id AND v.unit = p.unit
    LEFT JOIN obs AS lo ON lo.series_id = p.series_id AND lo.entity = p.entity AND lo.obs_date = p.obs_date
                       AND lo.field = 'p50_low' AND lo.unit = p.unit
    LEFT JOIN obs AS hi ON hi.series_id = p.series_id AND hi.entity = p.entity AND hi.obs_date = p.obs_date
                       AND hi.field = 'p50_high' AND hi.unit = p.unit
    WHERE p.field = 'p50_minutes'
    UNION ALL
    SELECT 'swe_bench_verified_pct', 'level', series_id, entity, obs_date, value, NULL, NULL, unit, retrieved_at,
           synthetic
    FROM obs WHERE field = 'resolved_pct'
    UNION ALL
    SELECT o.field, 'level', o.series_id, o.entity, coalesce(r.released, o.obs_date), o.value, NULL, NULL, o.unit,
           o.retrieved_at, o.synthetic
    FROM obs AS o
    JOIN leaderboard_unit AS u ON u.series_id = o.series_id AND u.field = o.field AND u.unit = o.unit
    LEFT JOIN released AS r USING (entity)
    WHERE o.field LIKE 'hub:%' OR o.field LIKE 'ext:%'
    UNION ALL
    SELECT o.field, 'level', o.series_id, '', o.obs_date, o.value, NULL, NULL, o.unit, o.retrieved_at, o.synthetic
    FROM obs AS o WHERE o.field LIKE 'owid:%'
    UNION ALL
    SELECT 'owid_gflops_per_usd', 'log', series_id, entity, obs_date, 1.0 / value, NULL, NULL, 'GFLOP/s per USD',
           retrieved_at, synthetic
    FROM obs WHERE field = 'usd_per_gflops' AND value > 0
    UNION ALL
    SELECT 'training_compute_flop', 'log', series_id, entity, obs_date, value, NULL, NULL, 'FLOP', retrieved_at,
           synthetic
    FROM obs WHERE field = 'training_compute_flop' AND value > 0
    UNION ALL
    SELECT 'gpu_flops_per_usd', 'log', f.series_id, f.entity, f.obs_date, f.value / p.value, NULL, NULL,
           'FLOP/s per USD', greatest(f.retrieved_at, p.retrieved_at), f.synthetic OR p.synthetic
    FROM obs AS f
    JOIN obs AS p ON p.series_id = f.series_id AND p.entity = f.entity AND p.obs_date = f.obs_date
                 AND p.field = 'release_price_usd'
    WHERE f.field = 'fp16_flops' AND f.value > 0 AND p.value > 0
),
bounds AS (
    -- From the first release month to the last, but only months complete when the measure's newest vintage was
    -- retrieved (a file retrieved on 2025-12-10 cannot know December's releases) and by the build's as-of.
    SELECT measure, date_trunc('month', min(obs_date))::DATE AS first_month,
           date_trunc('month', max(obs_date))::DATE AS last_month,
           least(max(retrieved_at), (SELECT max(as_of) FROM meta.build_context))::DATE AS known_by
    FROM points GROUP BY measure
),
months AS (
    SELECT b.measure, m.month::DATE AS month, last_day(m.month)::DATE AS month_end, b.known_by
    FROM bounds AS b,
         LATERAL (SELECT unnest(generate_series(b.first_month::TIMESTAMP, b.last_month::TIMESTAMP,
                                                INTERVAL 1 MONTH)) AS month) AS m
    WHERE last_day(m.month)::DATE < b.known_by  -- retrieved on a month's last day, that day could still add more
),
best AS (
    SELECT m.measure, m.month, m.month_end, m.known_by, p.scale, p.value, p.low, p.high, p.unit, p.entity,
           p.obs_date, p.series_id, p.synthetic,
           count(*) OVER (PARTITION BY m.measure, m.month) AS releases_to_date,
           bool_or(p.synthetic) OVER (PARTITION BY m.measure, m.month) AS any_synthetic
    FROM months AS m
    JOIN points AS p ON p.measure = m.measure AND p.obs_date <= m.month_end
    QUALIFY row_number() OVER (PARTITION BY m.measure, m.month ORDER BY p.value DESC, p.obs_date, p.entity) = 1
),
levels AS (
    SELECT *,
           CASE WHEN scale = 'log' THEN ln(value) ELSE value END AS frontier_level,
           (year(month) * 12 + month(month)) AS month_index,
           value > coalesce(lag(value) OVER w, -1e308) AS new_frontier
    FROM best
    WINDOW w AS (PARTITION BY measure ORDER BY month)
),
trends AS (
    SELECT *,
           frontier_level - lag(frontier_level, 12) OVER w AS change_12m,
           regr_slope(frontier_level, month_index) OVER w24 AS slope_24m,
           count(*) OVER w24 AS months_24m,
           max(CASE WHEN new_frontier THEN month END) OVER (PARTITION BY measure ORDER BY month
                                                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
               AS last_new_frontier_month
    FROM levels
    WINDOW w AS (PARTITION BY measure ORDER BY month),
           w24 AS (PARTITION BY measure ORDER BY month ROWS BETWEEN 23 PRECEDING AND CURRENT ROW)
)
SELECT
    measure,
    month,
    month_end,
    value AS frontier_value,
    low AS frontier_low,
    high AS frontier_high,
    unit,
    scale,
    entity AS frontier_entity,
    obs_date AS frontier_release_date,
    frontier_level,
    change_12m,
    CASE WHEN months_24m = 24 THEN slope_24m * 12 END AS trend_24m_per_year,
    CASE WHEN months_24m = 24 AND scale = 'log' AND slope_24m > 0 THEN ln(2) / slope_24m END
        AS doubling_time_24m_months,
    new_frontier,
    last_new_frontier_month,
    datediff('month', last_new_frontier_month, month)::INTEGER AS months_since_new_frontier,
    releases_to_date,
    known_by,
    series_id,
    any_synthetic AS synthetic
FROM trends
ORDER BY measure, month;

COMMENT ON TABLE marts.progress_monthly IS 'Frontier of each technical-progress measure by month: the best result released by the month''s end, as known at the build''s as-of (vintages), from its first release month to its last; its growth and the month it last moved.';
COMMENT ON COLUMN marts.progress_monthly.measure IS 'eci (Epoch Capabilities Index), metr_p50_minutes (METR 50% time horizon), swe_bench_verified_pct (SWE-bench Verified, % resolved), training_compute_flop (notable models), gpu_flops_per_usd (ML chips: FP16 FLOP/s per release-price USD); hub:<task> and ext:<benchmark> (Epoch Benchmarking Hub SOTA per benchmark, placed by model release date); owid:<domain> (OWID scores relative to humans) and owid_gflops_per_usd (OWID price of computing, inverted).';
COMMENT ON COLUMN marts.progress_monthly.month IS 'First day of the month.';
COMMENT ON COLUMN marts.progress_monthly.frontier_value IS 'Best result among releases up to the month''s end, in unit.';
COMMENT ON COLUMN marts.progress_monthly.frontier_low IS 'Lower end of the frontier result''s 95% interval where the source gives one (METR), else NULL.';
COMMENT ON COLUMN marts.progress_monthly.frontier_high IS 'Upper end of the frontier result''s 95% interval where the source gives one (METR), else NULL.';
COMMENT ON COLUMN marts.progress_monthly.unit IS 'Unit of frontier_value; for METR also the benchmark version read (the newest known at the as-of).';
COMMENT ON COLUMN marts.progress_monthly.scale IS 'log when growth is measured in log points (ratios), level for a score or share (ECI, SWE-bench).';
COMMENT ON COLUMN marts.progress_monthly.frontier_entity IS 'The model or chip holding the frontier.';
COMMENT ON COLUMN marts.progress_monthly.frontier_release_date IS 'Release date of the frontier model or chip.';
COMMENT ON COLUMN marts.progress_monthly.frontier_level IS 'ln(frontier_value) for log-scale measures, frontier_value for ECI and SWE-bench: what growth and the progress index read.';
COMMENT ON COLUMN marts.progress_monthly.change_12m IS 'Change of frontier_level over 12 months (log points; ECI points or percentage points for level measures).';
COMMENT ON COLUMN marts.progress_monthly.trend_24m_per_year IS 'OLS slope of frontier_level on time over the trailing 24 months, per year (log points, or ECI points); NULL before 24 months.';
COMMENT ON COLUMN marts.progress_monthly.doubling_time_24m_months IS 'ln 2 over the trailing-24-month slope: months for the frontier to double (log-scale measures, rising frontier only).';
COMMENT ON COLUMN marts.progress_monthly.new_frontier IS 'True when a release this month moved the frontier.';
COMMENT ON COLUMN marts.progress_monthly.last_new_frontier_month IS 'The latest month up to this one in which the frontier moved.';
COMMENT ON COLUMN marts.progress_monthly.months_since_new_frontier IS 'Months since the frontier last moved (0 when it moved this month): a frontier that has not moved is visible.';
COMMENT ON COLUMN marts.progress_monthly.releases_to_date IS 'Results released by the month''s end (models or chips measured).';
COMMENT ON COLUMN marts.progress_monthly.known_by IS 'The date through which the measure''s data are known: the retrieval of its newest vintage, or the build''s as-of if earlier; only months ended before then appear.';
COMMENT ON COLUMN marts.progress_monthly.series_id IS 'Catalog series of the frontier result.';
COMMENT ON COLUMN marts.progress_monthly.synthetic IS 'True when any result read is synthetic.';
