-- The headline model's P(cooling) at each threshold of marts.cooling_thresholds, per target, the configured one
-- marked: how much of the answer hangs on the threshold chosen.
SELECT
    target_series AS target,
    split_part(model, ':', 1) AS model,
    threshold,
    configured,
    probability
FROM marts.cooling_thresholds
WHERE headline
ORDER BY target_series, threshold DESC;
