-- Reported segment revenue by quarter (e.g. NVIDIA Data Center, Microsoft Intelligent Cloud), dated by the
-- earnings release that made it public: the ConceptStocks segments file gives the release date, not the
-- period end, and a fiscal Q4 (computed there as the year minus nine months) has no date, so its release is
-- imputed (release_imputed). Only released figures count at a date: released_at <= that date.
CREATE OR REPLACE TABLE marts.segment_revenue_quarterly AS
WITH segment_series AS (
    SELECT series_id, ticker, name, roles FROM meta.series_catalog WHERE kind = 'segment'
),
quarters AS (
    SELECT
        s.series_id,
        s.ticker,
        s.name AS segment,
        s.roles,
        o.obs_date,
        max(o.published_at) AS published_at,
        max(o.value) FILTER (WHERE o.field = 'fiscal_year')::INTEGER AS fiscal_year,
        max(o.value) FILTER (WHERE o.field = 'fiscal_quarter')::INTEGER AS fiscal_quarter,
        max(o.value) FILTER (WHERE o.field = 'segment_revenue') AS segment_revenue,
        max(o.unit) FILTER (WHERE o.field = 'segment_revenue') AS currency,
        coalesce(max(o.value) FILTER (WHERE o.field = 'release_imputed'), 0) = 1 AS release_flagged,
        max(o.retrieved_at) AS retrieved_at,
        bool_or(o.synthetic) AS synthetic
    FROM staging.stg_observations AS o
    JOIN segment_series AS s USING (series_id)
    GROUP BY s.series_id, s.ticker, s.name, s.roles, o.obs_date
),
released AS (
    -- A series dated by release gives published_at = its date. A series dated by period end (the adapter's
    -- dates = "period_end", e.g. AMD, whose file carries quarter ends) gives none: its figure is taken as public
    -- at the SEC deadline, 40 days after a fiscal quarter, 60 after a fiscal year (or an unlabelled quarter).
    SELECT
        *,
        coalesce(published_at, CASE WHEN fiscal_quarter BETWEEN 1 AND 3 THEN obs_date + INTERVAL 40 DAY
                                    ELSE obs_date + INTERVAL 60 DAY END)::DATE AS released_at,
        CASE WHEN published_at IS NULL THEN obs_date END AS period_end,
        release_flagged OR published_at IS NULL AS release_imputed
    FROM quarters
)
SELECT
    series_id,
    ticker,
    segment,
    list_contains(roles, 'datacenter_segment') AS data_center_segment,
    fiscal_year,
    fiscal_quarter,
    released_at,
    release_imputed,
    period_end,
    currency,
    segment_revenue,
    CASE WHEN currency = 'USD' THEN segment_revenue END AS segment_revenue_usd,
    retrieved_at,
    synthetic
FROM released
ORDER BY series_id, released_at;

COMMENT ON TABLE marts.segment_revenue_quarterly IS 'Reported segment revenue by fiscal quarter (data-centre and cloud segments), dated by its earnings release: a figure counts at a date only once released_at has passed.';
COMMENT ON COLUMN marts.segment_revenue_quarterly.segment IS 'The catalog name of the segment series (company and segment).';
COMMENT ON COLUMN marts.segment_revenue_quarterly.data_center_segment IS 'True for the segment the catalog marks as the company''s data-centre (or cloud) business (role datacenter_segment).';
COMMENT ON COLUMN marts.segment_revenue_quarterly.released_at IS 'Earnings-release date of the quarter''s figure (the source''s end_date), or imputed for a fiscal Q4 (release_imputed).';
COMMENT ON COLUMN marts.segment_revenue_quarterly.release_imputed IS 'True when the release date is imputed: the source gives none for a computed fiscal Q4 (Q3 release + 98 days), or the series is dated by period end (period end + the 40/60-day SEC deadline).';
COMMENT ON COLUMN marts.segment_revenue_quarterly.period_end IS 'The quarter''s end, where the series is dated by period end (NULL where it is dated by release).';
COMMENT ON COLUMN marts.segment_revenue_quarterly.segment_revenue IS 'Segment revenue in the quarter, in currency.';
COMMENT ON COLUMN marts.segment_revenue_quarterly.synthetic IS 'True when built from the synthetic sample.';
