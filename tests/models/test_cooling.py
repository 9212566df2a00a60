"""models.cooling: the cooling event, its base rate, and P(cooling) simulated from a fitted SARIMAX, against
known answers (a random walk) at stated tolerances; forecast intervals nested; a failing fit recorded."""

from __future__ import annotations

import dataclasses
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



def test_event_changes_equal_the_definition_year_by_year_on_gappy_series():
    # The definition, written plainly: for each year whose six months are all observed, the spring's mean over
    # the autumn's mean. changes() computes it on a years x months grid; both must agree exactly.
    def by_definition(level: pd.Series) -> dict[int, float]:
        level = level.dropna()
        out = {}
        for y in sorted({d.year for d in level.index}):
            autumn, spring = CoolingEvent.windows(y)
            if autumn.isin(level.index).all() and spring.isin(level.index).all():
                out[y] = float(level.reindex(spring).mean() / level.reindex(autumn).mean() - 1)
        return out

    rng = np.random.default_rng(11)
    event = CoolingEvent(-0.01)
    for trial in range(60):
        n = int(rng.integers(1, 300))
        start = pd.Timestamp(1970 + int(rng.integers(0, 30)), int(rng.integers(1, 13)), 1)
        level = pd.Series(np.exp(np.cumsum(rng.normal(0, 0.01, n))),
                          index=pd.date_range(start, periods=n, freq="MS"))
        level.iloc[rng.integers(0, n, size=n // 15)] = np.nan  # missing values
        level = level.drop(level.index[rng.integers(0, n, size=n // 25)])  # missing months
        got, want = event.changes(level), by_definition(level)
        assert list(got.index) == list(want), trial
        assert got.to_numpy() == pytest.approx(list(want.values()), rel=1e-12, abs=1e-15), trial
    mid_month = pd.Series(1.0, index=pd.date_range("2020-09-15", periods=12, freq="MS") + pd.Timedelta(days=14))
    assert event.changes(mid_month).empty  # a stamp that is not a month's first day is not that month
    assert event.changes(pd.Series([], dtype=float, index=pd.DatetimeIndex([]))).empty
    tz = pd.Series(1.0, index=pd.date_range("2020-09-01", periods=12, freq="MS", tz="UTC"))
    assert list(event.changes(tz).index) == [2021]  # a month's first day in any time zone is that month
    twice = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2020-09-01", "2020-09-01"]), name="USINFO")
    with pytest.raises(CoolingInputError, match=r"USINFO: months 2020-09-01 appear more than once"):
        event.changes(twice)  # never one of the two kept silently
    with pytest.raises(CoolingInputError, match="indexed by month"):
        event.changes(pd.Series([1.0], index=["not a month"], name="USINFO"))

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


# -- the batched simulation of the parameter draws against statsmodels ---------------------------------------------


def _short_sample():
    """A fixed synthetic target, 60 months to 2026-08 (short, so that the parameters are uncertain): log level =
    4.6 + 0.02 z(t-12) + 0.03 year_end_review - 0.02 march_results + u, with (1 - L) u an AR(1) (phi 0.5, shocks
    N(0, 0.02^2)); the regressor z is N(0, 1), observed to 2026-08 (so lagged 12 it covers the whole horizon)."""
    rng = np.random.default_rng(2027)
    months = pd.date_range("2021-09-01", "2026-08-01", freq="MS")
    z = pd.Series(rng.normal(size=len(months) + 12),
                  index=pd.date_range("2020-09-01", "2026-08-01", freq="MS"), name="ps_zscore")
    w = np.zeros(len(months))
    for t in range(1, len(months)):
        w[t] = 0.5 * w[t - 1] + rng.normal(0, 0.02)
    cal = calendar_dummies(months)
    log_level = (4.6 + 0.02 * z.shift(12).reindex(months).to_numpy() + 0.03 * cal["year_end_review"].to_numpy()
                 - 0.02 * cal["march_results"].to_numpy() + np.cumsum(w))
    return pd.Series(np.exp(log_level), index=months), z.to_frame()


def _short_sample_model(order, fit=True):
    """The SARIMAX that CoolingSARIMAX.fit builds on the short sample (the same exog columns), with the future exog
    of its 10 months to 2027-06, and its results: fitted (``fit``), else filtered at the fixed parameters of
    :data:`FIXED` (no optimizer: the orders other than the configured one only need some valid parameters)."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    level, regressors = _short_sample()
    lagged = regressors.shift(12, freq="MS").add_suffix("_lag12")
    future = pd.date_range("2026-09-01", "2027-06-01", freq="MS")
    exog = pd.concat([lagged.reindex(level.index), calendar_dummies(level.index)], axis=1)
    future_exog = pd.concat([lagged.reindex(future), calendar_dummies(future)], axis=1)
    model = SARIMAX(np.log(level).rename("y").asfreq("MS"), exog=exog, order=order)
    if fit:
        return model, model.fit(disp=False), future_exog
    params = np.r_[0.02, 0.03, -0.02, FIXED[str(order)], 0.0004]
    return model, model.filter(params), future_exog


FIXED = {"(1, 1, 0)": [0.5], "(2, 0, 0)": [0.6, 0.2], "(0, 2, 0)": [], "(3, 2, 0)": [0.3, -0.2, 0.1],
         "([1, 3], 1, 0)": [0.4, 0.2], "(0, 0, 0)": []}  # AR coefficients, well inside the stationary region


def _spec(level, regressors, **kw):
    return CoolingSARIMAX("SYN", level, regressors, threshold=-0.05, season_year=2027,
                          horizon_end=pd.Timestamp("2027-06-01"), lag=12, **kw)


@pytest.fixture(scope="module")
def short_fit():
    return _short_sample_model((1, 1, 0))


@pytest.mark.parametrize("order", [(1, 1, 0), (2, 0, 0), (0, 2, 0), (3, 2, 0), ([1, 3], 1, 0), (0, 0, 0)], ids=str)
def test_batched_recursion_without_shocks_is_statsmodels_forecast_of_every_draw(order):
    """Exact, not Monte Carlo: with zero shocks the batched recursion must give, for each of 8 parameter vectors
    (the fixed ones perturbed), the point forecast of ``model.filter(draw).forecast``, because the state at the
    sample end is known exactly for a regression with AR(p) errors differenced d times. Tolerance 1e-10 in logs
    (about 4.6): rounding only."""
    from models.cooling import _batched_simulation_obstacle, _simulate_draws_batched

    model, res, future_exog = _short_sample_model(order, fit=False)
    assert _batched_simulation_obstacle(model) is None
    rng = np.random.default_rng(1)
    draws = res.params.to_numpy() + 0.03 * rng.standard_normal((8, len(res.params)))
    draws[:, -1] = 0.0004 * np.exp(0.2 * rng.standard_normal(8))
    paths = _simulate_draws_batched(model, draws, len(future_exog), 3, future_exog, np.zeros(1))
    assert paths.shape == (10, 8 * 3)
    for k, draw in enumerate(draws):
        expected = model.filter(draw, cov_type="none").forecast(10, exog=future_exog).to_numpy()
        for j in range(3):
            assert paths[:, 3 * k + j] == pytest.approx(expected, abs=1e-10, rel=0)


@pytest.mark.parametrize("order", [(1, 1, 0), (2, 0, 0), (3, 2, 0)], ids=str)
def test_statsmodels_fed_the_same_normals_simulates_the_same_paths(order):
    """Exact, not Monte Carlo: statsmodels' own simulation of each draw, given the batched recursion's normals (the
    first as the initial state predicted_state + R sqrt(sigma2) z, whose covariance R sigma2 R' is the filter's
    predicted_state_cov at the end; the others as state shocks; no measurement error), gives the batched paths.
    So the two simulations map the same normals to the same paths; they differ only in which normals they draw.
    Tolerance 1e-10 in logs: rounding only."""
    from models.cooling import _simulate_draws_batched

    model, res, future_exog = _short_sample_model(order, fit=False)
    rng = np.random.default_rng(2)
    draws = res.params.to_numpy() + 0.03 * rng.standard_normal((4, len(res.params)))
    draws[:, -1] = 0.0004 * np.exp(0.2 * rng.standard_normal(4))
    normals = rng.standard_normal((10, 4, 3))
    paths = _simulate_draws_batched(model, draws, 10, 3, future_exog, normals).reshape(10, 4, 3)
    selection = np.asarray(model.ssm["selection"]).reshape(model.k_states, 1)
    for k, draw in enumerate(draws):
        filtered = model.filter(draw, cov_type="none")
        sd = math.sqrt(draw[-1])
        assert filtered.predicted_state_cov[:, :, -1] == pytest.approx(selection @ selection.T * draw[-1], abs=1e-12)
        for r in range(3):
            initial = filtered.predicted_state[:, -1] + selection[:, 0] * sd * normals[0, k, r]
            sim = filtered.simulate(10, anchor="end", exog=future_exog, initial_state=initial,
                                    state_shocks=np.r_[sd * normals[1:, k, r], 0.0][:, None],
                                    measurement_shocks=np.zeros((10, 1)))
            assert np.asarray(sim, dtype=float) == pytest.approx(paths[:, k, r], abs=1e-10, rel=0)


@pytest.mark.parametrize("how, order", [("batched", (1, 1, 0)), ("batched", (2, 0, 0)), ("batched", (0, 2, 0)),
                                        ("batched", (3, 2, 0)), ("per_draw", (1, 1, 0)),
                                        ("res.simulate", (1, 1, 0))], ids=str)
def test_fixed_parameter_paths_have_the_analytic_forecast_mean_and_variance(how, order, short_fit):
    """Parameters held fixed (the estimates for the configured (1, 1, 0), given values for the other orders) or
    parameter_draws=0's res.simulate: the paths' mean and variance at each horizon against get_forecast's mean
    and variance. Given the parameters the paths are normal at every horizon, so the sample mean's standard
    error is sqrt(v / n) and the sample variance's v sqrt(2 / (n - 1)); tolerance 5 standard errors at each of
    the 10 horizons (a false alarm among the 20 checks has probability about 1e-5; the seeds are fixed anyway).
    The batched recursion gets 200,000 paths (the variance then within 1.6%); statsmodels' own simulation, whose
    cost grows with the paths (about 0.3 ms each), 5,000 (within 10%)."""
    from models.cooling import _simulate_draws_batched, _simulate_draws_per_draw

    model, res, future_exog = short_fit if order == (1, 1, 0) else _short_sample_model(order, fit=False)
    fc = res.get_forecast(10, exog=future_exog)
    mean, var = fc.predicted_mean.to_numpy(), fc.var_pred_mean.to_numpy()
    rng = np.random.default_rng(17)
    if how == "batched":
        paths = _simulate_draws_batched(model, np.tile(res.params.to_numpy(), (20, 1)), 10, 10_000, future_exog,
                                        rng)
    elif how == "per_draw":
        paths = _simulate_draws_per_draw(model, np.tile(res.params.to_numpy(), (5, 1)), 10, 1_000, future_exog,
                                         rng)
    else:
        paths = np.asarray(res.simulate(10, anchor="end", repetitions=5_000, exog=future_exog, rng=rng),
                           dtype=float).reshape(10, -1)
    n = paths.shape[1]
    assert n == (200_000 if how == "batched" else 5_000)
    assert np.all(np.abs(paths.mean(axis=1) - mean) <= 5 * np.sqrt(var / n))
    assert np.all(np.abs(paths.var(axis=1, ddof=1) - var) <= 5 * var * np.sqrt(2 / (n - 1)))


def test_batched_and_per_draw_simulations_agree_with_parameter_uncertainty(short_fit):
    """The same 50 parameter draws from N(estimates, cov_params) of the (1, 1, 0) fit, simulated both ways: 200
    paths each by statsmodels' filter + simulate (10,000 paths, about 2 s: the old code), 4,000 each by the
    batched recursion (200,000). The 10/50/90% quantiles at each horizon agree within 5 standard errors of the
    difference of two independent sample quantiles, sqrt(p (1 - p) (1 / n_old + 1 / n_new)) / f(q), the density
    f at the quantile estimated from the batched paths as 0.04 / (q(p + 0.02) - q(p - 0.02)). (Both sides weigh
    every draw equally, the same stratification, which makes the sampling variance no larger than this
    unstratified one.) The comparison has the power to see a simulation that ignores the parameter uncertainty:
    the fixed-parameter analytic 90% quantile of the last month lies outside the tolerance around the old
    simulation's."""
    from models.cooling import _simulate_draws_batched, _simulate_draws_per_draw

    model, res, future_exog = short_fit
    draws, _ = _spec(*_short_sample(), parameter_draws=50)._draw_parameters(res, np.random.default_rng(3))
    assert len(draws) == 50
    new = _simulate_draws_batched(model, draws, 10, 4_000, future_exog, np.random.default_rng(4))
    old = _simulate_draws_per_draw(model, draws, 10, 200, future_exog, np.random.default_rng(5))
    assert new.shape == (10, 200_000) and old.shape == (10, 10_000)
    tolerance = {}
    for p in (0.10, 0.50, 0.90):
        q_new, q_old = np.quantile(new, p, axis=1), np.quantile(old, p, axis=1)
        density = 0.04 / (np.quantile(new, p + 0.02, axis=1) - np.quantile(new, p - 0.02, axis=1))
        tolerance[p] = 5 * np.sqrt(p * (1 - p) * (1 / old.shape[1] + 1 / new.shape[1])) / density
        assert np.all(np.abs(q_new - q_old) <= tolerance[p]), (p, (q_new - q_old) / tolerance[p])
    analytic_q90 = res.get_forecast(10, exog=future_exog).conf_int(alpha=0.2).iloc[-1, 1]
    assert np.quantile(old[-1], 0.9) - analytic_q90 > tolerance[0.9][-1]


def _fit_short_sample():
    """Picklable for a spawned process: the fit's forecast, P(cooling) and simulation method, live settings."""
    res = _spec(*_short_sample(), repetitions=2000, parameter_draws=100).fit()
    return res.forecast.to_dict("list"), res.probability, res.diagnostics["simulation_method"]


def test_same_seed_same_output_in_any_process(monkeypatch):
    """The backtest fits in spawned worker processes: the output must be the same bits there as here, even with
    another number of BLAS threads (the batched recursion makes no BLAS call whose threading could change the
    rounding), and the seed must matter."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from models.cooling import _simulate_draws_batched

    here = _fit_short_sample()
    assert "batched numpy recursion" in here[2]
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")  # read by the spawned process only, as it loads OpenBLAS
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert pool.submit(_fit_short_sample).result() == here  # floats compared exactly
    model, res, future_exog = _short_sample_model((1, 1, 0), fit=False)
    draws = np.tile(res.params.to_numpy(), (4, 1))
    paths = [_simulate_draws_batched(model, draws, 10, 5, future_exog, np.random.default_rng(seed))
             for seed in (8, 8, 9)]
    assert np.array_equal(paths[0], paths[1]) and not np.array_equal(paths[0], paths[2])


def test_orders_with_ma_terms_fall_back_to_statsmodels_per_draw_and_say_so():
    level, regressors = _short_sample()
    res = _spec(level, regressors, order=(0, 1, 1), repetitions=100, parameter_draws=5).fit()
    assert res.status == "ok"
    assert "once per parameter draw (5 calls)" in res.diagnostics["simulation_method"]
    assert "MA terms" in res.diagnostics["simulation_method"]
    assert res.diagnostics["paths"] == 100


# -- the specifications without the gap: a drift, a recent window ---------------------------------------------------


def _trending(growth: float, months=pd.date_range("1996-01-01", "2026-08-01", freq="MS")):
    rng = np.random.default_rng(5)
    level = pd.Series(np.exp(5 + np.cumsum(rng.normal(growth, 0.004, len(months)))), index=months)
    return level, pd.DataFrame({"ps_zscore": 0.0}, index=pd.date_range("1990-01-01", "2026-08-01", freq="MS"))


def test_a_drift_recovers_the_trend_and_carries_it_into_the_forecast():
    """A random walk in logs falling 0.3% a month: without a drift SARIMAX(0,1,0)'s median path is flat; with it,
    the trend regressor (in years) is estimated near -0.036 a year and the June path falls by about 0.3% a month."""
    level, regressors = _trending(-0.003)
    common = dict(threshold=-0.001, season_year=2027, horizon_end=pd.Timestamp("2027-06-01"), lag=12,
                  order=(0, 1, 0), repetitions=4000)
    flat = CoolingSARIMAX("T", level, regressors.iloc[:, :0], **common).fit()
    drift = CoolingSARIMAX("T", level, regressors.iloc[:, :0], drift=True, **common).fit()
    assert flat.status == drift.status == "ok"
    assert drift.parameters["drift"] is True and drift.parameters["window"] == 0
    assert drift.diagnostics["coefficients"]["drift"] == pytest.approx(-0.036, abs=0.01)
    assert "drift" not in flat.diagnostics["coefficients"]
    months = len(drift.forecast)
    fall = float(np.log(drift.forecast["mean"].iloc[-1] / level.iloc[-1])) / months
    assert fall == pytest.approx(-0.003, abs=0.0008)  # sd of the estimated drift ~0.004/sqrt(367) a month
    assert abs(float(np.log(flat.forecast["mean"].iloc[-1] / level.iloc[-1]))) < 0.002 * months / 10
    assert drift.probability > 0.95 and drift.probability > flat.probability + 0.3  # a steady 1.8% fall: cooling


def test_a_window_fits_only_the_last_months_and_is_refused_when_shorter_than_the_minimum():
    level, regressors = _trending(0.0)
    noisy = level.copy()
    noisy.iloc[:-120] *= np.exp(np.random.default_rng(9).normal(0, 0.05, len(level) - 120))  # old noise, 12x
    common = dict(threshold=-0.05, season_year=2027, horizon_end=pd.Timestamp("2027-06-01"), lag=12,
                  order=(0, 1, 0), repetitions=4000)
    whole = CoolingSARIMAX("W", noisy, regressors.iloc[:, :0], **common).fit()
    recent = CoolingSARIMAX("W", noisy, regressors.iloc[:, :0], window=120, **common).fit()
    assert recent.diagnostics["nobs"] == 120 and whole.diagnostics["nobs"] == len(level)
    assert recent.diagnostics["sample_start"] == level.index[-120]
    width = lambda r: float(np.log(r.forecast["hi95"] / r.forecast["lo95"]).iloc[-1])  # noqa: E731
    assert width(recent) < 0.5 * width(whole)  # the recent calm, not the old noise, sets the bands
    with pytest.raises(CoolingInputError, match="window 24 is shorter than min_months 36"):
        CoolingSARIMAX("W", noisy, regressors.iloc[:, :0], window=24, **common).fit()


def test_additive_outliers_are_found_dummied_and_keep_the_bands_to_the_ordinary_months():
    """A random walk with three one-month spikes (a strike: -8% for a month and back): the outlier pass flags
    exactly those months, their dummies take the spikes, and the shock sd is that of the ordinary months
    (0.3%) instead of the spikes' inflated one; a spike in the last three months is never flagged."""
    from models.cooling import additive_outliers

    rng = np.random.default_rng(17)
    months = pd.date_range("1990-01-01", "2026-08-01", freq="MS")
    log = 4 + np.cumsum(rng.normal(0, 0.003, len(months)))
    spikes = [pd.Timestamp("1996-08-01"), pd.Timestamp("2005-03-01"), pd.Timestamp("2016-04-01")]
    for m in spikes:
        log[months.get_loc(m)] -= 0.08
    level = pd.Series(np.exp(log), index=months)
    common = dict(threshold=-0.05, season_year=2027, horizon_end=pd.Timestamp("2027-06-01"), lag=12,
                  order=(2, 1, 0), repetitions=4000)
    none = pd.DataFrame(index=months)
    plain = CoolingSARIMAX("O", level, none, **common).fit()
    robust = CoolingSARIMAX("O", level, none, outliers=4.0, **common).fit()
    assert plain.status == robust.status == "ok"
    assert robust.diagnostics["outlier_months"] == [f"{m:%Y-%m}" for m in spikes]
    assert robust.parameters["outliers"] == 4.0 and plain.parameters["outliers"] == 0.0
    for m in spikes:
        assert robust.diagnostics["coefficients"][f"outlier_{m:%Y_%m}"] == pytest.approx(-0.08, abs=0.01)
    assert robust.diagnostics["coefficients"]["sigma2"] ** 0.5 == pytest.approx(0.003, rel=0.1)
    assert plain.diagnostics["coefficients"]["sigma2"] ** 0.5 > 1.5 * 0.003  # the spikes inflate it
    width = lambda r: float(np.log(r.forecast["hi80"] / r.forecast["lo80"]).iloc[2])  # noqa: E731  h = 3
    assert width(robust) < 0.75 * width(plain)
    # residuals: a spike in the guarded last months is not an outlier (a fall that has just begun is news)
    resid = pd.Series(rng.normal(0, 1, 120), index=pd.date_range("2016-09-01", periods=120, freq="MS"))
    resid.iloc[-2] = 30.0
    resid.iloc[50], resid.iloc[51] = -30.0, 30.0  # a spike in a random walk's level: down, then back
    assert additive_outliers(resid, ar=(), d=1, z=4.0) == [resid.index[50]]
    assert additive_outliers(resid.iloc[35:60], ar=(), d=1, z=4.0) == []  # the spike, but too short to tell
    assert additive_outliers(resid.iloc[20:80], ar=(), d=1, z=4.0) == [resid.index[50]]
    # a step that stays (one large shock, no reversal) is news, not an outlier, however large
    step = pd.Series(rng.normal(0, 1, 120), index=resid.index)
    step.iloc[50] = -12.0
    assert additive_outliers(step, ar=(), d=1, z=4.0) == []


def test_a_stationary_order_reverts_to_its_mean():
    rng = np.random.default_rng(3)
    months = pd.date_range("2001-01-01", "2026-08-01", freq="MS")
    x = np.zeros(len(months))
    for t in range(1, len(months)):
        x[t] = 0.8 * x[t - 1] + rng.normal(0, 0.05)
    x[-1] = 0.4  # far above the mean of 0: the forecast returns towards it
    level = pd.Series(np.exp(5 + x), index=months)
    res = CoolingSARIMAX("M", level, pd.DataFrame(index=months), -0.1, 2027, pd.Timestamp("2027-06-01"),
                         order=(1, 0, 0), repetitions=2000).fit()
    assert res.status == "ok"
    assert res.diagnostics["coefficients"]["const"] == pytest.approx(5, abs=0.1)
    assert np.log(res.forecast["mean"].iloc[-1]) == pytest.approx(5, abs=0.12)  # 10 months on: 0.4 x 0.8^10 = 0.04
    assert res.probability > 0.7  # from 0.4 above the mean the median change to spring is about -0.19: likely


def test_the_outlier_size_is_statsmodels_estimate_of_a_dummy_at_the_same_parameters():
    """Reference: with the AR coefficients and the variance held at given values, the maximum-likelihood
    coefficient of a one-month dummy in statsmodels' SARIMAX is the GLS estimate, which for a month away from the
    ends is Chen and Liu's sum_j pi_j e_(t+j) / sum_j pi_j^2 on the residuals without the dummy. Tolerance 1e-3
    relative: the optimizer's (measured: 1e-4 at the spike)."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    from models.cooling import additive_outlier_sizes

    rng = np.random.default_rng(8)
    months = pd.date_range("2001-01-01", periods=240, freq="MS")
    u = np.zeros(240)
    for t in range(3, 240):  # (1 - 0.5 L + 0.2 L^2)(1 - L) u = shock
        u[t] = u[t - 1] + 0.5 * (u[t - 1] - u[t - 2]) - 0.2 * (u[t - 2] - u[t - 3]) + rng.normal(0, 0.01)
    spike = 150
    u[spike] -= 0.06
    y = pd.Series(u, index=months)
    fixed = {"ar.L1": 0.5, "ar.L2": -0.2, "sigma2": 0.01 ** 2}
    plain = SARIMAX(y, order=(2, 1, 0)).smooth(np.array([0.5, -0.2, 0.01 ** 2]))
    sizes = additive_outlier_sizes(plain.resid, ar=(0.5, -0.2), d=1)
    dummy = pd.DataFrame({"ao": (np.arange(240) == spike).astype(float)}, index=months)
    for month in (spike, 60, 200):
        dummy["ao"] = (np.arange(240) == month).astype(float)
        res = SARIMAX(y, exog=dummy, order=(2, 1, 0)).fit_constrained(fixed, disp=False)
        assert sizes[months[month]] == pytest.approx(res.params["ao"], rel=1e-3, abs=2e-5), month
    assert sizes[months[spike]] == pytest.approx(-0.06, abs=0.015)


# -- bootstrap shocks: the fit's own residuals, resampled -------------------------------------------------------------


def _heavy_tailed_walk(months=pd.date_range("1976-01-01", "2026-08-01", freq="MS")):
    """A random walk in logs whose monthly changes are Student t with 3 degrees of freedom, sd 0.4%: mostly calm
    months and a few large ones (as payrolls)."""
    rng = np.random.default_rng(41)
    t3 = rng.standard_t(3, len(months)) / np.sqrt(3.0)  # unit variance
    return pd.Series(np.exp(4 + np.cumsum(0.004 * t3)), index=months)


def test_bootstrap_shocks_give_the_residuals_quantiles_where_gaussian_ones_give_a_normal_band():
    """One month ahead of a random walk with t(3) changes, the 80% band of the bootstrap is the empirical 10%-90%
    range of the monthly changes (within 10%), while the Gaussian band is +-1.28 sd of the fit (within 10%), wider
    (for a unit-variance t(3) the 90% quantile is 0.95 sd): the same fit, the same parameter draws, other shocks.
    The 95% bands differ less than the 80% ones (the bootstrap keeps the tails)."""
    level = _heavy_tailed_walk()
    spec = CoolingSARIMAX("T3", level, pd.DataFrame(index=level.index), threshold=-0.05, season_year=2027,
                          horizon_end=pd.Timestamp("2027-06-01"), order=(0, 1, 0), repetitions=20000,
                          parameter_draws=50)
    both = spec.fit_shocks(["normal", "bootstrap"])
    assert both["normal"].diagnostics["coefficients"] == both["bootstrap"].diagnostics["coefficients"]
    assert "resampled" in both["bootstrap"].diagnostics["simulation_method"]
    assert both["bootstrap"].parameters["shocks"] == "bootstrap" and both["normal"].parameters["shocks"] == "normal"
    changes = np.diff(np.log(level.to_numpy()))
    lo, hi = np.quantile(changes, [0.10, 0.90])
    last = float(level.iloc[-1])
    width = lambda r: float(np.log(r.forecast["hi80"].iloc[0] / r.forecast["lo80"].iloc[0]))  # noqa: E731
    assert width(both["bootstrap"]) == pytest.approx(hi - lo, rel=0.10)
    sd = both["normal"].diagnostics["coefficients"]["sigma2"] ** 0.5
    assert width(both["normal"]) == pytest.approx(2 * 1.2816 * sd, rel=0.10)  # the normal 80% band of the same fit
    assert width(both["normal"]) > 1.1 * width(both["bootstrap"])
    # the 95% bands are closer: the tails keep the bootstrap's 95% from narrowing as much as its 80%
    w95 = lambda r: float(np.log(r.forecast["hi95"].iloc[0] / r.forecast["lo95"].iloc[0]))  # noqa: E731
    assert w95(both["normal"]) / w95(both["bootstrap"]) < width(both["normal"]) / width(both["bootstrap"])
    assert np.log(both["bootstrap"].forecast["lo80"].iloc[0] / last) < 0 < np.log(
        both["bootstrap"].forecast["hi80"].iloc[0] / last)
    # fit() with shocks="bootstrap" is the same as fit_shocks' bootstrap member, and normal is unchanged by it
    alone = dataclasses.replace(spec, shocks="bootstrap").fit()
    pd.testing.assert_frame_equal(alone.forecast, both["bootstrap"].forecast)
    pd.testing.assert_frame_equal(spec.fit().forecast, both["normal"].forecast)
    with pytest.raises(CoolingInputError, match=r"shocks \['student'\] unknown"):
        spec.fit_shocks(["student"])


def test_bootstrap_shocks_skip_the_burn_in_and_the_outlier_months_and_have_unit_variance():
    from models.cooling import bootstrap_shocks

    months = pd.date_range("2000-01-01", periods=40, freq="MS")
    resid = pd.Series(np.arange(40, dtype=float), index=months)
    resid.iloc[0], resid.iloc[10] = 1e6, -1e6  # the diffuse first month and an outlier month
    z = bootstrap_shocks(resid, 1, [months[10]], (200, 30, 5), np.random.default_rng(0))
    kept = resid.drop(months[[0, 10]]).to_numpy()
    scaled = (kept - kept.mean()) / kept.std()
    assert z.shape == (200, 30, 5)
    assert np.isin(np.round(z, 12), np.round(scaled, 12)).all()  # only the kept residuals, standardized
    assert np.abs(z).max() < 2  # neither 1e6 came through
    with pytest.raises(CoolingInputError, match="too few to resample"):
        bootstrap_shocks(resid.iloc[:8], 1, [], (2, 2), np.random.default_rng(0))


def test_local_shocks_set_the_band_by_the_last_five_years_when_the_variance_fell():
    """A random walk whose monthly sd fell from 3% to 1% after 20 years (the Great Moderation of payrolls, in
    small): the Gaussian fit's one-month 80% band is +-1.28 x the whole sample's sd; with shocks = "local" it is
    +-1.28 x the last 60 months' (within 10%), from the same fit; local_scale is that ratio of root mean squares,
    written out."""
    from models.cooling import LOCAL_SCALE_MONTHS, local_scale

    months = pd.date_range("1990-01-01", "2026-08-01", freq="MS")
    rng = np.random.default_rng(5)
    sd = np.where(np.arange(len(months)) < 240, 0.03, 0.01)
    level = pd.Series(np.exp(4 + np.cumsum(rng.normal(0, sd))), index=months)
    spec = CoolingSARIMAX("GM", level, pd.DataFrame(index=months), threshold=-0.05, season_year=2027,
                          horizon_end=pd.Timestamp("2027-06-01"), order=(0, 1, 0), repetitions=20000,
                          parameter_draws=50)
    both = spec.fit_shocks(["normal", "local"])
    width = lambda r: float(np.log(r.forecast["hi80"].iloc[0] / r.forecast["lo80"].iloc[0]))  # noqa: E731
    recent = np.diff(np.log(level.to_numpy()))[-LOCAL_SCALE_MONTHS:]
    assert width(both["local"]) == pytest.approx(2 * 1.2816 * np.sqrt(np.mean(recent ** 2)), rel=0.10)
    assert width(both["normal"]) > 1.8 * width(both["local"])
    assert both["local"].parameters["shocks"] == "local"
    scale = both["local"].diagnostics["shock_scale"]
    assert "times" in both["local"].diagnostics["simulation_method"] and 0.3 < scale < 0.6
    assert both["normal"].diagnostics["shock_scale"] is None
    # the factor, by hand: the residuals after the burn-in, without the skipped months
    resid = pd.Series(rng.normal(0, 1, 200), index=pd.date_range("2000-01-01", periods=200, freq="MS"))
    skip = [resid.index[150]]
    kept = resid.iloc[2:].drop(skip).to_numpy()
    factor, n = local_scale(resid, 2, skip, months=60)
    assert n == 60 and factor == pytest.approx(np.sqrt(np.mean(kept[-60:] ** 2) / np.mean(kept ** 2)), rel=1e-12)
    with pytest.raises(CoolingInputError, match="fewer than twice the 60 recent months"):
        local_scale(resid.iloc[:100], 2, [], months=60)


def test_bootstrap_shocks_fall_back_to_gaussian_with_ma_terms_and_say_so():
    level, regressors = _short_sample()
    res = _spec(level, regressors, order=(0, 1, 1), repetitions=100, parameter_draws=5, shocks="bootstrap").fit()
    assert res.status == "ok" and res.parameters["shocks"] == "normal"
    assert any("Gaussian shocks, not bootstrap" in w for w in res.warnings)


def test_specifications_that_differ_only_in_their_shocks_share_one_fit(monkeypatch):
    """forecast_target fits arima_robust once for it and its bootstrap twin (the fit is the same; only the paths
    differ), and arima_robust's forecast is what it is without the twin."""
    from models.forecast import ModelSettings, TargetSpec, forecast_target

    level = _heavy_tailed_walk(pd.date_range("2006-01-01", "2026-08-01", freq="MS"))
    base = {"lag": 12, "order": (2, 1, 0), "maxiter": 200, "min_months": 36, "future_regressors": "hold_last",
            "parameter_draws": 10, "outliers": 4.0}
    calls = []
    estimate = CoolingSARIMAX._estimate
    monkeypatch.setattr(CoolingSARIMAX, "_estimate", lambda self, *a: calls.append(1) or estimate(self, *a))

    def run(variants):
        calls.clear()
        out = forecast_target(TargetSpec("T3", -0.05, False), level, pd.DataFrame(index=level.index),
                              origin=pd.Timestamp("2026-08-01"), season_year=2027,
                              horizon_end=pd.Timestamp("2027-06-01"),
                              settings=ModelSettings(200, 7, None, None, variants))
        return out, len(calls)

    alone, fits_alone = run({"arima_robust": base})
    both, fits_both = run({"arima_robust": base, "arima_robust_boot": {**base, "shocks": "bootstrap"}})
    assert fits_both == fits_alone  # one fit (and its outlier refit, if any) for the two
    paths = lambda out, m: out.paths[out.paths["model"] == m].drop(columns="model").reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(paths(alone, "arima_robust"), paths(both, "arima_robust"))
    assert not paths(both, "arima_robust_boot").equals(paths(both, "arima_robust"))
    seen = []
    import models.cooling as cooling
    real = cooling.bootstrap_shocks
    monkeypatch.setattr(cooling, "bootstrap_shocks", lambda resid, burn, skip, *a: seen.append((burn, list(skip)))
                        or real(resid, burn, skip, *a))
    spiked = level.copy()
    spiked.iloc[100] *= 0.9  # a one-month spike: an outlier month, left out of the resampled residuals
    CoolingSARIMAX("T3", spiked, pd.DataFrame(index=level.index), threshold=-0.05, season_year=2027,
                   horizon_end=pd.Timestamp("2027-06-01"), order=(2, 1, 0), outliers=4.0, repetitions=200,
                   parameter_draws=10, shocks="bootstrap").fit()
    assert seen and seen[0][0] == 3 and spiked.index[100] in seen[0][1]  # burn p + d; the outlier month skipped
    runs = {r.model: r for r in both.runs}
    assert runs["arima_robust_boot"].parameters["shocks"] == "bootstrap"
    assert runs["arima_robust"].parameters["shocks"] == "normal"


def test_the_gap_tests_yardstick_is_the_same_fit_without_the_regressors_on_their_months():
    """regressor_sample: fitted on the months where the lagged regressors exist, without them -- the same estimates
    and forecast as the fit without regressors of the level cut to those months (the yardstick of
    models.backtest.gap_test), and not those of the whole history."""
    from dataclasses import replace

    rng = np.random.default_rng(5)
    months = pd.date_range("1985-01-01", "2026-08-01", freq="MS")
    level = pd.Series(np.exp(np.log(50) + np.cumsum(rng.normal(0.001, 0.01, len(months)))), index=months)
    gap_months = months[months >= "1992-01-01"]
    regressors = pd.DataFrame({"gap": rng.normal(size=len(gap_months))}, index=gap_months)
    spec = CoolingSARIMAX("T", level, regressors, threshold=-0.001, season_year=2027,
                          horizon_end=pd.Timestamp("2027-06-01"), lag=12, order=(1, 1, 0), repetitions=2000,
                          parameter_draws=0)
    yardstick = replace(spec, regressor_sample=True).fit()
    cut = level[level.index >= "1993-01-01"]  # the lagged gap starts 12 months after it
    by_hand = replace(spec, level=cut, regressors=pd.DataFrame(index=cut.index)).fit()
    whole = replace(spec, regressors=pd.DataFrame(index=level.index)).fit()
    assert yardstick.status == by_hand.status == "ok"
    assert yardstick.parameters["regressors"] == [] and yardstick.parameters["regressor_sample"] is True
    coef, hand = yardstick.diagnostics["coefficients"], by_hand.diagnostics["coefficients"]
    assert set(coef) == set(hand) and all(coef[k] == pytest.approx(hand[k], rel=1e-9) for k in coef)
    assert yardstick.forecast["mean"].to_numpy() == pytest.approx(by_hand.forecast["mean"].to_numpy(), rel=1e-9)
    assert whole.diagnostics["coefficients"]["ar.L1"] != pytest.approx(coef["ar.L1"], rel=1e-6)
    assert "the yardstick of the gap test" in yardstick.diagnostics["exog_future"]
