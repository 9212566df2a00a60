-- The latest month the published data reach (the newest observation of any series) and the build's as-of month:
-- a report may be for the month after the data or for the month it was built in, no later.
SELECT
    (SELECT date_trunc('month', max(last_date))::DATE FROM marts.series) AS data_month,
    (SELECT date_trunc('month', max(as_of))::DATE FROM meta.build_context) AS built_month;
