"""Divergence models: expanding z-score, cointegration gap (against statsmodels), capex gap, required
revenue, the basket and its ragged edge (against marts.ai_basket_daily), and the assumptions file."""

from __future__ import annotations

import json
import math
import shutil
import warnings

import duckdb
import numpy as np
import pandas as pd
import pytest

from models.basket import AIBasket, RaggedEdge, filed_values
from models.divergence import (
    Assumption,
    CapexGap,
    CointegrationGap,
    ExpandingZScore,
    RequiredRevenue,
    RequiredRevenueAssumptions,
    half_life,
    recorded_warnings,
)
from flows.config import ASSUMPTIONS_PATH, load_assumptions
from models.config import AssumptionsError

MONTHS = pd.date_range("2000-01-01", periods=120, freq="MS")


# -- expanding z-score --------------------------------------------------------------------------


def test_zscore_uses_only_the_past_and_matches_the_formula():
    rng = np.random.default_rng(1)
    x = pd.Series(rng.normal(size=120).cumsum(), index=MONTHS)
    z = ExpandingZScore(x, min_history=24).fit()
    t = 60
    past = x.iloc[:t]
    assert z.zscore.iloc[t] == pytest.approx((x.iloc[t] - past.mean()) / past.std(ddof=1))
    assert z.zscore.iloc[:24].isna().all() and z.zscore.iloc[24:].notna().all()
    assert "needs 24 months" in z.reason(MONTHS[10]) and z.reason(MONTHS[50]) is None
    shocked = x.copy()
    shocked.iloc[t + 1:] += 100.0  # the future changes; nothing up to t may move
    again = ExpandingZScore(shocked, min_history=24).fit()
    pd.testing.assert_series_equal(again.zscore.iloc[: t + 1], z.zscore.iloc[: t + 1])


# -- cointegration, against statsmodels on macrodata ---------------------------------------------


@pytest.fixture(scope="module")
def macro() -> pd.DataFrame:
    import statsmodels.api as sm

    data = sm.datasets.macrodata.load_pandas().data
    index = pd.period_range("1959Q1", periods=len(data), freq="Q").to_timestamp()
    return pd.DataFrame({"cons": np.log(data["realcons"].to_numpy()), "inc": np.log(data["realdpi"].to_numpy())},
                        index=index)


def test_cointegration_reproduces_statsmodels_on_macrodata(macro):
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tsa.stattools import coint
    from statsmodels.tsa.vector_ar.vecm import VECM, coint_johansen, select_order

    fit = CointegrationGap(macro["cons"], macro["inc"], vecm_max_lags=8, lag_criterion="bic",
                           realtime_min_months=40).fit()
    eg = fit.engle_granger
    ref = coint(macro["cons"].to_numpy(), macro["inc"].to_numpy(), trend="c", autolag="aic")
    assert eg.statistic == pytest.approx(ref.coint_t, abs=1e-10)
    assert eg.pvalue == pytest.approx(ref.pvalue, abs=1e-10)
    ols = OLS(macro["cons"].to_numpy(), np.column_stack([np.ones(len(macro)), macro["inc"].to_numpy()])).fit()
    assert (eg.intercept, eg.slope) == pytest.approx(tuple(ols.params), abs=1e-10)
    np.testing.assert_allclose(eg.gap.to_numpy(), ols.resid, atol=1e-10)
    # The ECM by hand: d cons on the lagged residual, d inc, and one lag of each difference.
    dy, dx = macro["cons"].diff(), macro["inc"].diff()
    frame = pd.DataFrame({"dy": dy, "gap": eg.gap.shift(1), "dx": dx, "dy1": dy.shift(1), "dx1": dx.shift(1)}).dropna()
    ecm = OLS(frame["dy"].to_numpy(), np.column_stack([np.ones(len(frame)), frame.drop(columns="dy").to_numpy()])).fit()
    assert eg.speed == pytest.approx(ecm.params[1], abs=1e-12)
    assert eg.half_life == pytest.approx(math.log(0.5) / math.log(1 + ecm.params[1]))
    data = macro[["cons", "inc"]].to_numpy()
    k = int(select_order(data, maxlags=8, deterministic="co").selected_orders["bic"])
    jo = fit.johansen
    assert jo.k_ar_diff == k
    np.testing.assert_allclose(jo.trace, coint_johansen(data, 0, k).lr1, atol=1e-10)
    vecm = VECM(data, k_ar_diff=k, coint_rank=1, deterministic="co").fit()
    assert jo.beta_revenue == pytest.approx(vecm.beta[1, 0] / vecm.beta[0, 0], abs=1e-10)
    assert jo.alpha_cap == pytest.approx(vecm.alpha[0, 0] * vecm.beta[0, 0], abs=1e-10)
    assert jo.gap.mean() == pytest.approx(0.0, abs=1e-12)  # centred on the estimation sample
    assert jo.half_life == pytest.approx(half_life(1 + vecm.beta[:, 0] @ vecm.alpha[:, 0]))
    assert "Engle-Granger" in fit.summary() and "Johansen" in fit.summary()


