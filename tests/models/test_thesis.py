"""The thesis tests (models/thesis.py): each statistic against a reference computed another way, the verdict rules,
and no look-ahead in the long basket."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from models import thesis as th


def _pair(n: int = 360, seed: int = 0, effect: float = 0.0):
    """A measure x (persistent) and a level y whose growth follows x's changes by ``effect`` with a 3-month lag."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("1990-01-01", periods=n, freq="MS")
    x = pd.Series(np.cumsum(rng.normal(0, 0.3, n)) * 0.2, index=months)
    dx = np.r_[0, np.diff(x.to_numpy())]
    growth = 0.001 + 0.003 * rng.normal(0, 1, n) + effect * np.r_[np.zeros(3), dx[:-3]]
    y = pd.Series(100 * np.exp(np.cumsum(growth)), index=months)
    controls = pd.DataFrame({"unrate": 5 + np.cumsum(rng.normal(0, 0.1, n)),
                             "term_spread": rng.normal(1, 0.5, n)}, index=months)
    return y, x, controls


def test_the_local_projection_equals_statsmodels_hac_ols_on_a_design_built_by_hand():
    """Coefficient and HAC standard error of the local projection at h = 1, 6, 12, 24 against OLS with
    cov_type="HAC" on the design written out row by row (to 1e-10), the bandwidth h - 1 + floor(4 (n/100)^(2/9)).
    Event time: the response is log y(t+h) - log y(t), after the measure's month only (whatever the target's
    publication lag), with the target's own growth in months t, t-1, t-2 and the controls at t-1."""
    y, x, controls = _pair(effect=2.0)
    spec = th.ThesisSpec(first_month="1990-01")
    rows, _ = th.local_projections(y, x, controls, spec, lag=2, link="b", measure="x", target="y", effect="y")
    by_h = {r["horizon"]: r for r in rows}
    ly, xs = 100 * np.log(y.to_numpy()), (x / x.std(ddof=1)).to_numpy()
    u, s = controls["unrate"].to_numpy(), controls["term_spread"].to_numpy()
    for h in (1, 6, 12, 24):
        dep, design = [], []
        for t in range(len(y)):
            # needs y at t + h and at t - 3 (the third own growth, t - 2's), the controls at t - 1
            if t + h >= len(y) or t - 3 < 0:
                continue
            dep.append(ly[t + h] - ly[t])
            design.append([1.0, xs[t], ly[t] - ly[t - 1], ly[t - 1] - ly[t - 2], ly[t - 2] - ly[t - 3],
                           u[t - 1], s[t - 1]])
        n = len(dep)
        maxlags = h - 1 + math.floor(4 * (n / 100) ** (2 / 9))
        ref = sm.OLS(np.array(dep), np.array(design)).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags})
        assert by_h[h]["n"] == n
        assert by_h[h]["estimate"] == pytest.approx(ref.params[1], abs=1e-10, rel=1e-10)
        assert by_h[h]["std_error"] == pytest.approx(ref.bse[1], abs=1e-10, rel=1e-10)
        z = stats.norm.ppf(0.95)
        assert by_h[h]["lo"] == pytest.approx(ref.params[1] - z * ref.bse[1], rel=1e-10)
        assert f"HAC maxlags {maxlags}" in by_h[h]["detail"]


def test_the_diebold_mariano_statistic_equals_a_hand_computation():
    """Twelve loss differences, h = 2: mean, autocovariances at lags 0 and 1 over n, the long-run variance, the
    HLN factor sqrt((n + 1 - 2h + h(h - 1)/n) / n), Student's t with n - 1 degrees of freedom."""
    a = np.array([1.0, 2.0, 0.5, 3.0, 1.5, 2.5, 0.2, 1.1, 2.2, 0.9, 1.7, 2.8])
    d = np.array([0.2, 0.4, 0.3, -0.1, -0.3, -0.2, 0.5, 0.6, 0.1, -0.4, -0.2, 0.3])  # runs: positive autocovariance
    b = a - d
    n, mean = 12, d.sum() / 12
    g0 = sum((d[t] - mean) ** 2 for t in range(n)) / n
    g1 = sum((d[t] - mean) * (d[t - 1] - mean) for t in range(1, n)) / n
    dm = mean / math.sqrt((g0 + 2 * g1) / n)
    hln = dm * math.sqrt((n + 1 - 4 + 2 * 1 / n) / n)
    stat, p = th.diebold_mariano(a, b, 2)
    assert stat == pytest.approx(hln, rel=1e-12)
    assert p == pytest.approx(2 * stats.t.sf(abs(hln), 11), rel=1e-12)
    with pytest.raises(th.ThesisInputError, match="too few"):
        th.diebold_mariano(a[:5], b[:5], 1)
    alternating = np.array([0.5, -0.5] * 6)  # a negative long-run variance is refused, not rooted
    with pytest.raises(th.ThesisInputError, match="not positive"):
        th.diebold_mariano(a, a - alternating - 0.01 * np.arange(12), 2)


