-- The tests of capital against technical progress, in the report's order.
SELECT test, statistic, pvalue, critical_value, months, first_month, last_month, verdict, note
FROM marts.capital_progress_tests
ORDER BY list_position(['since_2023', 'since_2023_time_trend', 'since_2023_labs', 'psy_gsadf_gap', 'engle_granger_capital_progress',
                        'revenue_growth_on_progress_growth'], test);
