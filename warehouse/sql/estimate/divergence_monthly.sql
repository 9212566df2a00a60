-- The monthly divergence between what markets pay for the AI basket and what it earns (from the
-- registered frame divergence_frame, built by warehouse/estimate.py from the models in models/).
CREATE OR REPLACE TABLE marts.divergence_monthly AS
SELECT
    CAST(month AS DATE) AS month,
    CAST(month_end_date AS DATE) AS month_end_date,
    CAST(month_complete AS BOOLEAN) AS month_complete,
    CAST(trading_days AS INTEGER) AS trading_days,
    CAST(members AS INTEGER) AS members,
    CAST(member_tickers AS VARCHAR[]) AS member_tickers,
    CAST(excluded_tickers AS VARCHAR[]) AS excluded_tickers,
    CAST(basket_market_cap AS DOUBLE) AS basket_market_cap,
    CAST(basket_ttm_revenue AS DOUBLE) AS basket_ttm_revenue,
    CAST(basket_ttm_revenue_filed AS DOUBLE) AS basket_ttm_revenue_filed,
    CAST(price_to_sales AS DOUBLE) AS price_to_sales,
    CAST(price_to_sales_filed AS DOUBLE) AS price_to_sales_filed,
    CAST(price_to_sales_equal_weight AS DOUBLE) AS price_to_sales_equal_weight,
    CAST(revenue_basis AS VARCHAR) AS revenue_basis,
    CAST(oldest_revenue_period AS DATE) AS oldest_revenue_period,
    CAST(newest_revenue_period AS DATE) AS newest_revenue_period,
    CAST(revenue_age_days AS INTEGER) AS revenue_age_days,
    CAST(revenue_overdue_quarters AS INTEGER) AS revenue_overdue_quarters,
    CAST(nowcast_tickers AS VARCHAR[]) AS nowcast_tickers,
    CAST(carried_forward_tickers AS VARCHAR[]) AS carried_forward_tickers,
    CAST(stale_tickers AS VARCHAR[]) AS stale_tickers,
    map_from_entries(CAST(json_transform(member_revenue_age_json, '[{"k":"VARCHAR","v":"INTEGER"}]')
        AS STRUCT(k VARCHAR, v INTEGER)[])) AS member_revenue_age_days,
    CAST(log_price_to_sales AS DOUBLE) AS log_price_to_sales,
    CAST(ps_zscore AS DOUBLE) AS ps_zscore,
    CAST(ps_zscore_history_months AS INTEGER) AS ps_zscore_history_months,
    CAST(coint_gap_eg AS DOUBLE) AS coint_gap_eg,
    CAST(coint_gap_eg_realtime AS DOUBLE) AS coint_gap_eg_realtime,
    CAST(coint_gap_johansen AS DOUBLE) AS coint_gap_johansen,
    CAST(coint_in_sample AS BOOLEAN) AS coint_in_sample,
    CAST(eg_speed AS DOUBLE) AS eg_speed,
    CAST(eg_half_life_months AS DOUBLE) AS eg_half_life_months,
    CAST(eg_pvalue AS DOUBLE) AS eg_pvalue,
    CAST(johansen_alpha_cap AS DOUBLE) AS johansen_alpha_cap,
    CAST(johansen_half_life_months AS DOUBLE) AS johansen_half_life_months,
    CAST(hyperscaler_members AS INTEGER) AS hyperscaler_members,
    CAST(hyperscaler_tickers AS VARCHAR[]) AS hyperscaler_tickers,
    CAST(hyperscaler_ttm_capex AS DOUBLE) AS hyperscaler_ttm_capex,
    CAST(hyperscaler_ttm_revenue AS DOUBLE) AS hyperscaler_ttm_revenue,
    CAST(hyperscaler_capex_to_revenue AS DOUBLE) AS hyperscaler_capex_to_revenue,
    CAST(hyperscaler_basis AS VARCHAR) AS hyperscaler_basis,
    CAST(capex_growth_yoy AS DOUBLE) AS capex_growth_yoy,
    CAST(hyperscaler_revenue_growth_yoy AS DOUBLE) AS hyperscaler_revenue_growth_yoy,
    CAST(capex_gap AS DOUBLE) AS capex_gap,
    CAST(gpu_vendor_quarter_end AS DATE) AS gpu_vendor_quarter_end,
    CAST(gpu_vendor_basis AS VARCHAR) AS gpu_vendor_basis,
    CAST(data_center_basis AS VARCHAR) AS data_center_basis,
    CAST(data_center_share AS DOUBLE) AS data_center_share,
    CAST(data_center_share_fiscal_year AS INTEGER) AS data_center_share_fiscal_year,
    CAST(gpu_spend_run_rate AS DOUBLE) AS gpu_spend_run_rate,
    CAST(data_center_spend AS DOUBLE) AS data_center_spend,
    CAST(required_ai_revenue AS DOUBLE) AS required_ai_revenue,
    CAST(required_revenue_basis AS VARCHAR) AS required_revenue_basis,
    CAST(realized_ai_revenue AS DOUBLE) AS realized_ai_revenue,
    CAST(realized_ai_revenue_as_of AS VARCHAR) AS realized_ai_revenue_as_of,
    CAST(realized_ai_revenue_age_days AS INTEGER) AS realized_ai_revenue_age_days,
    CAST(realized_ai_revenue_companies AS VARCHAR[]) AS realized_ai_revenue_companies,
    CAST(realized_ai_revenue_basis AS VARCHAR) AS realized_ai_revenue_basis,
    CAST(realized_ai_revenue_cahn AS DOUBLE) AS realized_ai_revenue_cahn,
    CAST(realized_ai_revenue_cahn_as_of AS VARCHAR) AS realized_ai_revenue_cahn_as_of,
    CAST(required_revenue_gap AS DOUBLE) AS required_revenue_gap,
    CAST(bubble_bsadf AS DOUBLE) AS bubble_bsadf,
    CAST(bubble_bsadf_cv AS DOUBLE) AS bubble_bsadf_cv,
    CAST(bubble_exuberant AS BOOLEAN) AS bubble_exuberant,
    CAST(notes AS VARCHAR[]) AS notes,
    CAST(synthetic AS BOOLEAN) AS synthetic,
    CAST(run_id AS VARCHAR) AS run_id