def test_the_granger_test_equals_grangercausalitytests():
    """The F statistic from VAR(...).test_causality and its p-value (single-equation degrees of freedom) equal
    grangercausalitytests' ssr F test at the VAR's lag order, on data where x leads y and on data where it does
    not."""
    for effect in (0.0, 3.0):
        y, x, _ = _pair(seed=3, effect=effect)
        rows = th.granger(y, x, th.ThesisSpec(first_month="1991-01"), link="b", measure="x", target="y")
        forward = rows[0]
        with warnings.catch_warnings():  # grangercausalitytests' FutureWarning about its verbose argument
            warnings.simplefilter("ignore", FutureWarning)
            f, p = th.granger_reference(y, x, int(forward["horizon"]), "1991-01")
        assert forward["estimate"] == pytest.approx(f, rel=1e-10)
        assert forward["p_value"] == pytest.approx(p, rel=1e-8)
        assert {r["measure"] for r in rows} == {"x", "y"}  # both directions
    assert rows[0]["p_value"] < 0.01 and "improves" in rows[0]["verdict"]  # effect 3: x leads y
    # in event time: a target that moves a month BEFORE x is caused the other way round, whatever its lag
    rng = np.random.default_rng(8)
    months = pd.date_range("1990-01-01", periods=360, freq="MS")
    dy = rng.normal(0, 0.003, 360)
    x = pd.Series(np.cumsum(np.r_[0.0, 40 * dy[:-1]] + rng.normal(0, 0.02, 360)), index=months)  # x follows y
    y = pd.Series(100 * np.exp(np.cumsum(dy)), index=months)
    out = th.granger(y, x, th.ThesisSpec(first_month="1991-01"), link="b", measure="x", target="y")
    assert out[0]["p_value"] > 0.05 and out[1]["p_value"] < 0.001  # y -> x, not x -> y


def test_a_lead_needs_its_joint_p_value_below_alpha_and_ten_years_of_months():
    """Rule LP reads the largest |t| over the horizons against simulated independent targets: p < 0.10 says
    "precedes" with the sign and the effect at that horizon; otherwise no evidence; under 120 months, too short."""
    spec = th.ThesisSpec()

    def rows(n=300, sign=1.0):
        return [{"horizon": h, "estimate": sign * 0.1 * h, "std_error": 0.1, "lo": sign * 0.1 * h - 0.2,
                 "hi": sign * 0.1 * h + 0.2, "n": n} for h in range(1, 25)]

    v = th.lp_verdict(rows(sign=-1.0), spec, "gap", "T", "the T level", (2.4, 0.03, 200))
    assert v.startswith("a one-sd higher gap precedes the T level lower by 2.40% 24 months later") and "p 0.0300" in v
    assert "5 of 200 independent targets" in v  # (1 + 5) / 201 = 0.0299 rounds to 0.030: the count says it plainly
    assert th.lp_verdict(rows(), spec, "gap", "T", "T", (2.4, 0.25, 200)).startswith("no evidence that gap leads T")
    assert th.lp_verdict(rows(n=60), spec, "gap", "T", "T", (2.4, 0.03, 200)).startswith("too short to tell (60")
    assert th.lp_verdict(rows()[:2], spec, "gap", "T", "T", None).startswith("not estimated")
    with pytest.raises(th.ThesisInputError, match="joint p-value"):
        th.lp_verdict(rows(), spec, "gap", "T", "T", None)


def test_the_fast_hac_slope_equals_statsmodels():
    rng = np.random.default_rng(21)
    X = np.column_stack([np.ones(300), np.cumsum(rng.normal(0, 1, 300)), rng.normal(0, 1, (300, 3))])
    y = 0.3 * X[:, 1] + np.convolve(rng.normal(0, 1, 305), np.ones(6), "valid")
    for lags in (0, 5, 29):
        ref = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
        b, se = th.hac_slope(X, y, 1, lags)
        assert b == pytest.approx(ref.params[1], rel=1e-10) and se == pytest.approx(ref.bse[1], rel=1e-10)


def test_the_joint_p_value_is_about_uniform_for_a_target_independent_of_the_gap():
    """A target independent of a persistent measure by construction: its joint p-value is not small (the
    pointwise bands of the same fit are off zero at many horizons, the reason for the joint rule)."""
    y, x, controls = _pair(seed=30)
    spec = th.ThesisSpec(first_month="1990-06", null_draws=60)
    _, verdict = th.local_projections(y, x, controls, spec, lag=1, link="b", measure="x", target="y", effect="y")
    assert verdict.startswith("no evidence"), verdict
    # a target whose growth rises with the measure's level a month before: found, with its sign
    rng = np.random.default_rng(31)
    growth = 0.001 + 0.003 * rng.normal(0, 1, len(x)) + 0.004 * x.shift(1).fillna(0).to_numpy()
    y2 = pd.Series(100 * np.exp(np.cumsum(growth)), index=x.index)
    _, found = th.local_projections(y2, x, controls, spec, lag=1, link="b", measure="x", target="y", effect="y")
    assert "precedes the y level higher" in found or "precedes y higher" in found, found


