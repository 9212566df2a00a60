-- Forecast paths with 80% and 95% intervals, by target.
SELECT target_series, target_month, mean, lo80, hi80, lo95, hi95, model
FROM marts.cooling_forecast
ORDER BY target_series, target_month;
