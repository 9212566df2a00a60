-- Forecast paths with 80% and 95% intervals, by target: the headline model's (the combination rule's choice).
SELECT target_series, target_month, mean, lo80, hi80, lo95, hi95, model
FROM marts.cooling_forecast
WHERE headline
ORDER BY target_series, target_month;
