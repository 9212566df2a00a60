-- No mart holds a date after today.
SELECT 'prices_daily' AS mart, ticker AS series_id, date FROM marts.prices_daily WHERE date > current_date
UNION ALL
SELECT 'fundamentals_quarterly', ticker, fiscal_period_end FROM marts.fundamentals_quarterly WHERE fiscal_period_end > current_date
UNION ALL
SELECT 'hiring_monthly', series_id, month FROM marts.hiring_monthly WHERE month > current_date
UNION ALL
SELECT 'macro_monthly', series_id, month FROM marts.macro_monthly WHERE month > current_date
UNION ALL
SELECT 'layoffs_monthly', series_id, month FROM marts.layoffs_monthly WHERE month > current_date;
