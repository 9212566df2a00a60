-- Every backtest forecast with what happened (from the registered frame backtest_forecasts_frame).
CREATE OR REPLACE TABLE marts.backtest_forecasts AS
SELECT
    CAST(run_id AS VARCHAR) AS run_id,
    CAST(kind AS VARCHAR) AS kind,
    CAST(target_series AS VARCHAR) AS target_series,
    CAST(origin AS DATE) AS origin,
    CAST(model AS VARCHAR) AS model,
    CAST(horizon AS INTEGER) AS horizon,
    CAST(target_month AS DATE) AS target_month,
    CAST(mean AS DOUBLE) AS mean,
    CAST(lo80 AS DOUBLE) AS lo80,
    CAST(hi80 AS DOUBLE) AS hi80,
    CAST(lo95 AS DOUBLE) AS lo95,
    CAST(hi95 AS DOUBLE) AS hi95,
    CAST(actual AS DOUBLE) AS actual,
    CAST(season AS VARCHAR) AS season,
    CAST(lead_months AS INTEGER) AS lead_months,
    CAST(probability AS DOUBLE) AS probability,
    CAST(cooled AS BOOLEAN) AS cooled,
    CAST(vintage AS TIMESTAMP) AS vintage,
    CAST(real_time AS BOOLEAN) AS real_time,
    CAST(synthetic AS BOOLEAN) AS synthetic
FROM backtest_forecasts_frame
ORDER BY target_series, kind, model, origin, horizon;

COMMENT ON TABLE marts.backtest_forecasts IS 'gapcast backtest: each model''s and baseline''s forecasts at every monthly origin, made with only the data known at the end of the origin month, beside what happened. kind = path (levels 1-9 months ahead) or probability (P(cooling) of the coming March-May). See docs/forecast.md.';
COMMENT ON COLUMN marts.backtest_forecasts.run_id IS 'The backtest run (meta.runs, meta.model_runs model = backtest).';
COMMENT ON COLUMN marts.backtest_forecasts.kind IS 'path: a level forecast for target_month; probability: P(cooling) for season.';
COMMENT ON COLUMN marts.backtest_forecasts.target_series IS 'The talent target.';
COMMENT ON COLUMN marts.backtest_forecasts.origin IS 'The month at whose end the forecast is made: it sees only data known by then.';
COMMENT ON COLUMN marts.backtest_forecasts.model IS 'sarimax, regimes (probability only), the baselines random_walk, seasonal_naive and drift, or climatology (the base rate known at the origin; probability only).';
COMMENT ON COLUMN marts.backtest_forecasts.horizon IS 'path: months from the origin to target_month (1-9).';
COMMENT ON COLUMN marts.backtest_forecasts.target_month IS 'path: the month forecast.';
COMMENT ON COLUMN marts.backtest_forecasts.mean IS 'path: median forecast (exp of the mean log level), target units.';
COMMENT ON COLUMN marts.backtest_forecasts.lo80 IS 'path: lower bound of the 80% interval.';
COMMENT ON COLUMN marts.backtest_forecasts.hi80 IS 'path: upper bound of the 80% interval.';
COMMENT ON COLUMN marts.backtest_forecasts.lo95 IS 'path: lower bound of the 95% interval.';
COMMENT ON COLUMN marts.backtest_forecasts.hi95 IS 'path: upper bound of the 95% interval.';
COMMENT ON COLUMN marts.backtest_forecasts.actual IS 'path: the value in the latest data (NULL when not yet observed).';
COMMENT ON COLUMN marts.backtest_forecasts.season IS 'probability: the March-May forecast, e.g. ''2024 Mar-May''.';
COMMENT ON COLUMN marts.backtest_forecasts.lead_months IS 'probability: months from the origin to the season''s May.';
COMMENT ON COLUMN marts.backtest_forecasts.probability IS 'probability: P(cooling) (regimes: mean probability of the low-growth regime over the season''s unobserved months).';
COMMENT ON COLUMN marts.backtest_forecasts.cooled IS 'probability: whether the season cooled in the latest data (NULL while not fully observed).';
COMMENT ON COLUMN marts.backtest_forecasts.vintage IS 'The vintage (retrieved_at) of the target the origin read.';
COMMENT ON COLUMN marts.backtest_forecasts.real_time IS 'True when that vintage was retrieved by the origin''s end; false when no such vintage is stored and the first later one (revised data) was cut at the publication lag.';
COMMENT ON COLUMN marts.backtest_forecasts.synthetic IS 'True when built from the synthetic sample.';
