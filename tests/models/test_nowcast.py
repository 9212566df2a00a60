"""models.nowcast: the ragged-edge truncation, a DynamicFactorMQ nowcast of simulated one-factor data (loadings
recovered, intervals ordered, simulated paths equal to the Kalman smoother's moments), the news identities, no
news when nothing is released, the ragged edge, and inputs it must refuse."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from models.nowcast import NowcastInputError, TalentNowcast, known_at, posterior_draws

LOADINGS = {"A": 1.0, "B": 0.8, "C": -0.6, "D": 0.5}  # growth_i = loading_i x factor + noise, in percent
NOISE_SD = {"A": 0.6, "B": 0.6, "C": 0.5, "D": 0.7}
LAGS = {"A": 0, "B": 1, "C": 0, "D": 2}
ORIGIN = pd.Timestamp("2026-09-01")
HORIZON = pd.Timestamp("2027-06-01")


def one_factor_panel(seed: int = 3, months: int = 180, end: str = "2026-09-01") -> pd.DataFrame:
    """Levels whose 100 x log growth is loading x an AR(1) factor (0.6, unit shocks) plus white noise."""
    rng = np.random.default_rng(seed)
    index = pd.date_range(end=end, periods=months, freq="MS")
    factor = np.zeros(months)
    for t in range(1, months):
        factor[t] = 0.6 * factor[t - 1] + rng.normal()
    growth = {s: LOADINGS[s] * factor + rng.normal(0, NOISE_SD[s], months) for s in LOADINGS}
    return pd.DataFrame({s: 100 * np.exp(np.cumsum(g) / 100) for s, g in growth.items()}, index=index)


def nowcast(panel: pd.DataFrame, **changes) -> TalentNowcast:
    spec = dict(monthly=panel, targets=("A", "B"), origin=ORIGIN, horizon_end=HORIZON, lags=LAGS, factor_order=1,
                repetitions=2000)
    spec.update(changes)
    return TalentNowcast(**spec)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return one_factor_panel()


@pytest.fixture(scope="module")
def fitted(panel):
    return nowcast(panel).fit()


# -- known_at ------------------------------------------------------------------------------------


def test_known_at_truncates_each_column_by_its_lag_and_drops_later_rows():
    months = pd.date_range("2026-01-01", "2026-06-01", freq="MS")
    panel = pd.DataFrame({"x": [1, 2, 3, 4, 5, 6], "y": [10, 20, 30, 40, 50, 60], "z": [7.0] * 6}, index=months)
    known = known_at(panel, pd.Timestamp("2026-04-01"), {"y": 1, "z": 3})
    assert list(known.index) == list(months[:4])  # May and June are after the origin
    assert known["x"].tolist() == [1, 2, 3, 4]  # no lag: known through April
    assert known["y"].tolist()[:3] == [10, 20, 30] and np.isnan(known["y"].iloc[3])  # one month: through March
    assert known["z"].notna().tolist() == [True, False, False, False]  # three months: through January
    assert panel["y"].tolist() == [10, 20, 30, 40, 50, 60]  # the input is untouched
    with pytest.raises(NowcastInputError, match="y"):
        known_at(panel, pd.Timestamp("2026-04-01"), {"y": -1})
    with pytest.raises(NowcastInputError, match="first day"):
        known_at(panel, pd.Timestamp("2026-04-15"), {})


# -- the fit on simulated one-factor data ------------------------------------------------------


def test_fit_recovers_the_loadings_up_to_the_factors_sign_and_scale(fitted):
    assert fitted.status == "ok" and fitted.diagnostics["converged"]
    assert fitted.diagnostics["em_iterations"] < fitted.parameters["maxiter"]
    loading = fitted.diagnostics["loadings"]["factor 0"]
    sd = {s: v[1] for s, v in fitted.diagnostics["standardization"].items()}
    # The model loads standardized growth; in percent growth the loadings are proportional to the true ones.
    original = {s: loading[s] * sd[s] for s in LOADINGS}
    for s in ("B", "C", "D"):
        assert original[s] / original["A"] == pytest.approx(LOADINGS[s] / LOADINGS["A"], abs=0.12)
    json.dumps(fitted.parameters, allow_nan=False)
    json.dumps(fitted.diagnostics, allow_nan=False)


def test_forecast_levels_have_ordered_intervals_that_widen_with_the_horizon(fitted):
    fc = fitted.forecast
    assert list(fc.columns) == ["target_series", "month", "mean", "lo80", "hi80", "lo95", "hi95"]
    assert (fc["lo95"] < fc["lo80"]).all() and (fc["lo80"] < fc["mean"]).all()
    assert (fc["mean"] < fc["hi80"]).all() and (fc["hi80"] < fc["hi95"]).all()
    for target, rows in fc.groupby("target_series"):
        width = np.log(rows["hi80"] / rows["lo80"]).to_numpy()
        assert (np.diff(width) > 0).all(), target  # accumulated growth: the band widens month by month
        assert rows["month"].iloc[-1] == HORIZON
        # mean is the median level: the simulated paths' median sits on it
        paths = fitted.paths[target]
        assert np.allclose(paths.median(axis=1).to_numpy() / rows["mean"].to_numpy(), 1, atol=0.01)
    # A: lag 0, known through the origin; B: lag 1, known through August, so its nowcast starts in September.
    assert fc.loc[fc["target_series"] == "A", "month"].iloc[0] == pd.Timestamp("2026-10-01")
    assert fc.loc[fc["target_series"] == "B", "month"].iloc[0] == pd.Timestamp("2026-09-01")
    # the band of a one-month-ahead level is about the model's one-step growth uncertainty, not zero or huge
    first = fc[fc["target_series"] == "A"].iloc[0]
    assert 0.005 < np.log(first["hi80"] / first["lo80"]) < 0.05


def test_simulated_paths_match_the_kalman_smoother_mean_and_variance(panel):
    from statsmodels.tsa.statespace.dynamic_factor_mq import DynamicFactorMQ

    growth = 100 * np.log(panel).diff().iloc[1:]
    growth.loc[growth.index[-2:], "A"] = np.nan  # a ragged edge in-sample
    growth.index = growth.index.to_period("M")
    res = DynamicFactorMQ(growth, factors=1, factor_orders=1).fit(disp=False, em_initialization=False)
    n = int(res.nobs)
    draws = posterior_draws(res, n - 2, n + 5, 20_000, np.random.default_rng(0))
    pred = res.get_prediction(start=n - 2, end=n + 5, information_set="smoothed", original_scale=False)
    mean = np.asarray(pred.predicted_mean)[:, 0]
    var = np.asarray(pred.var_pred_mean)[:, 0, 0]
    assert np.abs(draws[:, :, 0].mean(axis=1) - mean).max() < 4 * np.sqrt(var.max() / 20_000)
    assert np.allclose(draws[:, :, 0].var(axis=1) / var, 1, atol=0.05)
    # joint, not only marginal: the ragged months and the future are drawn together, so the cumulated sum has
    # the variance of the smoother's joint distribution (which exceeds the sum of the marginal variances here:
    # growth is positively autocorrelated)
    total = draws[:, :, 0].sum(axis=0)
    assert total.var() > 1.2 * var.sum()


# -- the news --------------------------------------------------------------------------------------


def test_news_adds_up_to_the_change_in_the_forecast(fitted):
    gaps = fitted.diagnostics["news_identity_gaps"]
    assert max(gaps.values()) < 1e-8
    assert fitted.diagnostics["updates"] > 0
    totals = fitted.news_totals
    # statsmodels' identity: revised - previous = news impact + revision impact
    assert np.allclose(totals["revised"] - totals["previous"], totals["news_impact"] + totals["revision_impact"],
                       rtol=0, atol=1e-8)
    assert np.allclose(totals["total_impact"], totals["revised"] - totals["previous"], rtol=0, atol=1e-12)
    # the details add up to the news impact of each target and month
    summed = fitted.news.groupby(["target_series", "impact_month"])["impact"].sum()
    merged = totals.set_index(["target_series", "impact_month"])["news_impact"]
    assert np.allclose(summed.reindex(merged.index).fillna(0), merged, rtol=0, atol=1e-8)
    news = fitted.news
    assert np.allclose(news["news"], news["observed"] - news["forecast_prior"], rtol=0, atol=1e-10)
    assert np.allclose(news["impact"], news["news"] * news["weight"], rtol=0, atol=1e-12)
    # the level at the horizon: the series rows and the revisions add up to the change computed directly
    for target, rows in fitted.news_level.groupby("target_series"):
        total = rows[rows["updated_series"] == "total"].iloc[0]
        parts = rows.loc[rows["updated_series"] != "total", "impact_pct"].sum()
        assert parts == pytest.approx(total["impact_pct"], abs=1e-8)
        assert total["impact_pct"] == pytest.approx(100 * np.log(total["revised_level"] / total["previous_level"]),
                                                    abs=1e-8)
        mean = fitted.forecast.query("target_series == @target")["mean"].iloc[-1]
        assert total["revised_level"] == pytest.approx(mean, rel=1e-12)
        # the sum over impact months of the per-month totals is the level change too
        months = fitted.news_totals.query("target_series == @target")
        assert months["total_impact"].sum() == pytest.approx(total["impact_pct"], abs=1e-8)
    # A's own September value is news to A, and moves its level
    own = fitted.news_level.query("target_series == 'A' and updated_series == 'A'")["impact_pct"]
    assert len(own) == 1 and own.iloc[0] != 0
    released = set(zip(fitted.news["updated_series"], fitted.news["update_month"], strict=True))
    assert released == {("A", pd.Timestamp("2026-09-01")), ("C", pd.Timestamp("2026-09-01")),
                        ("B", pd.Timestamp("2026-08-01")), ("D", pd.Timestamp("2026-07-01"))}


def test_no_release_between_the_two_months_means_every_impact_is_exactly_zero():
    # every series ends in June: at the end of August and of September the same data are known
    panel = one_factor_panel(end="2026-06-01")
    result = nowcast(panel).fit()
    assert result.diagnostics["updates"] == 0 and result.diagnostics["revisions"] == 0
    assert result.news.empty
    assert (result.news_totals[["news_impact", "revision_impact", "total_impact"]] == 0).all().all()
    assert (result.news_level["impact_pct"] == 0).all()
    assert (result.news_totals["revised"] == result.news_totals["previous"]).all()


# -- the ragged edge ----------------------------------------------------------------------------


def test_a_target_two_months_behind_is_nowcast_from_right_after_its_own_last_month(panel):
    ragged = panel.copy()
    ragged.loc[ragged.index[-2:], "A"] = np.nan  # A ends in July; with lag 0 the others run to September
    result = nowcast(ragged, lags={}).fit()
    fc = result.forecast
    assert result.diagnostics["last_known"]["A"] == "2026-07"
    assert fc.loc[fc["target_series"] == "A", "month"].tolist() == list(pd.date_range("2026-08-01", HORIZON,
                                                                                       freq="MS"))
    assert fc.loc[fc["target_series"] == "B", "month"].iloc[0] == pd.Timestamp("2026-10-01")
    # The nowcast of A's missing August comes from the others' August: raise B's August growth (B loads on
    # the factor like A) and A's August nowcast rises; a forecast from A's own past would not move.
    shocked = ragged.copy()
    shocked.loc[shocked.index >= pd.Timestamp("2026-08-01"), "B"] *= np.exp(0.03)
    moved = nowcast(shocked, lags={}).fit().forecast
    august = pd.Timestamp("2026-08-01")

    def a_august(frame):
        return frame.loc[(frame["target_series"] == "A") & (frame["month"] == august), "mean"].iloc[0]

    assert 100 * np.log(a_august(moved) / a_august(fc)) > 0.3


# -- quarterly block, seasonal adjustment, convergence --------------------------------------------


def test_a_quarterly_series_enters_by_its_quarter_and_its_release_is_news(panel):
    # quarterly sums of a monthly level that loads on the factor like B, published two months after the quarter
    rng = np.random.default_rng(5)
    monthly_level = panel["B"] * np.exp(rng.normal(0, 0.002, len(panel)))
    quarterly = monthly_level.groupby(monthly_level.index.to_period("Q")).sum().to_frame("Q")
    quarterly = quarterly.iloc[:-1]  # 2026Q3 is not over
    result = nowcast(panel.drop(columns="B"), targets=("A",), quarterly=quarterly, lags={**LAGS, "Q": 2},
                     origin=pd.Timestamp("2026-08-01")).fit()
    assert result.parameters["quarterly_series"] == ["Q"]
    loading = result.diagnostics["loadings"]["factor 0"]
    assert np.sign(loading["Q"]) == np.sign(loading["A"])
    # 2026Q2 (ends in June) becomes known at the end of August: news dated June
    q_news = result.news[result.news["updated_series"] == "Q"]
    assert set(q_news["update_month"]) == {pd.Timestamp("2026-06-01")}
    assert max(result.diagnostics["news_identity_gaps"].values()) < 1e-8


def test_seasonal_factors_are_removed_and_added_back_to_the_level_paths(panel):
    pattern = 0.1 * np.sin(2 * np.pi * np.arange(12) / 12)  # log factors by calendar month, January first
    seasonal = panel.copy()
    seasonal["A"] = panel["A"] * np.exp(pattern[panel.index.month - 1])
    result = nowcast(seasonal, seasonally_adjust=("A",)).fit()
    factors = pd.Series(result.diagnostics["seasonal_factors"]["A"])
    assert np.allclose(factors.to_numpy(), pattern - pattern.mean(), atol=0.01)
    fc = result.forecast[result.forecast["target_series"] == "A"].set_index("month")["mean"]
    adjusted = np.log(fc.to_numpy()) - factors.reindex(fc.index.month).to_numpy()
    swing = np.log(fc).diff().abs().max()
    assert swing > 0.03 and np.abs(np.diff(adjusted)).max() < 0.01  # the swing is the season, not the trend


def test_em_stopped_early_is_reported_not_converged(panel):
    result = nowcast(panel, maxiter=2).fit()
    assert result.status == "not_converged" and not result.diagnostics["converged"]
    assert any("not converged after 2 of 2 EM iterations" in w for w in result.warnings)


# -- inputs it refuses ---------------------------------------------------------------------------


def test_nonpositive_levels_are_refused_naming_the_series(panel):
    bad = panel.copy()
    bad.loc[bad.index[40], "C"] = 0.0
    with pytest.raises(NowcastInputError, match=r"^C: .*positive"):
        nowcast(bad).fit()


def test_a_target_without_enough_history_is_refused_and_a_short_regressor_is_dropped(panel):
    short = panel.copy()
    short.loc[short.index[:-20], "B"] = np.nan  # 20 levels; lag 1 leaves 19 known, so 18 growth values
    with pytest.raises(NowcastInputError, match=r"^B: target has 18 monthly growth values known at 2026-09"):
        nowcast(short).fit()
    result = nowcast(short, targets=("A",)).fit()
    assert "B" in result.parameters["dropped"] and "B" not in result.parameters["monthly_series"]
    assert any("dropped B" in w for w in result.warnings)
    with pytest.raises(NowcastInputError, match="Z: target is not a column"):
        nowcast(panel, targets=("Z",)).fit()