def test_cointegration_records_specification_warnings_and_the_realtime_gap_looks_back_only():
    rng = np.random.default_rng(7)
    a = pd.Series(rng.normal(size=120).cumsum(), index=MONTHS)
    b = pd.Series(rng.normal(size=120).cumsum(), index=MONTHS)  # independent walks: no cointegration
    fit = CointegrationGap(a, b, realtime_min_months=36, vecm_max_lags=4).fit()
    assert any("no cointegration at 5%" in w for w in fit.warnings)
    assert fit.realtime_gap.iloc[:35].isna().all()
    late = CointegrationGap(a.where(a.index <= MONTHS[70], a + 50), b, realtime_min_months=36, vecm_max_lags=4).fit()
    pd.testing.assert_series_equal(late.realtime_gap.iloc[:71], fit.realtime_gap.iloc[:71])


def test_statistical_warnings_are_recorded_not_printed(recwarn):
    notes: list[str] = []
    with recorded_warnings(notes, "model"):
        from statsmodels.tools.sm_exceptions import ConvergenceWarning

        warnings.warn("did not converge", ConvergenceWarning)
    assert notes == ["model: ConvergenceWarning: did not converge"]
    assert len(recwarn) == 0


def test_half_life():
    assert half_life(0.5) == pytest.approx(1.0)
    assert math.isnan(half_life(1.0)) and math.isnan(half_life(-0.2))


# -- capex gap and required revenue -----------------------------------------------------------------


def test_capex_gap_compares_like_with_like():
    months = pd.date_range("2020-01-01", periods=25, freq="MS")
    tickers = [["A", "B"]] * 13 + [["A", "B", "C"]] * 12
    frame = pd.DataFrame({"month": months, "hyperscaler_tickers": tickers,
                          "hyperscaler_ttm_capex": np.linspace(100, 200, 25),
                          "hyperscaler_ttm_revenue": np.linspace(1000, 1100, 25),
                          "hyperscaler_capex_to_revenue": 0.1})
    gap = CapexGap(frame).fit().frame
    row = gap.loc["2021-01-01"]
    assert row["capex_growth_yoy"] == pytest.approx(frame["hyperscaler_ttm_capex"].iloc[12] / 100 - 1)
    assert row["capex_gap"] == pytest.approx(row["capex_growth_yoy"] - row["hyperscaler_revenue_growth_yoy"])
    assert math.isnan(gap.loc["2021-02-01", "capex_gap"])  # C joined: not the same companies
    assert "differ" in gap.loc["2021-02-01", "capex_gap_reason"]
    assert "a year earlier" in gap.loc["2020-05-01", "capex_gap_reason"]


def _assumptions(**realized) -> RequiredRevenueAssumptions:
    return RequiredRevenueAssumptions(
        gpu_vendor=Assumption("gpu_vendor", "GPU", "ticker", "test"),
        cost_multiple=Assumption("cost_multiple", 2.0, "x", "Cahn"),
        margin_multiple=Assumption("margin_multiple", 2.0, "x", "Cahn"),
        data_center_revenue=Assumption("data_center_revenue", {"FY2024": 30.0}, "USD", "10-K"),
        realized_ai_revenue=tuple(Assumption(k, v, "USD", "Cahn") for k, v in realized.items()),
    )


