-- Quarterly fundamentals, one row per ticker and fiscal quarter, in the reported currency.
--
-- One rule decides which source a quarter comes from: of the fundamentals series that give the quarter's
-- revenue, one with the true fiscal period end before one with a calendarised date, then the one retrieved most
-- recently (by the build's as-of); ties go to the series id. The whole
-- quarter (revenue, capex, RPO) comes from that source, except capex where it has none and another source of
-- the quarter has it in the same currency (capex_series says whose); the others stay in raw. Quarters
-- from different sources are matched when their period ends are less than 46 days apart, so a calendarised
-- date (2025-07-31) and a true fiscal end (2025-07-27) are one quarter, never two. Shares and
-- the reported market cap, which only some sources give, are taken from any source of the same quarter.
--
-- Filing dates: a quarter is public on its filing date: the chosen source's, else the one another source of the
-- same quarter reports. Where no source gives one after the period end (some copies put the period end in the
-- filing-date field; ConceptStocks gives none), the date is imputed as the
-- period end plus the SEC deadline for a large accelerated filer: 40 days after a fiscal quarter (10-Q),
-- 60 days after a fiscal year, i.e. fiscal Q4 or an unknown quarter (10-K); filed_at_imputed says so. A filer
-- behind on its filings pushes its undated quarters to its next (late) filing, and no quarter is public before
-- an earlier one (both below).
CREATE OR REPLACE VIEW staging.stg_fundamentals AS
WITH fundamentals_series AS (
    SELECT series_id, ticker FROM meta.series_catalog WHERE kind = 'fundamentals'
),
per_source AS (
    SELECT
        s.series_id,
        s.ticker,
        o.obs_date AS fiscal_period_end,
        max(o.published_at) AS published_at,
        max(o.value) FILTER (WHERE o.field = 'fiscal_year')::INTEGER AS fiscal_year,
        max(o.value) FILTER (WHERE o.field = 'fiscal_quarter')::INTEGER AS fiscal_quarter,
        max(o.unit) FILTER (WHERE o.field = 'revenue') AS currency,
        max(o.value) FILTER (WHERE o.field = 'revenue') AS revenue,
        max(o.value) FILTER (WHERE o.field = 'capex') AS capex,
        max(o.value) FILTER (WHERE o.field = 'rpo') AS rpo,
        max(o.value) FILTER (WHERE o.field = 'cost_of_revenue') AS cost_of_revenue,
        max(o.value) FILTER (WHERE o.field = 'operating_income') AS operating_income,
        max(o.value) FILTER (WHERE o.field = 'net_income') AS net_income,
        max(o.value) FILTER (WHERE o.field = 'shares_outstanding') AS shares_outstanding,
        max(o.value) FILTER (WHERE o.field = 'shares_diluted') AS shares_diluted,
        max(o.value) FILTER (WHERE o.field = 'market_cap') AS market_cap_reported,
        max(o.unit) FILTER (WHERE o.field = 'market_cap') AS market_cap_currency,
        coalesce(max(o.value) FILTER (WHERE o.field = 'period_end_calendarised'), 0) = 1 AS period_end_calendarised,
        max(o.retrieved_at) AS retrieved_at,
        bool_or(o.synthetic) AS synthetic
    FROM staging.stg_observations AS o
    JOIN fundamentals_series AS s USING (series_id)
    GROUP BY s.series_id, s.ticker, o.obs_date
),
gaps AS (
    SELECT
        *,
        fiscal_period_end - lag(fiscal_period_end) OVER (PARTITION BY ticker ORDER BY fiscal_period_end, series_id)
            AS days_after_previous
    FROM per_source
),
keyed AS (
    -- One quarter = period ends of a ticker less than 46 days apart, whichever sources give them: quarters are
    -- about 91 days apart, so a calendarised date (2025-07-31) and the true fiscal end (2025-07-27), or a
    -- source's wrong month (ORCL 2014-01-31 against 2014-02-28), fall in one quarter, never two.
    SELECT
        *,
        sum(CASE WHEN days_after_previous IS NULL OR days_after_previous > 45 THEN 1 ELSE 0 END)
            OVER (PARTITION BY ticker ORDER BY fiscal_period_end, series_id ROWS UNBOUNDED PRECEDING) AS quarter_key
    FROM gaps
),
ranked AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY ticker, quarter_key
            ORDER BY (revenue IS NOT NULL) DESC, period_end_calendarised, retrieved_at DESC, series_id
        ) AS source_rank,
        count(*) OVER (PARTITION BY ticker, quarter_key) AS sources,
        max(shares_outstanding) FILTER (WHERE shares_outstanding IS NOT NULL)
            OVER (PARTITION BY ticker, quarter_key) AS any_shares_outstanding,
        max(shares_diluted) FILTER (WHERE shares_diluted IS NOT NULL)
            OVER (PARTITION BY ticker, quarter_key) AS any_shares_diluted,
        -- capex from another source of the quarter where the chosen one has none (ConceptStocks leaves quarters
        -- out whose SEC rows repeat a year-old figure; FMP has them): the most recently retrieved such
        arg_max(capex, retrieved_at) FILTER (WHERE capex IS NOT NULL)
            OVER (PARTITION BY ticker, quarter_key) AS any_capex,
        arg_max(series_id, retrieved_at) FILTER (WHERE capex IS NOT NULL)
            OVER (PARTITION BY ticker, quarter_key) AS any_capex_series,
        arg_max(currency, retrieved_at) FILTER (WHERE capex IS NOT NULL)
            OVER (PARTITION BY ticker, quarter_key) AS any_capex_currency,
        -- a filing date some source of the quarter reports (after its period end): the earliest such
        min(published_at) FILTER (WHERE published_at > fiscal_period_end)
            OVER (PARTITION BY ticker, quarter_key) AS any_filed_at,
        arg_max(market_cap_reported, retrieved_at) FILTER (WHERE market_cap_reported IS NOT NULL)
            OVER (PARTITION BY ticker, quarter_key) AS any_market_cap_reported,
        arg_max(market_cap_currency, retrieved_at) FILTER (WHERE market_cap_reported IS NOT NULL)
            OVER (PARTITION BY ticker, quarter_key) AS any_market_cap_currency
    FROM keyed
),
chosen AS (
    SELECT
        *,
        CASE
            WHEN published_at IS NOT NULL AND published_at > fiscal_period_end THEN published_at
            WHEN any_filed_at IS NOT NULL THEN any_filed_at
        END AS reported_filed_at
    FROM ranked
    WHERE source_rank = 1
),
dated AS (
    SELECT
        *,
        coalesce(reported_filed_at, CASE WHEN fiscal_quarter BETWEEN 1 AND 3 THEN fiscal_period_end + INTERVAL 40 DAY
                                         ELSE fiscal_period_end + INTERVAL 60 DAY END)::DATE AS deadline_or_filed,
        -- The next quarter with a reported filing date, and how late it was: a filer that filed its next quarter
        -- more than 100 days after its end was behind on its filings (SMCI filed fiscal 2018 in December 2019),
        -- so a quarter before it with no reported date was not public before that filing either.
        first(CASE WHEN reported_filed_at IS NOT NULL THEN reported_filed_at END IGNORE NULLS) OVER following
            AS next_filed_at,
        first(CASE WHEN reported_filed_at IS NOT NULL THEN reported_filed_at - fiscal_period_end END IGNORE NULLS)
            OVER following AS next_filing_lag
    FROM chosen
    WINDOW following AS (PARTITION BY ticker ORDER BY fiscal_period_end
                         ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
),
pushed AS (
    SELECT
        *,
        CASE WHEN reported_filed_at IS NULL AND next_filing_lag > 100 AND next_filed_at > deadline_or_filed
             THEN next_filed_at ELSE deadline_or_filed END AS own_filed_at
    FROM dated
)
SELECT
    ticker,
    fiscal_period_end,
    -- Never public before an earlier quarter: a late 10-K (SMCI's FY2017, filed 2019-05) holds back the quarters
    -- after it, so the latest quarter public at a date is also the latest by period end.
    max(own_filed_at) OVER (PARTITION BY ticker ORDER BY fiscal_period_end ROWS UNBOUNDED PRECEDING)::DATE
        AS filed_at,
    reported_filed_at IS NULL AS filed_at_imputed,
    coalesce(reported_filed_at, published_at) AS filed_at_reported,
    fiscal_year,
    fiscal_quarter,
    currency,
    revenue,
    coalesce(capex, CASE WHEN currency = any_capex_currency THEN any_capex END) AS capex,
    CASE WHEN capex IS NOT NULL THEN series_id
         WHEN currency = any_capex_currency THEN any_capex_series END AS capex_series,
    rpo,
    cost_of_revenue,
    operating_income,
    net_income,
    coalesce(shares_outstanding, any_shares_outstanding) AS shares_outstanding,
    coalesce(shares_diluted, any_shares_diluted) AS shares_diluted,
    coalesce(market_cap_reported, any_market_cap_reported) AS market_cap_reported,
    coalesce(market_cap_currency, any_market_cap_currency) AS market_cap_currency,
    period_end_calendarised,
    series_id AS source_series,
    sources,
    retrieved_at,
    synthetic
FROM pushed;
