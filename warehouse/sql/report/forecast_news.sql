-- What moved the nowcast since the data known a month earlier: per target, each series' impact on the forecast
-- level at impact_month (percent), the total last.
SELECT
    target_series AS target,
    updated_series AS "released",
    update_months AS months,
    round(news, 3) AS surprise_pct,
    round(impact_pct, 3) AS impact_pct,
    strftime(origin, '%Y-%m') AS data_to,
    strftime(impact_month, '%Y-%m') AS on_month
FROM marts.forecast_news
ORDER BY target_series, CASE updated_series WHEN 'total' THEN 2 WHEN 'revisions' THEN 1 ELSE 0 END,
         abs(impact_pct) DESC;
