-- Macro controls by month: mean of daily and weekly values, the value itself for monthly or slower series.
CREATE OR REPLACE TABLE marts.macro_monthly AS
SELECT
    series_id,
    date_trunc('month', obs_date)::DATE AS month,
    avg(value ORDER BY obs_date) AS value,  -- ordered: a float sum must not depend on thread scheduling
    count(*) AS n_obs,
    max(obs_date) AS last_obs_date,
    any_value(unit) AS unit,
    any_value(frequency) AS source_frequency,
    max(retrieved_at) AS retrieved_at,
    bool_or(synthetic) AS synthetic
FROM staging.stg_series_values
WHERE kind = 'macro' AND entity = ''
GROUP BY series_id, date_trunc('month', obs_date)
ORDER BY series_id, month;

COMMENT ON TABLE marts.macro_monthly IS 'Macro controls by month (rates, curve, VIX, credit spread, unemployment, ...; total payrolls are a talent target in marts.hiring_monthly): monthly mean of daily or weekly values; quarterly series sit in their first month.';
COMMENT ON COLUMN marts.macro_monthly.month IS 'First day of the month.';
COMMENT ON COLUMN marts.macro_monthly.value IS 'Mean of the month''s observations, in unit.';
COMMENT ON COLUMN marts.macro_monthly.n_obs IS 'Observations averaged.';
COMMENT ON COLUMN marts.macro_monthly.synthetic IS 'True when built from the synthetic sample.';
