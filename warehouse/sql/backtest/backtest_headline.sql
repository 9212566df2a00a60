-- The backtest's nested headline (from the registered frame backtest_headline_frame): at each origin, the model the
-- combination rule chose from the forecasts whose outcome was published by then, and why.
CREATE OR REPLACE TABLE marts.backtest_headline AS
SELECT
    CAST(run_id AS VARCHAR) AS run_id,
    CAST(target_series AS VARCHAR) AS target_series,
    CAST(origin AS DATE) AS origin,
    CAST(kind AS VARCHAR) AS kind,
    CAST(model AS VARCHAR) AS model,
    CAST(reason AS VARCHAR) AS reason,
    CAST(seasons_known AS INTEGER) AS seasons_known,
    CAST(forecasts_known AS INTEGER) AS forecasts_known,
    CAST(synthetic AS BOOLEAN) AS synthetic
FROM backtest_headline_frame
ORDER BY target_series, origin, kind;

COMMENT ON TABLE marts.backtest_headline IS 'The headline as the combination rule (catalogs/cooling.toml [combination]) would have chosen it at each backtest origin, from the scores of the forecasts whose outcome was published by the end of that origin (a path month once it plus the target''s publication lag has passed, a season once its May plus the lag has). Its forecasts are in marts.backtest_forecasts and scored in marts.backtest_scores as model = ''headline''.';
COMMENT ON COLUMN marts.backtest_headline.run_id IS 'The backtest run.';
COMMENT ON COLUMN marts.backtest_headline.target_series IS 'The talent target.';
COMMENT ON COLUMN marts.backtest_headline.origin IS 'The origin month (forecast made at its end).';
COMMENT ON COLUMN marts.backtest_headline.kind IS 'path (chosen by CRPS skill) or probability (P(cooling), chosen by live-lead Brier skill).';
COMMENT ON COLUMN marts.backtest_headline.model IS 'The model chosen at that origin.';
COMMENT ON COLUMN marts.backtest_headline.reason IS 'The rule''s reason, in the words marts.cooling_probability.chosen_by uses.';
COMMENT ON COLUMN marts.backtest_headline.seasons_known IS 'Seasons whose outcome was published by the origin.';
COMMENT ON COLUMN marts.backtest_headline.forecasts_known IS 'P(cooling): forecasts with a published outcome by the origin (every model). Paths: the random walk''s forecasts with a published outcome at the horizon with the fewest (the rule''s yardstick).';
COMMENT ON COLUMN marts.backtest_headline.synthetic IS 'True when built from the synthetic sample.';
