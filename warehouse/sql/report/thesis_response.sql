-- USINFO's cumulative change (percent) after a one-sd wider gap, h = 1-24, with its 90% band.
SELECT horizon, estimate, lo, hi, n
FROM marts.thesis_tests
WHERE test = 'local_projection' AND target = 'USINFO' AND measure = 'gap z-score' AND horizon IS NOT NULL
ORDER BY horizon;
