-- Hiring signals by month: the mean of daily or weekly values, or the monthly value itself.
CREATE OR REPLACE TABLE marts.hiring_monthly AS
SELECT
    v.series_id,
    date_trunc('month', v.obs_date)::DATE AS month,
    avg(v.value ORDER BY v.obs_date) AS value,  -- ordered: a float sum must not depend on thread scheduling
    count(*) AS n_obs,
    max(v.obs_date) AS last_obs_date,
    -- A daily month is partial while its last observation is more than 3 days before month end.
    (any_value(v.frequency) IN ('daily', 'weekly')
        AND max(v.obs_date) < last_day(date_trunc('month', v.obs_date)) - INTERVAL 3 DAY) AS partial,
    any_value(v.unit) AS unit,
    any_value(v.frequency) AS source_frequency,
    list_contains(any_value(c.roles), 'talent_target') AS talent_target,
    max(v.retrieved_at) AS retrieved_at,
    bool_or(v.synthetic) AS synthetic
FROM staging.stg_series_values AS v
JOIN meta.series_catalog AS c USING (series_id)
WHERE v.kind = 'hiring' AND v.entity = ''
GROUP BY v.series_id, date_trunc('month', v.obs_date)
ORDER BY series_id, month;

COMMENT ON TABLE marts.hiring_monthly IS 'Hiring signals by month (Indeed postings indexes, JOLTS openings, BLS employment): monthly mean of daily values or the monthly value.';
COMMENT ON COLUMN marts.hiring_monthly.series_id IS 'Series id; see marts.series for its unit and source.';
COMMENT ON COLUMN marts.hiring_monthly.month IS 'First day of the month.';
COMMENT ON COLUMN marts.hiring_monthly.value IS 'Mean of the month''s observations, in unit.';
COMMENT ON COLUMN marts.hiring_monthly.n_obs IS 'Observations averaged.';
COMMENT ON COLUMN marts.hiring_monthly.partial IS 'True for a daily series whose month is not complete yet.';
COMMENT ON COLUMN marts.hiring_monthly.talent_target IS 'True for the series the cooling forecast targets.';
COMMENT ON COLUMN marts.hiring_monthly.synthetic IS 'True when built from the synthetic sample.';
