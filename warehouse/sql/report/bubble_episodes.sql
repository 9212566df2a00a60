-- Dated bubble episodes (Phillips, Shi and Yu), newest first.
SELECT series, start, peak, "end", duration AS months, ongoing
FROM marts.bubble_episodes
ORDER BY start DESC;
