-- Page 1: each model's Brier skill of P(cooling) at the lead readers act on (forecasts made September-December for
-- the coming March-May), over all origins, with its season-block 90% interval (marts.backtest_scores).
SELECT target_series, model, value AS skill, lo90, hi90, seasons, n
FROM marts.backtest_scores
WHERE metric = 'brier_skill_live' AND origins = 'all' AND n > 0;
