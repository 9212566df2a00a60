-- Skill where a reader acts (marts.backtest_scores): the Brier skill of P(cooling) forecasts made September-December
-- for the coming March-May, against the base rate, with its season-block bootstrap 90% interval and the verdict in
-- words, over all origins; beside it the same skill over the real-time origins alone (no revised data), where any.
-- Short column names: the PDF's table is narrow.
WITH live AS (
    SELECT * FROM marts.backtest_scores
    WHERE metric = 'brier_skill_live' AND model NOT IN ('regimes', 'climatology') AND n > 0
)
SELECT
    a.target_series AS target,
    a.model,
    round(a.value, 2) AS skill,
    CASE WHEN a.lo90 IS NULL THEN '–'
         ELSE '[' || CAST(round(a.lo90, 2) AS VARCHAR) || ', ' || CAST(round(a.hi90, 2) AS VARCHAR) || ']' END
        AS "90% interval",
    a.seasons AS "seas.",
    a.n AS fcsts,
    a.verdict,
    coalesce(CAST(round(r.value, 2) AS VARCHAR) || ' (' || CAST(r.seasons AS VARCHAR) || ' s.)', '–') AS "real time"
FROM live AS a
LEFT JOIN live AS r ON r.target_series = a.target_series AND r.model = a.model AND r.origins = 'real_time'
WHERE a.origins = 'all'
ORDER BY a.target_series, a.value DESC NULLS LAST;
