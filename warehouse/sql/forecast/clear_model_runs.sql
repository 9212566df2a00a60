-- Re-forecasting under the same run id replaces that run's forecast models only (not the estimate's or the backtest's):
-- the fixed forecast models, and any other model name (before the ':') the new records carry, bound as a list (the
-- [specifications] of catalogs/cooling.toml, e.g. arima).
DELETE FROM meta.model_runs
WHERE run_id = ?
  AND (model = 'nowcast' OR split_part(model, ':', 1) IN
       ('sarimax', 'regimes', 'cooling', 'random_walk', 'drift', 'seasonal_naive', 'baselines')
       OR list_contains(?::VARCHAR[], split_part(model, ':', 1)));