def test_the_clark_west_statistic_equals_a_hand_computation_and_the_verdict_reads_its_sign():
    """f_t = (y - r)^2 - ((y - u)^2 - (r - u)^2), its mean over a Newey-West sd with h - 1 Bartlett lags, one-sided
    normal p; and on data where the gap predicts the target, out_of_sample says the error is lower with it."""
    y = np.array([1.0, 0.5, -0.2, 0.8, 1.5, 0.3, -0.6, 0.9, 1.2, 0.1, 0.4, -0.3])
    r = np.zeros(12)
    u = np.array([0.8, 0.2, 0.1, 0.5, 1.0, 0.4, -0.2, 0.6, 0.9, 0.0, 0.3, -0.1])
    f = (y - r) ** 2 - ((y - u) ** 2 - (r - u) ** 2)
    n, m = 12, f.mean()
    g0 = sum((f[t] - m) ** 2 for t in range(n)) / n
    g1 = sum((f[t] - m) * (f[t - 1] - m) for t in range(1, n)) / n
    cw = m / math.sqrt((g0 + 2 * 0.5 * g1) / n)  # h = 2: one lag, Bartlett weight 1 - 1/2
    stat, p = th.clark_west(y, r, u, 2)
    assert stat == pytest.approx(cw, rel=1e-12) and p == pytest.approx(stats.norm.sf(cw), rel=1e-12)
    # a gap that moves the target's next six months: the out-of-sample test finds it, and says the error fell
    rng = np.random.default_rng(12)
    months = pd.date_range("1990-01-01", periods=400, freq="MS")
    x = pd.Series(np.sin(np.arange(400) / 15.0) + rng.normal(0, 0.1, 400), index=months)
    growth = 0.001 + 0.002 * rng.normal(0, 1, 400) + 0.002 * x.shift(1).fillna(0).to_numpy()
    level = pd.Series(100 * np.exp(np.cumsum(growth)), index=months)
    controls = pd.DataFrame({"unrate": rng.normal(5, 0.3, 400)}, index=months)
    row = th.out_of_sample(level, x, controls, th.ThesisSpec(first_month="1990-06"), lag=1, target="T",
                           measure="gap", horizons=(6,), first_origin="1998-01")[0]
    assert row["estimate"] > 0 and row["p_value"] < 0.01
    assert "lower with the gap" in row["verdict"] and row["verdict"].startswith("adding gap improves")
    assert row["sample_start"] >= pd.Timestamp("1998-01-01")  # the first origin actually scored


def test_the_calendar_test_counts_seasons_and_compares_them_with_the_other_windows():
    """A target that falls 5% from September-November to March-May only after a wide November gap: the season
    test finds the difference (about -5 points, 1 row per season), and so does the comparison with the other
    six-month windows."""
    months = pd.date_range("1990-01-01", "2025-12-01", freq="MS")
    rng = np.random.default_rng(4)
    wide_years = {1997, 1998, 1999, 2007, 2013, 2020, 2021}
    z = pd.Series([2.0 if m.year in wide_years and m.month >= 9 else 0.0 for m in months], index=months)
    growth = pd.Series(0.001 + 0.001 * rng.normal(0, 1, len(months)), index=months)
    for year in wide_years:  # the fall comes in December-March after a wide November
        for m in pd.date_range(f"{year}-12-01", f"{year + 1}-03-01", freq="MS"):
            if m in growth.index:
                growth[m] -= 0.0125
    level = pd.Series(100 * np.exp(np.cumsum(growth.to_numpy())), index=months)
    out = th.calendar_test(level, z, th.ThesisSpec(first_month="1990-01"), target="T", measure="gap")
    season, windows = out
    assert season["test"] == "calendar_season" and season["n"] == 35  # seasons 1990/91 .. 2024/25
    assert season["estimate"] == pytest.approx(-5.0, abs=0.6) and season["p_value"] < 0.01
    assert "slower" in season["verdict"]
    assert windows["test"] == "calendar_windows" and windows["p_value"] < 0.10
    # the changes themselves, by definition: mean of March-May over mean of September-November, in percent
    ch = th.season_changes(level)
    ref = 100 * np.log(level["2000-03-01":"2000-05-01"].mean() / level["1999-09-01":"1999-11-01"].mean())
    assert ch.loc["1999-09-01", "change"] == pytest.approx(ref, rel=1e-12) and ch.loc["1999-09-01", "season"]


