-- What moved each target's forecast since the data known a month earlier (from the registered frame forecast_news_frame).
CREATE OR REPLACE TABLE marts.forecast_news AS
SELECT
    CAST(run_id AS VARCHAR) AS run_id,
    CAST(as_of AS TIMESTAMP) AS as_of,
    CAST(origin AS DATE) AS origin,
    CAST(previous_origin AS DATE) AS previous_origin,
    CAST(target_series AS VARCHAR) AS target_series,
    CAST(impact_month AS DATE) AS impact_month,
    CAST(updated_series AS VARCHAR) AS updated_series,
    CAST(update_months AS VARCHAR) AS update_months,
    CAST(observed AS DOUBLE) AS observed,
    CAST(forecast_prior AS DOUBLE) AS forecast_prior,
    CAST(news AS DOUBLE) AS news,
    CAST(impact_pct AS DOUBLE) AS impact_pct,
    CAST(previous_level AS DOUBLE) AS previous_level,
    CAST(revised_level AS DOUBLE) AS revised_level,
    CAST(model AS VARCHAR) AS model,
    CAST(synthetic AS BOOLEAN) AS synthetic
FROM forecast_news_frame
ORDER BY target_series, CASE updated_series WHEN 'total' THEN 2 WHEN 'revisions' THEN 1 ELSE 0 END, abs(impact_pct) DESC;

COMMENT ON TABLE marts.forecast_news IS 'The DynamicFactorMQ nowcast''s news decomposition (statsmodels news()): the forecast of each target''s level at impact_month with the data known at the end of origin against the same model on the data known a month earlier (previous_origin, by each series'' publication lag); one row per series with new releases, a revisions row and a total row. See docs/forecast.md.';
COMMENT ON COLUMN marts.forecast_news.run_id IS 'The run that forecast.';
COMMENT ON COLUMN marts.forecast_news.as_of IS 'As-of time of the build the forecast read.';
COMMENT ON COLUMN marts.forecast_news.origin IS 'The month at whose end the data are taken as known (the latest release of any series, by its lag).';
COMMENT ON COLUMN marts.forecast_news.previous_origin IS 'A month earlier: the data the forecast is compared against.';
COMMENT ON COLUMN marts.forecast_news.target_series IS 'The talent target whose forecast moved.';
COMMENT ON COLUMN marts.forecast_news.impact_month IS 'The month whose level forecast is decomposed (June of the season year).';
COMMENT ON COLUMN marts.forecast_news.updated_series IS 'The series whose new release moved it; ''revisions'' for revised values; ''total'' for the whole change.';
COMMENT ON COLUMN marts.forecast_news.update_months IS 'The months of that series newly released, comma-separated.';
COMMENT ON COLUMN marts.forecast_news.observed IS 'The released value of the latest such month, percent monthly growth (100 x log difference).';
COMMENT ON COLUMN marts.forecast_news.forecast_prior IS 'What the model expected for it from the earlier data, same units.';
COMMENT ON COLUMN marts.forecast_news.news IS 'observed - forecast_prior: the surprise.';
COMMENT ON COLUMN marts.forecast_news.impact_pct IS 'The change it made to the forecast log level at impact_month, x 100 (about percent). The series rows and the revisions row add up to the total row.';
COMMENT ON COLUMN marts.forecast_news.previous_level IS 'total row: the forecast level at impact_month from the earlier data.';
COMMENT ON COLUMN marts.forecast_news.revised_level IS 'total row: the forecast level at impact_month now.';
COMMENT ON COLUMN marts.forecast_news.model IS 'nowcast:<target> (meta.model_runs model nowcast).';
COMMENT ON COLUMN marts.forecast_news.synthetic IS 'True when built from the synthetic sample.';
