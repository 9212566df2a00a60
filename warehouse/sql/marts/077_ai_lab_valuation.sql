-- AI labs' post-money valuations (series with the role ai_lab_funding, Epoch AI's funding rounds), month by month:
-- per company the latest valuation published by the month's end (rounds Epoch leaves out of its charts, e.g. a
-- round entered twice, are left out too), and a labs_total row summing the companies valued so far. Months run from
-- the first published valuation to the last month ended by the build's as-of and by the newest vintage's retrieval.
CREATE OR REPLACE TABLE marts.ai_lab_valuation_monthly AS
WITH rounds AS (
    SELECT
        v.entity AS round,
        split_part(v.entity, ' | ', 1) AS company,
        v.obs_date AS round_date,
        v.value AS valuation_post_usd,
        coalesce(v.published_at, v.retrieved_at::DATE) AS published_at,
        v.retrieved_at,
        v.synthetic
    FROM staging.stg_observations AS v
    JOIN meta.series_catalog AS c USING (series_id)
    LEFT JOIN staging.stg_observations AS x
           ON x.series_id = v.series_id AND x.entity = v.entity AND x.field = 'excluded_from_graph'
    WHERE list_contains(c.roles, 'ai_lab_funding') AND v.field = 'valuation_post_usd' AND v.value > 0
      AND coalesce(x.value, 0) = 0
),
bounds AS (
    SELECT date_trunc('month', min(published_at))::DATE AS first_month,
           least(max(retrieved_at), (SELECT max(as_of) FROM meta.build_context))::DATE AS known_by
    FROM rounds
),
months AS (
    SELECT month::DATE AS month, last_day(month)::DATE AS month_end
    FROM (SELECT unnest(generate_series(first_month::TIMESTAMP, known_by::TIMESTAMP, INTERVAL 1 MONTH)) AS month
          FROM bounds)
    WHERE last_day(month)::DATE < (SELECT known_by FROM bounds)
),
latest AS (
    SELECT m.month, m.month_end, r.company, r.valuation_post_usd, r.round, r.round_date, r.published_at, r.synthetic
    FROM months AS m
    JOIN rounds AS r ON r.published_at <= m.month_end
    QUALIFY row_number() OVER (PARTITION BY m.month, r.company
                               ORDER BY r.published_at DESC, r.round_date DESC, r.valuation_post_usd DESC) = 1
)
SELECT month, month_end, company, valuation_post_usd, round, round_date, published_at, 1 AS companies, synthetic
FROM latest
UNION ALL
SELECT month, month_end, 'labs_total', sum(valuation_post_usd), NULL, min(round_date), max(published_at), count(*),
       bool_or(synthetic)
FROM latest
GROUP BY month, month_end
ORDER BY month, company = 'labs_total', company;

COMMENT ON TABLE marts.ai_lab_valuation_monthly IS 'AI labs'' post-money valuations at each month end (Epoch AI, AI Companies data, CC BY 4.0): per company the latest published by the month''s end (no look-ahead; rounds Epoch excludes from its charts left out), and a labs_total row summing the companies valued so far.';
COMMENT ON COLUMN marts.ai_lab_valuation_monthly.month IS 'First day of the month.';
COMMENT ON COLUMN marts.ai_lab_valuation_monthly.month_end IS 'Last day of the month: only valuations published by then count.';
COMMENT ON COLUMN marts.ai_lab_valuation_monthly.company IS 'Company, or labs_total for the sum over the companies (do not add it to the company rows).';
COMMENT ON COLUMN marts.ai_lab_valuation_monthly.valuation_post_usd IS 'Post-money valuation of the company''s latest round published by the month''s end, USD (labs_total: the sum).';
COMMENT ON COLUMN marts.ai_lab_valuation_monthly.round IS 'The round (Epoch''s ''<Company> | <Id>''); NULL on labs_total.';
COMMENT ON COLUMN marts.ai_lab_valuation_monthly.round_date IS 'Close date of the round (its report date when not closed); labs_total: the oldest in the sum.';
COMMENT ON COLUMN marts.ai_lab_valuation_monthly.published_at IS 'When the valuation became public (the report date, else the close date); labs_total: the latest in the sum.';
COMMENT ON COLUMN marts.ai_lab_valuation_monthly.companies IS 'Companies contributing: 1 on a company row, the count on labs_total (it grows as labs are first valued: a jump in the sum may be a new company).';
COMMENT ON COLUMN marts.ai_lab_valuation_monthly.synthetic IS 'True when built from the synthetic sample.';
