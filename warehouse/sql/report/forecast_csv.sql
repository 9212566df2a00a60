-- The forecasts, for the CSV attachment.
SELECT run_id, as_of, target_series, target_month, mean, lo80, hi80, lo95, hi95, model
FROM marts.cooling_forecast
ORDER BY target_series, target_month;