FROM divergence_frame
ORDER BY month;

COMMENT ON TABLE marts.divergence_monthly IS 'AI valuations against realized revenue, one row per month from the output start to the last month with prices: basket price-to-sales and its expanding z-score, the cointegration gap, the capex gap, Sequoia-style required revenue and the PSY bubble flag. Revenue is quarterly and filed weeks late: revenue_basis says whether a month uses reported, nowcast or carried-forward revenue; notes explains every absent measure.';
COMMENT ON COLUMN marts.divergence_monthly.month IS 'First day of the calendar month.';
COMMENT ON COLUMN marts.divergence_monthly.month_end_date IS 'Last trading day of the month in the data: the day the month''s market caps and filed revenue are taken.';
COMMENT ON COLUMN marts.divergence_monthly.month_complete IS 'False for a month whose prices stop before its last weekday (the latest month, still running).';
COMMENT ON COLUMN marts.divergence_monthly.trading_days IS 'Trading days of the month with basket prices.';
COMMENT ON COLUMN marts.divergence_monthly.members IS 'Basket members counted: a market cap and USD TTM revenue filed by month_end_date, at most max_overdue_quarters overdue (catalogs/assumptions.toml [ragged_edge]).';
COMMENT ON COLUMN marts.divergence_monthly.member_tickers IS 'Tickers counted in the basket that month.';
COMMENT ON COLUMN marts.divergence_monthly.excluded_tickers IS 'Catalog basket tickers not counted that month: no market cap (not listed, or no shares filed), no USD revenue (TSM before its USD rows), or stale (stale_tickers).';
COMMENT ON COLUMN marts.divergence_monthly.basket_market_cap IS 'Sum of members'' market caps on month_end_date, USD (split-consistent shares x adjusted close).';
COMMENT ON COLUMN marts.divergence_monthly.basket_ttm_revenue IS 'Sum of members'' TTM revenue used, USD: as filed, or nowcast / carried forward over the ragged edge (revenue_basis).';
COMMENT ON COLUMN marts.divergence_monthly.basket_ttm_revenue_filed IS 'Sum of members'' last filed TTM revenue, USD, with no nowcast: stale over the ragged edge.';
COMMENT ON COLUMN marts.divergence_monthly.price_to_sales IS 'Cap-weighted price-to-sales: basket_market_cap / basket_ttm_revenue.';
COMMENT ON COLUMN marts.divergence_monthly.price_to_sales_filed IS 'basket_market_cap / basket_ttm_revenue_filed: price-to-sales on filed revenue only (overstated while revenue grows past the last filing).';
COMMENT ON COLUMN marts.divergence_monthly.price_to_sales_equal_weight IS 'Mean of the members'' own price-to-sales ratios (revenue as used).';
COMMENT ON COLUMN marts.divergence_monthly.revenue_basis IS 'reported (every member''s latest quarter filed or not yet due), nowcast (some member extrapolated by its trailing growth past an overdue filing) or carried_forward (some member beyond the nowcast horizon, held flat).';
COMMENT ON COLUMN marts.divergence_monthly.oldest_revenue_period IS 'Oldest fiscal quarter end behind the members'' filed revenue.';
COMMENT ON COLUMN marts.divergence_monthly.newest_revenue_period IS 'Newest fiscal quarter end behind the members'' filed revenue.';
COMMENT ON COLUMN marts.divergence_monthly.revenue_age_days IS 'Days from oldest_revenue_period to month_end_date: how stale the revenue is.';
COMMENT ON COLUMN marts.divergence_monthly.revenue_overdue_quarters IS 'Most quarters any member is overdue (quarter end + filing lag passed with no filing in the data).';
COMMENT ON COLUMN marts.divergence_monthly.nowcast_tickers IS 'Members whose TTM revenue is nowcast this month.';
COMMENT ON COLUMN marts.divergence_monthly.carried_forward_tickers IS 'Members whose TTM revenue is held flat beyond the nowcast horizon.';
COMMENT ON COLUMN marts.divergence_monthly.log_price_to_sales IS 'Natural log of price_to_sales.';
COMMENT ON COLUMN marts.divergence_monthly.ps_zscore IS 'Expanding z-score of log_price_to_sales: (x_t - mean of earlier months) / their standard deviation, from the history start; nothing looks ahead.';
COMMENT ON COLUMN marts.divergence_monthly.ps_zscore_history_months IS 'Months of history before this month behind ps_zscore.';
COMMENT ON COLUMN marts.divergence_monthly.coint_gap_eg IS 'Engle-Granger cointegration gap: log basket cap minus (a + b log TTM revenue), a and b by OLS over the estimation sample (months up to the ragged edge). Uses the whole sample: looks ahead before its end.';
COMMENT ON COLUMN marts.divergence_monthly.coint_gap_eg_realtime IS 'The same gap with a and b estimated only on months up to this one (expanding window): what was knowable then.';
COMMENT ON COLUMN marts.divergence_monthly.coint_gap_johansen IS 'Johansen / VECM gap: log cap + beta log revenue, the rank-1 cointegrating relation normalised on log cap (unrestricted constant, Johansen case 3), centred on its mean over the estimation sample.';
COMMENT ON COLUMN marts.divergence_monthly.coint_in_sample IS 'True when the month is in the cointegration estimation sample (before the ragged edge).';
COMMENT ON COLUMN marts.divergence_monthly.eg_speed IS 'Error-correction speed: coefficient on the lagged Engle-Granger gap in the ECM of monthly log cap changes (negative = the gap closes). Same for every row of a run.';
COMMENT ON COLUMN marts.divergence_monthly.eg_half_life_months IS 'Months for the gap to halve at eg_speed: ln(0.5) / ln(1 + speed); NULL without error correction.';
COMMENT ON COLUMN marts.divergence_monthly.eg_pvalue IS 'MacKinnon p-value of the Engle-Granger cointegration test (statsmodels coint) over the estimation sample.';
COMMENT ON COLUMN marts.divergence_monthly.johansen_alpha_cap IS 'VECM loading of log cap on the Johansen gap (adjustment speed of valuations).';
COMMENT ON COLUMN marts.divergence_monthly.johansen_half_life_months IS 'Months for the Johansen gap to halve: ln(0.5) / ln(1 + beta''alpha).';
COMMENT ON COLUMN marts.divergence_monthly.hyperscaler_members IS 'Hyperscalers (catalog role) with TTM capex and revenue filed by month end.';
COMMENT ON COLUMN marts.divergence_monthly.hyperscaler_tickers IS 'Hyperscalers summed that month (MSFT, GOOGL, META, AMZN, ORCL in the snapshot).';
COMMENT ON COLUMN marts.divergence_monthly.hyperscaler_ttm_capex IS 'Sum of hyperscalers'' TTM capex, USD, with the same ragged-edge treatment as revenue.';
COMMENT ON COLUMN marts.divergence_monthly.hyperscaler_ttm_revenue IS 'Sum of hyperscalers'' TTM revenue, USD.';
COMMENT ON COLUMN marts.divergence_monthly.hyperscaler_capex_to_revenue IS 'hyperscaler_ttm_capex / hyperscaler_ttm_revenue.';
COMMENT ON COLUMN marts.divergence_monthly.hyperscaler_basis IS 'reported, nowcast or carried_forward, for the hyperscalers'' capex and revenue.';
COMMENT ON COLUMN marts.divergence_monthly.capex_growth_yoy IS 'Hyperscaler TTM capex against twelve months earlier, minus 1 (same companies in both months).';
COMMENT ON COLUMN marts.divergence_monthly.hyperscaler_revenue_growth_yoy IS 'Hyperscaler TTM revenue against twelve months earlier, minus 1: the revenue the capex is meant to earn.';
COMMENT ON COLUMN marts.divergence_monthly.capex_gap IS 'capex_growth_yoy - hyperscaler_revenue_growth_yoy: how much faster spending grows than the revenue it should earn.';
COMMENT ON COLUMN marts.divergence_monthly.gpu_vendor_quarter_end IS 'Fiscal quarter end of the GPU vendor''s (NVDA) last filed quarterly revenue used for the run-rate.';
COMMENT ON COLUMN marts.divergence_monthly.gpu_vendor_basis IS 'reported, nowcast or carried_forward, for the GPU vendor''s quarterly revenue.';
COMMENT ON COLUMN marts.divergence_monthly.data_center_share IS 'The GPU vendor''s data-centre revenue / total revenue in its last fiscal year complete (all four quarters filed) by the month end, used only where no segment revenue was released yet.';
COMMENT ON COLUMN marts.divergence_monthly.data_center_share_fiscal_year IS 'Fiscal year whose data-centre share is used (NULL when segment revenue is used).';
COMMENT ON COLUMN marts.divergence_monthly.gpu_spend_run_rate IS 'GPU spend run-rate, USD a year: the GPU vendor''s data-centre segment revenue of its last released quarter x 4, else its last filed quarterly revenue x 4 x the data-centre share of its last complete fiscal year (data_center_basis). Trailing, where Cahn used forward run-rates.';
COMMENT ON COLUMN marts.divergence_monthly.data_center_spend IS 'gpu_spend_run_rate x cost_multiple (Cahn: GPUs are half of data-centre total cost of ownership).';
COMMENT ON COLUMN marts.divergence_monthly.required_ai_revenue IS 'data_center_spend x margin_multiple (Cahn: a 50% gross margin for the end user): AI revenue needed a year, USD, computed here on trailing spend (required_revenue_basis).';
COMMENT ON COLUMN marts.divergence_monthly.realized_ai_revenue IS 'Realized AI revenue a year, USD, from data: the AI labs'' latest annualised revenue reports published by the month end, summed (Epoch AI, AI Companies; realized_ai_revenue_basis). A lower bound on end-user AI revenue.';
COMMENT ON COLUMN marts.divergence_monthly.realized_ai_revenue_as_of IS 'Date (YYYY-MM-DD) of the newest lab revenue report used.';
COMMENT ON COLUMN marts.divergence_monthly.required_revenue_gap IS 'required_ai_revenue - realized_ai_revenue, USD a year: Sequoia''s "hole", against the labs'' reported revenue.';
COMMENT ON COLUMN marts.divergence_monthly.bubble_bsadf IS 'PSY backward sup ADF statistic of the basket price-to-sales ending this month (marts.bubble_sequence, series ai_basket_price_to_sales).';
COMMENT ON COLUMN marts.divergence_monthly.bubble_bsadf_cv IS 'Monte Carlo critical value of bubble_bsadf at the configured level (default 95%).';
COMMENT ON COLUMN marts.divergence_monthly.bubble_exuberant IS 'True when the month lies in a dated explosive episode of the basket price-to-sales (marts.bubble_episodes).';
COMMENT ON COLUMN marts.divergence_monthly.notes IS 'Why any measure of the row is absent, and how the ragged edge or a partial month affects it.';
COMMENT ON COLUMN marts.divergence_monthly.synthetic IS 'True when built from the synthetic sample.';
COMMENT ON COLUMN marts.divergence_monthly.run_id IS 'The run that estimated the row (meta.model_runs).';
COMMENT ON COLUMN marts.divergence_monthly.stale_tickers IS 'Members left out of the basket that month because their newest filed quarter is more than max_overdue_quarters overdue (e.g. no fresh fundamentals in the data).';
COMMENT ON COLUMN marts.divergence_monthly.member_revenue_age_days IS 'MAP ticker -> days from its newest filed quarter end to month_end_date, for every member with filed revenue (counted or stale): member_revenue_age_days[''NVDA''].';
COMMENT ON COLUMN marts.divergence_monthly.data_center_basis IS 'How gpu_spend_run_rate was obtained: the segment quarter and its release date, or the fiscal-year share used.';
COMMENT ON COLUMN marts.divergence_monthly.required_revenue_basis IS 'What required_ai_revenue rests on: trailing reported spend here, against Cahn''s forward run-rates.';
COMMENT ON COLUMN marts.divergence_monthly.realized_ai_revenue_age_days IS 'Days from the oldest lab report used to the month end.';
COMMENT ON COLUMN marts.divergence_monthly.realized_ai_revenue_companies IS 'The labs whose reports are summed in realized_ai_revenue.';
COMMENT ON COLUMN marts.divergence_monthly.realized_ai_revenue_basis IS 'What realized_ai_revenue measures and leaves out.';
COMMENT ON COLUMN marts.divergence_monthly.realized_ai_revenue_cahn IS 'David Cahn''s own estimate of realized AI revenue (Sequoia, Sept 2023 and June 2024), USD a year: an assumption from catalogs/assumptions.toml, carried forward from its month, kept beside the data for comparison; not used in the gap.';
COMMENT ON COLUMN marts.divergence_monthly.realized_ai_revenue_cahn_as_of IS 'Month (YYYY-MM) of the Cahn estimate used; its age is the distance to month.';