def _labs(*reports) -> pd.DataFrame:
    return pd.DataFrame([{"company": c, "report_date": pd.Timestamp(d), "published_at": pd.Timestamp(d),
                          "annualised_revenue": v} for c, d, v in reports])


def test_required_revenue_uses_a_fiscal_years_share_only_once_that_year_is_complete():
    ends = pd.to_datetime(["2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"])
    quarters = pd.DataFrame({"ticker": "GPU", "fiscal_period_end": ends, "fiscal_year": 2024,
                             "filed_at": ends + pd.Timedelta(days=30), "revenue_usd": [5.0, 10.0, 15.0, 20.0]})
    months = pd.DataFrame({"month": pd.date_range("2023-01-01", periods=14, freq="MS")})
    months["month_end_date"] = months["month"] + pd.offsets.MonthEnd(0)
    labs = _labs(("LabA", "2023-10-15", 30.0), ("LabB", "2023-11-20", 20.0), ("LabA", "2024-01-10", 40.0))
    fit = RequiredRevenue(quarters, months, _assumptions(**{"2023-10": 50.0}), lab_revenue=labs).fit()
    frame = fit.frame
    share = 30.0 / 50.0  # FY2024 data-centre revenue over the four quarters' total
    # FY2024 is complete only when its fourth quarter is filed (2024-01-30): before that, no share may be used
    # (the year's share would be known only after the year), so there is no required revenue.
    nov = frame.loc["2023-11-01"]
    assert math.isnan(nov["required_ai_revenue"]) and "complete" in nov["required_revenue_reason"]
    jan = frame.loc["2024-01-01"]  # 2024-01-31: Q4 (20.0) filed 2024-01-30, FY2024 complete
    assert jan["data_center_share_fiscal_year"] == 2024
    assert jan["gpu_spend_run_rate"] == pytest.approx(20.0 * 4 * share)
    assert jan["required_ai_revenue"] == pytest.approx(20.0 * 4 * share * 2 * 2)
    # Realized revenue is the labs' latest reports published by the month end, summed, with their dates.
    assert jan["realized_ai_revenue"] == pytest.approx(40.0 + 20.0)
    assert jan["realized_ai_revenue_as_of"] == "2024-01-10" and jan["realized_ai_revenue_companies"] == ["LabA", "LabB"]
    assert jan["required_revenue_gap"] == pytest.approx(20.0 * 4 * share * 4 - 60.0)
    assert frame.loc["2023-10-01", "realized_ai_revenue"] == pytest.approx(30.0)  # LabB's report not out yet
    assert math.isnan(frame.loc["2023-09-01", "realized_ai_revenue"])
    # Cahn's own estimate stays beside the data as a labelled assumption, from its month.
    assert jan["realized_ai_revenue_cahn"] == 50.0 and jan["realized_ai_revenue_cahn_as_of"] == "2023-10"
    assert math.isnan(frame.loc["2023-09-01", "realized_ai_revenue_cahn"])
    assert "trailing" in jan["required_revenue_basis"] and "forward" in jan["required_revenue_basis"]
    assert "no GPU quarterly revenue" in frame.loc["2023-01-01", "required_revenue_reason"]


def test_cahns_published_inputs_give_his_200bn_and_600bn():
    """David Cahn (Sequoia): a $50B GPU run-rate in Sept 2023 -> $200B ("AI's $200B Question"); $150B in June
    2024 -> $600B ("AI's $600B Question"), with x2 for the data centre's total cost and x2 for the end user's
    margin. Fed as the vendor's data-centre segment (a quarter of the run-rate each), the chain gives his
    figures exactly."""
    segments = pd.DataFrame({"segment": "Data Center", "fiscal_year": [2024, 2025], "fiscal_quarter": [2, 1],
                             "released_at": pd.to_datetime(["2023-08-23", "2024-05-22"]),
                             "segment_revenue": [50e9 / 4, 150e9 / 4], "release_imputed": False})
    months = pd.DataFrame({"month": pd.to_datetime(["2023-07-01", "2023-09-01", "2024-06-01"])})
    months["month_end_date"] = months["month"] + pd.offsets.MonthEnd(0)
    quarters = pd.DataFrame({"ticker": "GPU", "fiscal_period_end": pd.to_datetime(["2023-04-30"]), "fiscal_year": 2024,
                             "filed_at": pd.to_datetime(["2023-05-26"]), "revenue_usd": [7.2e9]})
    frame = RequiredRevenue(quarters, months, _assumptions(), segments=segments).fit().frame
    assert frame.loc["2023-09-01", "required_ai_revenue"] == pytest.approx(200e9, rel=1e-12)
    assert frame.loc["2024-06-01", "required_ai_revenue"] == pytest.approx(600e9, rel=1e-12)
    assert frame.loc["2023-09-01", "data_center_basis"].startswith("segment: GPU Data Center FY2024 Q2 x 4, released")
    # Before the segment figure is released, it is not used: the fiscal-year fallback has no complete year.
    assert math.isnan(frame.loc["2023-07-01", "required_ai_revenue"])


