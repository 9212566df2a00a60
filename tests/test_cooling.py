"""models.cooling: the cooling event, its base rate, and P(cooling) simulated from a fitted SARIMAX, against
known answers (a random walk) at stated tolerances; forecast intervals nested; a failing fit recorded."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from models.cooling import CoolingEvent, CoolingInputError, CoolingSARIMAX, calendar_dummies, seasonal_factors


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_event_changes_and_base_rate_count_only_fully_observed_seasons():
    months = pd.date_range("2020-09-01", "2023-05-01", freq="MS")
    level = pd.Series(100.0, index=months)
    level[(months.year == 2022) & months.month.isin([3, 4, 5])] = 80.0  # -20% in spring 2022
    event = CoolingEvent(-0.10)
    changes = event.changes(level)
    assert list(changes.index) == [2021, 2022, 2023]
    assert changes[2022] == pytest.approx(-0.20)
    assert changes[2023] == pytest.approx(0.0)  # autumn 2022 and spring 2023 are both 100
    assert event.base_rate(level) == (pytest.approx(1 / 3), 3)
    assert list(event.changes(level.drop(pd.Timestamp("2023-05-01"))).index) == [2021, 2022]  # May missing


def test_probability_of_a_random_walk_matches_the_normal_answer():
    # log x_{T+h} = log x_T + mu h + sum of h N(0, s^2) shocks, T = August. The event compares arithmetic
    # means; with s = 1% they equal geometric means to well under the tolerance, so the change in logs is
    # normal: mean 6 mu (months 7..9 against 1..3 ahead), variance w' C w with C_ij = s^2 min(i, j).
    mu, s, threshold, reps = -0.004, 0.01, -0.03, 200_000
    rng = np.random.default_rng(7)
    future = pd.date_range("2026-09-01", "2027-06-01", freq="MS")
    logs = np.log(100) + np.cumsum(rng.normal(mu, s, size=(len(future), reps)), axis=0)
    paths = pd.DataFrame(np.exp(logs), index=future)
    observed = pd.Series([100.0], index=[pd.Timestamp("2026-08-01")])
    simulated = CoolingEvent(threshold).probability(observed, paths, 2027)
    w = np.zeros(10)
    w[0:3], w[6:9] = -1 / 3, 1 / 3
    h = np.arange(1, 11)
    cov = s**2 * np.minimum.outer(h, h)
    expected = normal_cdf((math.log(1 + threshold) - 6 * mu) / math.sqrt(w @ cov @ w))
    assert simulated == pytest.approx(expected, abs=0.01)  # 200,000 paths: standard error about 0.001


@pytest.fixture(scope="module")
def random_walk_fit():
    """A driftless random walk in logs with a pure-noise regressor: SARIMAX(0,1,0) fitted to it."""
    rng = np.random.default_rng(11)
    months = pd.date_range("2001-01-01", "2026-08-01", freq="MS")
    level = pd.Series(np.exp(np.log(50) + np.cumsum(rng.normal(0, 0.03, len(months)))), index=months)
    regressors = pd.DataFrame({"ps_zscore": rng.normal(size=len(months))}, index=months)
    spec = CoolingSARIMAX("RW", level, regressors, threshold=-0.05, season_year=2027,
                          horizon_end=pd.Timestamp("2027-06-01"), lag=12, order=(0, 1, 0), repetitions=20_000)
    return spec, spec.fit()


def test_simulated_probability_matches_an_independent_simulation_of_the_fitted_model(random_walk_fit):
    # Regression with random-walk errors: y_t = x_t b + u_t, u_t = u_{t-1} + e_t, e ~ N(0, sigma2). Given
    # the fitted b and sigma2, simulate it with numpy (200,000 paths) and compare: tolerance 0.02 (the
    # model's 20,000 paths have a standard error of about 0.0035).
    spec, res = random_walk_fit
    coef = res.diagnostics["coefficients"]
    months = pd.date_range("2026-08-01", "2027-06-01", freq="MS")
    lagged = spec.regressors.shift(12, freq="MS").reindex(months).ffill()
    x = pd.concat([lagged.add_suffix("_lag12"), calendar_dummies(months)], axis=1)
    beta = np.array([coef[c] for c in x.columns])
    xb = x.to_numpy() @ beta
    u_last = math.log(spec.level.iloc[-1]) - xb[0]
    rng = np.random.default_rng(99)
    u = u_last + np.cumsum(rng.normal(0, math.sqrt(coef["sigma2"]), size=(10, 200_000)), axis=0)
    paths = pd.DataFrame(np.exp(u + xb[1:, None]), index=months[1:])
    independent = CoolingEvent(-0.05).probability(spec.level, paths, 2027)
    assert res.status == "ok"
    assert res.probability == pytest.approx(independent, abs=0.02)
    assert res.base_seasons == 25 and 0 <= res.base_rate <= 1


def test_forecast_intervals_are_nested_and_reach_june(random_walk_fit):
    _, res = random_walk_fit
    f = res.forecast
    assert f["month"].iloc[0] == pd.Timestamp("2026-09-01") and f["month"].iloc[-1] == pd.Timestamp("2027-06-01")
    assert (f["lo95"] <= f["lo80"]).all() and (f["lo80"] <= f["mean"]).all()
    assert (f["mean"] <= f["hi80"]).all() and (f["hi80"] <= f["hi95"]).all()
    assert (f["hi95"] - f["lo95"]).is_monotonic_increasing  # a random walk's uncertainty grows
    assert "held at the last observed value" in res.exog_future


def test_a_fit_that_does_not_converge_says_so_instead_of_raising(random_walk_fit):
    spec, _ = random_walk_fit
    res = CoolingSARIMAX(spec.target, spec.level, spec.regressors, -0.05, 2027, pd.Timestamp("2027-06-01"),
                         order=(2, 1, 1), maxiter=1, repetitions=100).fit()
    assert res.status == "not_converged"
    assert any("did not converge" in w for w in res.warnings)


def test_too_little_data_is_refused_with_the_reason():
    months = pd.date_range("2025-01-01", "2026-08-01", freq="MS")
    level = pd.Series(100.0, index=months)
    with pytest.raises(CoolingInputError, match="fewer than 36"):
        CoolingSARIMAX("SHORT", level, pd.DataFrame({"ps_zscore": 0.0}, index=months), -0.05, 2027,
                       pd.Timestamp("2027-06-01")).fit()


def test_seasonal_factors_recover_a_known_pattern():
    months = pd.date_range("2005-01-01", "2024-12-01", freq="MS")
    pattern = 0.1 * np.sin(2 * np.pi * (np.arange(12)) / 12)
    log_level = pd.Series(0.002 * np.arange(len(months)) + np.tile(pattern, 20), index=months)
    factors = seasonal_factors(log_level)
    assert factors.to_numpy() == pytest.approx(pattern - pattern.mean(), abs=1e-3)


def test_parameter_draws_follow_the_estimates_distribution(random_walk_fit):
    """The draws behind the parameter uncertainty: N(params, cov_params) restricted to valid values; with
    5,000 draws their mean is within 4 standard errors of the estimates and their covariance within 10%."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    spec, _ = random_walk_fit
    y = np.log(spec.level).asfreq("MS")
    res = SARIMAX(y, order=(1, 1, 0)).fit(disp=False)
    draws, rejected = CoolingSARIMAX("RW", spec.level, spec.regressors, -0.05, 2027, pd.Timestamp("2027-06-01"),
                                     parameter_draws=5000)._draw_parameters(res, np.random.default_rng(5))
    se = np.sqrt(np.diag(res.cov_params()))
    assert draws.shape == (5000, 2) and rejected == 0
    assert np.abs(draws.mean(axis=0) - res.params.to_numpy()) == pytest.approx(0, abs=4 * se.max() / math.sqrt(5000))
    assert np.cov(draws.T) == pytest.approx(np.asarray(res.cov_params()), rel=0.1)
    assert (draws[:, 1] > 0).all() and (np.abs(draws[:, 0]) < 1).all()


def test_parameter_uncertainty_widens_the_bands_of_a_short_sample():
    rng = np.random.default_rng(21)
    months = pd.date_range("2021-01-01", "2026-08-01", freq="MS")
    level = pd.Series(np.exp(4 + np.cumsum(rng.normal(0.004, 0.03, len(months)))), index=months)
    regressors = pd.DataFrame({"ps_zscore": rng.normal(size=len(months))}, index=months)
    common = dict(threshold=-0.05, season_year=2027, horizon_end=pd.Timestamp("2027-06-01"), lag=12,
                  repetitions=4000)
    shocks = CoolingSARIMAX("S", level, regressors, parameter_draws=0, **common).fit()
    both = CoolingSARIMAX("S", level, regressors, parameter_draws=200, **common).fit()
    assert shocks.status == both.status == "ok"
    width = lambda r: float((np.log(r.forecast["hi95"]) - np.log(r.forecast["lo95"])).iloc[-1])  # noqa: E731
    assert width(both) > 1.02 * width(shocks)
    assert "200 parameter vectors" in both.parameters["simulation"]
    assert "shocks only" in shocks.parameters["simulation"]
    assert both.forecast["mean"].to_numpy() == pytest.approx(shocks.forecast["mean"].to_numpy())
