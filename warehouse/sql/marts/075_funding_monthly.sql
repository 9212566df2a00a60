-- Private funding by month: SEC Form D offerings by technology issuers, and your own funding-rounds file.
CREATE OR REPLACE TABLE marts.funding_monthly AS
WITH funding AS (
    SELECT o.*
    FROM staging.stg_observations AS o
    JOIN meta.series_catalog AS c USING (series_id)
    WHERE c.kind = 'funding' AND c.frequency <> 'annual'
      -- only the fields summed here: other funding series (e.g. Epoch AI's lab revenue and rounds) stay out
      AND o.field IN ('offerings', 'amount_sold_usd', 'amount_usd')
)
SELECT
    series_id,
    date_trunc('month', obs_date)::DATE AS month,
    -- Form D data sets give a count per month; a rounds file has a row per round.
    coalesce(sum(value ORDER BY obs_date, value) FILTER (WHERE field = 'offerings'), 0)
        + count(*) FILTER (WHERE field = 'amount_usd') AS deals,
    coalesce(sum(value ORDER BY obs_date, value) FILTER (WHERE field IN ('amount_sold_usd', 'amount_usd')), 0) AS amount_usd,
    max(retrieved_at) AS retrieved_at,
    bool_or(synthetic) AS synthetic
FROM funding
GROUP BY series_id, date_trunc('month', obs_date)
ORDER BY series_id, month;

COMMENT ON TABLE marts.funding_monthly IS 'Private funding by month of first sale (SEC Form D, technology issuers, amendments left out) or of the round (a funding-rounds CSV).';
COMMENT ON COLUMN marts.funding_monthly.month IS 'First day of the month.';
COMMENT ON COLUMN marts.funding_monthly.deals IS 'Offerings (Form D) or rounds in the month.';
COMMENT ON COLUMN marts.funding_monthly.amount_usd IS 'Amount sold (Form D: total amount sold, where stated) or raised, USD.';
COMMENT ON COLUMN marts.funding_monthly.synthetic IS 'True when built from the synthetic sample.';