def test_the_sahm_indicator_is_the_rule_written_out():
    u = pd.Series([4.0] * 14 + [4.2, 4.4, 4.6, 4.8, 5.0], index=pd.date_range("2000-01-01", periods=19, freq="MS"))
    s = th.sahm_indicator(u)
    three = u.rolling(3).mean()
    for i in range(14, 19):
        assert s.iloc[i] == float(three.iloc[i] - three.iloc[i - 12:i].min() >= 0.5)
    assert s.iloc[:14].isna().sum() == 14 and s.iloc[-1] == 1.0


def _basket_inputs():
    days = pd.bdate_range("1990-01-01", "2002-12-31")
    rng = np.random.default_rng(9)
    prices, fundamentals = [], []
    for ticker, start in (("AAA", "1990-01-01"), ("BBB", "1994-06-01")):
        d = days[days >= start]
        cap = 1e9 * np.exp(np.cumsum(rng.normal(0.0004, 0.02, len(d))))
        prices.append(pd.DataFrame({"ticker": ticker, "date": d, "close": cap / 1e7, "market_cap": cap,
                                    "synthetic": True}))
        ends = pd.date_range(start, "2002-12-31", freq="QE")
        rev = 1e8 * np.exp(np.cumsum(rng.normal(0.02, 0.03, len(ends))))
        fundamentals.append(pd.DataFrame({
            "ticker": ticker, "fiscal_period_end": ends, "fiscal_year": ends.year, "fiscal_quarter": ends.quarter,
            "filed_at": ends + pd.Timedelta(days=40), "currency": "USD", "revenue_usd": rev, "capex_usd": np.nan,
            "ttm_revenue_usd": pd.Series(rev).rolling(4).sum().to_numpy(), "ttm_capex_usd": np.nan,
            "synthetic": True}))
    return pd.concat(prices, ignore_index=True), pd.concat(fundamentals, ignore_index=True)


def test_the_long_basket_at_a_month_uses_nothing_after_it():
    """Every price after 1998-06 tripled and every quarter filed after it doubled: the basket's P/S, z-score and
    12-month changes through 1998-06 are unchanged; BBB enters when its price and filed revenue begin."""
    prices, fundamentals = _basket_inputs()
    base = th.long_basket(("AAA", "BBB"), prices, fundamentals, start="1990-01", zscore_min_history=24).monthly
    cut = pd.Timestamp("1998-07-01")
    p2, f2 = prices.copy(), fundamentals.copy()
    p2.loc[p2["date"] >= cut, "market_cap"] *= 3
    f2.loc[f2["filed_at"] >= cut, "ttm_revenue_usd"] *= 2
    moved = th.long_basket(("AAA", "BBB"), p2, f2, start="1990-01", zscore_min_history=24).monthly
    cols = ["price_to_sales", "ps_zscore", "ps_change_12m", "cap_change_12m", "members"]
    before = base[base["month"] < cut].set_index("month")[cols]
    pd.testing.assert_frame_equal(before, moved[moved["month"] < cut].set_index("month")[cols])
    assert not np.allclose(base[base["month"] >= cut]["price_to_sales"], moved[moved["month"] >= cut]["price_to_sales"])
    first_bbb = base[base["member_tickers"].apply(lambda t: "BBB" in list(t))]["month"].min()
    # its fourth quarter (TTM) ends 1995-03-31 and is filed 40 days later, 1995-05-10: May is its first month
    assert first_bbb == pd.Timestamp("1995-05-01")
    assert base["ps_zscore"].notna().idxmax() >= 24  # the z-score waits for its history
    with pytest.raises(th.ThesisInputError, match="role 'tech_basket'"):
        th.long_basket((), prices, fundamentals)


def test_the_local_projection_design_reads_the_target_at_its_publication_lag():
    """With lag 2 the base month is t - 2 and the newest own growth is that of t - 2: perturbing y at t - 1 and
    t changes only the dependent variable of rows that end there, never a regressor of the row at t."""
    y, x, controls = _pair()
    d = th.lp_design(y, x, controls, 6, lag=2, own_lags=3, control_lag=1)
    t = pd.Timestamp("2000-06-01")
    y2 = y.copy()
    y2[pd.Timestamp("2000-05-01"):pd.Timestamp("2000-06-01")] *= 5
    d2 = th.lp_design(y2, x, controls, 6, lag=2, own_lags=3, control_lag=1)
    pd.testing.assert_series_equal(d.loc[t].drop("dep"), d2.loc[t].drop("dep"))
    assert d.loc[t, "dep"] == d2.loc[t, "dep"]  # y at t + 6 and t - 2 only
    assert list(d.columns) == ["dep", "x", "dy_l2", "dy_l3", "dy_l4", "unrate", "term_spread"]
