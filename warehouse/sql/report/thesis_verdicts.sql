-- The thesis tests in words for the report: one line per test (a local projection once, not per horizon; the
-- out-of-sample test per horizon), grouped by the talent target (a Granger test of a target causing the gap
-- counts under that target). Computer-systems design (from 2022) has too few months for any test and is left out.
SELECT
    link,
    CASE WHEN test = 'granger' AND measure <> 'gap z-score' THEN measure ELSE target END AS talent_target,
    test,
    measure,
    CASE WHEN test = 'out_of_sample' THEN horizon END AS horizon,
    any_value(verdict) AS verdict
FROM marts.thesis_tests
WHERE target <> 'CES6054150001' AND measure <> 'CES6054150001'
GROUP BY link, talent_target, test, measure, target, 5
ORDER BY link, talent_target = 'PAYEMS', talent_target,
         list_position(['local_projection', 'granger', 'calendar', 'calendar_season', 'calendar_windows',
                        'out_of_sample'], test), measure, horizon;
