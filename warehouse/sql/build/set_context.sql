INSERT INTO meta.build_context VALUES (?, ?);