# -- the basket and its ragged edge -------------------------------------------------------------------


def test_ragged_edge_nowcasts_then_holds():
    ends = pd.date_range("2020-03-31", periods=8, freq="QE")
    fundamentals = pd.DataFrame({"ticker": "X", "fiscal_period_end": ends, "filed_at": ends + pd.Timedelta(days=30),
                                 "ttm_revenue_usd": 100.0 * 1.1 ** np.arange(8)})
    points = pd.DataFrame({"ticker": "X", "date": pd.to_datetime(["2020-04-15", "2022-04-15", "2022-06-15",
                                                                  "2022-08-31", "2023-06-30"])})
    got = filed_values(points, fundamentals, "ttm_revenue_usd", RaggedEdge(filing_lag_days=60, max_nowcast_quarters=2))
    last = 100.0 * 1.1 ** 7  # Q4 2021, filed 2022-01-30; Q1 2022 is due by 2022-05-30
    assert pd.isna(got["basis"].iloc[0])  # nothing filed yet
    assert list(got["basis"].iloc[1:]) == ["reported", "nowcast", "nowcast", "carried_forward"]
    assert list(got["overdue_quarters"].iloc[1:]) == [0, 1, 2, 5]
    growth = (last / (100.0 * 1.1 ** 3)) ** 0.25
    assert got["ttm_revenue_usd_used"].iloc[2] == pytest.approx(last * growth)
    assert got["ttm_revenue_usd_used"].iloc[3] == pytest.approx(last * growth ** 2)
    assert got["ttm_revenue_usd_used"].iloc[4] == pytest.approx(last * growth ** 2)  # held at the horizon
    held = filed_values(points, fundamentals, "ttm_revenue_usd", RaggedEdge(method="carry_forward"))
    assert list(held["basis"].iloc[1:]) == ["reported"] + ["carried_forward"] * 3
    assert held["ttm_revenue_usd_used"].iloc[4] == pytest.approx(last)


