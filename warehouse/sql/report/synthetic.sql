-- Is anything in the published marts synthetic?
SELECT coalesce(bool_or(synthetic), false) FROM marts.series;
