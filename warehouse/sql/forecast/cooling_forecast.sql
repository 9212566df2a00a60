-- Forecast paths of the talent targets with 80% and 95% intervals (from the registered frame cooling_forecast_frame).
CREATE OR REPLACE TABLE marts.cooling_forecast AS
SELECT
    CAST(run_id AS VARCHAR) AS run_id,
    CAST(as_of AS TIMESTAMP) AS as_of,
    CAST(target_series AS VARCHAR) AS target_series,
    CAST(target_month AS DATE) AS target_month,
    CAST(mean AS DOUBLE) AS mean,
    CAST(lo80 AS DOUBLE) AS lo80,
    CAST(hi80 AS DOUBLE) AS hi80,
    CAST(lo95 AS DOUBLE) AS lo95,
    CAST(hi95 AS DOUBLE) AS hi95,
    CAST(model AS VARCHAR) AS model,
    coalesce(CAST(headline AS BOOLEAN), false) AS headline,
    CAST(synthetic AS BOOLEAN) AS synthetic
FROM cooling_forecast_frame
ORDER BY target_series, model, target_month;

COMMENT ON TABLE marts.cooling_forecast IS 'Monthly forecast of each talent target from its last observed month through June of the season year, by model: sarimax (lagged divergence regressors, calendar dummies), nowcast (DynamicFactorMQ), and the baselines random_walk, drift, seasonal_naive. headline marks the model the combination rule chose (docs/forecast.md). Converged models only; see meta.model_runs.';
COMMENT ON COLUMN marts.cooling_forecast.run_id IS 'The run that forecast (meta.model_runs).';
COMMENT ON COLUMN marts.cooling_forecast.as_of IS 'As-of time of the build the forecast read (meta.build_context).';
COMMENT ON COLUMN marts.cooling_forecast.target_series IS 'The talent target (marts.hiring_monthly.series_id).';
COMMENT ON COLUMN marts.cooling_forecast.target_month IS 'First day of the forecast month.';
COMMENT ON COLUMN marts.cooling_forecast.mean IS 'exp of the forecast mean log level, in the target''s unit (the median of the forecast distribution); for a not seasonally adjusted target, with its month-of-year factor added back.';
COMMENT ON COLUMN marts.cooling_forecast.lo80 IS 'Lower bound of the 80% interval, target units.';
COMMENT ON COLUMN marts.cooling_forecast.hi80 IS 'Upper bound of the 80% interval, target units.';
COMMENT ON COLUMN marts.cooling_forecast.lo95 IS 'Lower bound of the 95% interval, target units.';
COMMENT ON COLUMN marts.cooling_forecast.hi95 IS 'Upper bound of the 95% interval, target units.';
COMMENT ON COLUMN marts.cooling_forecast.model IS 'Model name in meta.model_runs, e.g. sarimax:JTU5100JOL, nowcast:JTU5100JOL, random_walk:JTU5100JOL.';
COMMENT ON COLUMN marts.cooling_forecast.headline IS 'True for the path the combination rule chose for the target: the highest mean CRPS skill over horizons 1-9 in the latest backtest, else sarimax.';
COMMENT ON COLUMN marts.cooling_forecast.synthetic IS 'True when built from the synthetic sample.';