@pytest.fixture(scope="module")
def snapshot_marts(snapshot_run, tmp_path_factory):
    settings, _ = snapshot_run
    path = tmp_path_factory.mktemp("marts") / "analytics.duckdb"
    shutil.copy(settings.analytics_db, path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        members = [r[0] for r in con.execute(
            "SELECT ticker FROM marts.series WHERE kind = 'price' AND list_contains(roles, 'ai_basket')").fetchall()]
        hyper = [r[0] for r in con.execute(
            "SELECT ticker FROM marts.series WHERE kind = 'fundamentals' AND list_contains(roles, 'hyperscaler')"
        ).fetchall()]
        prices = con.execute("SELECT ticker, date, market_cap, synthetic FROM marts.prices_daily "
                             "WHERE list_contains(?, ticker)", [members]).df()
        fundamentals = con.execute("SELECT * FROM marts.fundamentals_quarterly").df()
        mart = con.execute("SELECT * FROM marts.ai_basket_daily ORDER BY date").df()
    finally:
        con.close()
    return tuple(sorted(members)), tuple(sorted(hyper)), prices, fundamentals, mart


def test_monthly_basket_says_how_stale_its_revenue_is(snapshot_marts):
    members, hyper, prices, fundamentals, _ = snapshot_marts
    fit = AIBasket(members, hyper, RaggedEdge(), start="2015-01").fit(prices, fundamentals)
    m = fit.monthly.set_index("month")
    assert m.index[0] == pd.Timestamp("2015-01-01") and m.index[-1] == pd.Timestamp("2026-08-01")
    # TSM's FMP rows are in TWD (never summed); its ConceptStocks rows in USD from 2023 make it a member.
    assert "TSM" in m.loc["2019-12-01", "excluded_tickers"] and "TSM" in m.loc["2024-12-01", "member_tickers"]
    assert m.loc["2019-12-01", "revenue_basis"] == "reported"
    last = m.iloc[-1]
    # Fresh revenue (ConceptStocks, to 2026-Q2) for every member but PLTR and SMCI, which are stale and left out.
    assert last["revenue_basis"] == "reported" and last["revenue_age_days"] <= 150
    assert last["stale_tickers"] == ["PLTR", "SMCI"] and {"PLTR", "SMCI"} <= set(last["excluded_tickers"])
    ages = dict((d["k"], d["v"]) for d in json.loads(last["member_revenue_age_json"]))
    assert ages["PLTR"] > 400 and max(v for k, v in ages.items() if k not in ("PLTR", "SMCI")) <= 150
    assert not last["month_complete"] and last["trading_days"] == 1
    # In 2025 SMCI's filings ran late: nowcast first, then stale.
    assert "SMCI" in m.loc["2025-12-01", "stale_tickers"]
    assert set(m["hyperscaler_tickers"].iloc[-1]) == {"AMZN", "GOOGL", "META", "MSFT", "ORCL"}
    assert 0 < m.loc["2024-12-01", "hyperscaler_capex_to_revenue"] < 0.5
    assert "reported" in fit.summary() or "carried_forward" in fit.summary()


# -- the assumptions file --------------------------------------------------------------------------------


def test_bundled_assumptions_load_with_sources():
    a = load_assumptions()
    assert a.value("required_revenue", "cost_multiple") == 2.0
    assert a.value("required_revenue", "margin_multiple") == 2.0
    assert "Cahn" in a.entries["required_revenue"]["cost_multiple"].source
    assert [r.key for r in a.realized_ai_revenue] == ["2023-09", "2024-06"]
    text = a.describe()
    assert "AI's $600B Question" in text and "AI's $200B Question" in text
    assert a.ragged_edge == RaggedEdge(filing_lag_days=60, max_nowcast_quarters=2, method="nowcast")


@pytest.mark.parametrize(
    "edit,problem",
    [
        (("cost_multiple = { value = 2.0,", "cost_multiple = { value = 2.0, typo = 1,"), "required_revenue.cost_multiple.typo"),
        (("[estimate]", "[estimate]\nsurprise = { value = 1, unit = \"x\", source = \"y\" }"), "estimate.surprise"),
        (("[bubbles]", "[mystery]\n[bubbles]"), "mystery"),
        (("value = 0.95, ", "value = \"high\", "), "bubbles.level"),
        (("source = \"gapcast: fixed so critical", "note = \"gapcast: fixed so critical"), "bubbles.seed"),
        (("value = \"nowcast\"", "value = \"guess\""), "ragged_edge.method"),
    ],
)
def test_assumptions_refuse_unknown_or_bad_keys_naming_file_and_key(tmp_path, edit, problem):
    text = ASSUMPTIONS_PATH.read_text()
    assert edit[0] in text
    path = tmp_path / "assumptions.toml"
    path.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(AssumptionsError) as info:
        load_assumptions(path)
    message = str(info.value)
    assert str(path) in message and problem in message


def test_results_summaries_read(snapshot_marts):
    members, hyper, prices, fundamentals, _ = snapshot_marts
    basket = AIBasket(members, hyper, start="2010-01").fit(prices, fundamentals)
    monthly = basket.monthly
    assert "capex gap 2026-08" in CapexGap(monthly).fit().summary()
    months = monthly[["month", "month_end_date"]]
    fit = RequiredRevenue(fundamentals[fundamentals["ticker"] == "NVDA"], months,
                          load_assumptions().required_revenue).fit()
    assert "required AI revenue 2026-08" in fit.summary() and "Cahn" in fit.summary()
    z = ExpandingZScore(np.log(monthly.set_index("month")["price_to_sales"])).fit()
    assert "last 2026-08" in z.summary()
