-- AI labs' annualised revenue (series with the role ai_lab_revenue, e.g. Epoch AI's revenue reports):
-- one row per company and report date, then month by month what had been published by each month's end.
CREATE OR REPLACE TABLE marts.ai_lab_revenue AS
SELECT
    o.entity AS company,
    o.obs_date AS report_date,
    o.value AS annualised_revenue_usd,
    -- When the figure was public. A figure dated on a month's last day is a figure for the period ending then
    -- (Anthropic 2024-12-31, xAI 2025-03-31 = 4 x its first-quarter revenue): it came out later, so it counts
    -- from 30 days after (published_at_imputed). A source that gives no date counts once gapcast retrieved it.
    CASE WHEN o.published_at IS NULL THEN o.retrieved_at::DATE
         WHEN o.obs_date = last_day(o.obs_date) THEN o.obs_date + INTERVAL 30 DAY
         ELSE o.published_at END::DATE AS published_at,
    o.published_at IS NULL OR o.obs_date = last_day(o.obs_date) AS published_at_imputed,
    o.series_id,
    o.retrieved_at,
    o.synthetic
FROM staging.stg_observations AS o
JOIN meta.series_catalog AS c USING (series_id)
WHERE list_contains(c.roles, 'ai_lab_revenue') AND o.field = 'annualised_revenue'
ORDER BY company, report_date, series_id;

COMMENT ON TABLE marts.ai_lab_revenue IS 'AI labs'' annualised revenue as reported (Epoch AI, AI Companies data, CC BY 4.0): one row per company and report date.';
COMMENT ON COLUMN marts.ai_lab_revenue.company IS 'Company the figure is for (OpenAI, Anthropic, xAI, ...).';
COMMENT ON COLUMN marts.ai_lab_revenue.report_date IS 'Date the figure is for, as the source gives it.';
COMMENT ON COLUMN marts.ai_lab_revenue.annualised_revenue_usd IS 'Revenue normalised to a year, USD (a run rate or a year''s revenue: the Epoch copy does not say which).';
COMMENT ON COLUMN marts.ai_lab_revenue.published_at IS 'When the figure became public: the report date; for a figure dated on a month''s last day (a period figure), 30 days after it (published_at_imputed); the retrieval date when the source gives none.';
COMMENT ON COLUMN marts.ai_lab_revenue.published_at_imputed IS 'True when published_at is imputed (a month-end period figure, or no date in the source).';
COMMENT ON COLUMN marts.ai_lab_revenue.series_id IS 'Catalog series the figure comes from.';
COMMENT ON COLUMN marts.ai_lab_revenue.retrieved_at IS 'When the payload holding the figure was retrieved.';
COMMENT ON COLUMN marts.ai_lab_revenue.synthetic IS 'True when built from the synthetic sample.';

CREATE OR REPLACE TABLE marts.ai_lab_revenue_monthly AS
WITH bounds AS (
    SELECT
        date_trunc('month', min(published_at))::DATE AS first_month,
        (SELECT max(as_of) FROM meta.build_context)::DATE AS as_of
    FROM marts.ai_lab_revenue
),
months AS (
    SELECT month::DATE AS month, last_day(month)::DATE AS month_end
    FROM (SELECT unnest(generate_series(first_month::TIMESTAMP, as_of::TIMESTAMP, INTERVAL 1 MONTH)) AS month
          FROM bounds)
    -- complete months only: a month counts once its end is within the build's as-of
    WHERE last_day(month)::DATE <= (SELECT as_of FROM bounds)
),
public AS (
    SELECT m.month, m.month_end, r.*,
           max(r.report_date) OVER (PARTITION BY m.month, r.company) AS newest_report
    FROM months AS m
    JOIN marts.ai_lab_revenue AS r ON r.published_at <= m.month_end AND r.report_date <= m.month_end
),
latest AS (
    -- Per company and month: the highest figure among its reports of the 183 days up to its newest one published
    -- by the month's end (no look-ahead). The Epoch copy mixes run-rates with partial-period figures and gives
    -- no scope (OpenAI 13bn on 2025-08-01, 3bn on 2025-08-26), so the newest row alone would swing; the same
    -- rule as models/divergence.py (LAB_WINDOW_DAYS) uses for realized_ai_revenue.
    SELECT month, month_end, company, annualised_revenue_usd, report_date, published_at, newest_report, synthetic
    FROM public
    WHERE report_date > newest_report - INTERVAL 183 DAY
    QUALIFY row_number() OVER (
        PARTITION BY month, company
        ORDER BY annualised_revenue_usd DESC, report_date DESC, published_at DESC, series_id
    ) = 1
)
SELECT
    month,
    month_end,
    company,
    annualised_revenue_usd,
    report_date,
    published_at,
    month_end - newest_report AS age_days,
    1 AS companies,
    synthetic
FROM latest
UNION ALL
SELECT
    month,
    month_end,
    'labs_total' AS company,
    sum(annualised_revenue_usd ORDER BY company),
    min(report_date),
    max(published_at),
    month_end - min(newest_report),
    count(*),
    bool_or(synthetic)
FROM latest
GROUP BY month, month_end
ORDER BY month, company = 'labs_total', company;

COMMENT ON TABLE marts.ai_lab_revenue_monthly IS 'AI labs'' annualised revenue at each month end since the first report, up to the build''s as-of: per company the highest figure among its reports of the 183 days up to its newest one published by the month''s end (no look-ahead; carried until a newer report), and a labs_total row summing the companies reported so far.';
COMMENT ON COLUMN marts.ai_lab_revenue_monthly.month IS 'First day of the month.';
COMMENT ON COLUMN marts.ai_lab_revenue_monthly.month_end IS 'Last day of the month: only figures published by then count.';
COMMENT ON COLUMN marts.ai_lab_revenue_monthly.company IS 'Company, or labs_total for the sum over the companies (do not add it to the company rows).';
COMMENT ON COLUMN marts.ai_lab_revenue_monthly.annualised_revenue_usd IS 'Highest annualised revenue among the company''s reports of the 183 days up to its newest one published by the month''s end, USD (labs_total: the sum of the company rows).';
COMMENT ON COLUMN marts.ai_lab_revenue_monthly.report_date IS 'Report date of that figure (labs_total: of the oldest figure in the sum).';
COMMENT ON COLUMN marts.ai_lab_revenue_monthly.published_at IS 'When that figure became public (labs_total: the latest of the figures in the sum).';
COMMENT ON COLUMN marts.ai_lab_revenue_monthly.age_days IS 'Days from the company''s newest report to the month''s end (labs_total: the oldest of those); a large age means a stale figure is carried.';
COMMENT ON COLUMN marts.ai_lab_revenue_monthly.companies IS 'Companies contributing: 1 on a company row, the count on the labs_total row.';
COMMENT ON COLUMN marts.ai_lab_revenue_monthly.synthetic IS 'True when built from the synthetic sample.';
