"""The backtest: its scores against references (numerical integration, hand computation, textbook formulas), its
baselines, what an origin may see, and `gapcast backtest` on the real snapshot."""

from __future__ import annotations

import re

import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.stats import norm
from typer.testing import CliRunner

from models.backtest import (
    BacktestInputError,
    OriginTask,
    brier_score,
    forecast_at_origin,
    gaussian_crps,
    interval_rows,
    log_normal_params,
    mase_scale,
    pinball_loss,
    reliability_table,
    score_paths,
    score_probabilities,
    known_at,
    run_origin,
    season_year_at,
)
from flows import steps
from flows.steps import BacktestError
from models.baselines import baselines
from models.forecast import ModelSettings, TargetSpec
from tests.conftest import copy_home, make_settings, query


def backtest_job(settings, **kwargs):
    """The backtest step, then publish (a test of the step alone; the flow also forecasts again: see
    :func:`backtest_flow`)."""
    report = steps.backtest(settings, **kwargs)
    steps.publish(settings)
    return report


def backtest_flow(settings, **kwargs):
    """`gapcast backtest` without Prefect: the backtest flow's steps in its order (backtest, forecast, publish)."""
    from flows import pipeline

    with pipeline.plain(settings):
        return pipeline.attempt(pipeline.backtest, home=str(settings.home), **kwargs).result()

# The snapshot fixture's origins (2025-01..06) have no live lead, so the regime model, backtested only at the
# origins of the live leads (September-December), does not run there (test_the_regime_model_runs_at_live_origins)
MODELS = {"sarimax", "arima", "arima_gap_sample", "arima_robust", "nowcast", "random_walk", "seasonal_naive", "drift",
          "climatology"}
PATH_MODELS = {"sarimax", "arima", "arima_gap_sample", "arima_robust", "nowcast", "random_walk", "seasonal_naive",
               "drift"}
TARGETS = {"IHLIDXUSTPSOFTDEVE", "JTU5100JOL", "CES6054150001", "USINFO", "PAYEMS"}


# -- scores against references -------------------------------------------------------------------------


@pytest.mark.parametrize("mu,sigma,y", [(0.0, 1.0, 0.0), (1.0, 2.0, -0.5), (-3.0, 0.5, -2.2), (10.0, 3.0, 17.0)])
def test_gaussian_crps_matches_the_integral_definition(mu, sigma, y):
    """CRPS(F, y) = integral of (F(x) - 1{x >= y})^2 dx, integrated numerically (tolerance 1e-8)."""
    below, _ = integrate.quad(lambda x: norm.cdf(x, mu, sigma) ** 2, -np.inf, y, epsabs=1e-12)
    above, _ = integrate.quad(lambda x: (1 - norm.cdf(x, mu, sigma)) ** 2, y, np.inf, epsabs=1e-12)
    assert float(gaussian_crps(mu, sigma, y)) == pytest.approx(below + above, abs=1e-8)


def test_gaussian_crps_textbook_value_and_limit():
    # Gneiting and Raftery (2007): at y = mu, CRPS = sigma (2 phi(0) - 1/sqrt(pi)) = sigma (sqrt(2) - 1) / sqrt(pi)
    assert float(gaussian_crps(0, 2, 0)) == pytest.approx(2 * (math.sqrt(2) - 1) / math.sqrt(math.pi), rel=1e-12)
    assert float(gaussian_crps(1.0, 0.0, 3.5)) == 2.5  # a point forecast: the absolute error
    with pytest.raises(BacktestInputError):
        gaussian_crps(0, -1, 0)


def test_pinball_loss_by_hand():
    assert pinball_loss(10, 8, 0.9) == pytest.approx(0.9 * 2)  # under-forecast: tau x (y - q)
    assert pinball_loss(10, 13, 0.9) == pytest.approx(0.1 * 3)  # over-forecast: (1 - tau) x (q - y)
    # Averaged over many levels the pinball loss approaches CRPS / 2 ... times 2 (Gneiting and Raftery, eq. 22)
    taus = (np.arange(1, 2000) - 0.5) / 2000
    qs = norm.ppf(taus, 0.3, 1.2)
    approx = 2 * np.mean([pinball_loss(1.0, q, t) for q, t in zip(qs, taus)])
    assert approx == pytest.approx(float(gaussian_crps(0.3, 1.2, 1.0)), rel=2e-3)


def test_interval_rows_and_log_normal_params_round_trip():
    rows = interval_rows(np.log([100.0, 50.0]), [0.1, 0.3])
    mu, sigma = log_normal_params(rows["mean"], rows["lo95"], rows["hi95"])
    assert mu == pytest.approx(np.log([100.0, 50.0])) and sigma == pytest.approx([0.1, 0.3])
    assert (rows["lo95"] < rows["lo80"]).all() and (rows["hi80"] < rows["hi95"]).all()


def test_mase_scale_brier_and_reliability_by_hand():
    assert mase_scale(pd.Series([1.0, 3.0, 2.0, 6.0])) == pytest.approx((2 + 1 + 4) / 3)
    assert mase_scale(pd.Series(np.arange(24.0)), season=12) == pytest.approx(12.0)
    assert math.isnan(mase_scale(pd.Series([5.0, 5.0, 5.0])))
    assert brier_score([0.8, 0.1, 0.5], [1, 0, 0]) == pytest.approx((0.04 + 0.01 + 0.25) / 3)
    table = reliability_table(pd.DataFrame({"model": "m", "probability": [0.05, 0.07, 0.55, 0.95, 1.0],
                                            "cooled": [False, True, True, True, True]}))
    assert list(table["forecasts"]) == [2, 1, 2]
    assert list(table["observed_frequency"]) == [0.5, 1.0, 1.0]
    assert list(table["bin_low"]) == pytest.approx([0.0, 0.5, 0.9])
    # 0.3, 0.6 and 0.7 sit on bin edges that np.linspace makes inexact: each belongs to the bin it opens
    edges = reliability_table(pd.DataFrame({"model": "m", "probability": [0.3, 0.6, 0.7], "cooled": True}))
    assert list(edges["bin_low"]) == pytest.approx([0.3, 0.6, 0.7])


# -- baselines ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def log_level():
    rng = np.random.default_rng(7)
    months = pd.date_range("2015-01-01", periods=96, freq="MS")
    season = 0.05 * np.sin(2 * np.pi * np.arange(96) / 12)
    return pd.Series(4 + np.cumsum(rng.normal(0.002, 0.02, 96)) + season, index=months)


def test_baselines_follow_their_textbook_formulas(log_level):
    x = log_level.to_numpy()
    b = baselines(log_level, 15)
    s1 = np.std(np.diff(x), ddof=1)
    h = np.arange(1, 16)
    assert b["random_walk"].mu == pytest.approx(np.full(15, x[-1]))
    assert b["random_walk"].sigma == pytest.approx(s1 * np.sqrt(h))
    assert b["seasonal_naive"].mu[:12] == pytest.approx(x[-12:]) and b["seasonal_naive"].mu[12:] == pytest.approx(x[-12:-9])
    s12 = np.sqrt(np.mean((x[12:] - x[:-12]) ** 2))
    assert b["seasonal_naive"].sigma == pytest.approx(s12 * np.sqrt(np.ceil(h / 12)))
    d = (x[-1] - x[0]) / (len(x) - 1)
    assert b["drift"].mu == pytest.approx(x[-1] + h * d)
    assert b["drift"].sigma == pytest.approx(s1 * np.sqrt(h * (1 + h / (len(x) - 1))))
    with pytest.raises(BacktestInputError, match="25 months"):
        baselines(log_level.iloc[:20], 3)


@pytest.mark.parametrize("name", ["random_walk", "seasonal_naive", "drift"])
def test_baseline_paths_have_the_baselines_marginals(log_level, name):
    b = baselines(log_level, 14)[name]
    paths = b.simulate(20_000, np.random.default_rng(1), log_level.to_numpy())
    assert paths.mean(axis=1) == pytest.approx(b.mu, abs=4 * b.sigma.max() / math.sqrt(20_000))
    if name != "drift":  # the drift's marginal variance also carries the drift's estimation error
        assert paths.std(axis=1) == pytest.approx(b.sigma, rel=0.03)


# -- aggregation ----------------------------------------------------------------------------------------


def _path(model, origin, horizon, mean, sd, actual, scale=1.0):
    rows = interval_rows(np.log(mean), sd)
    return {"target_series": "T", "model": model, "origin": origin, "horizon": horizon, "actual": actual,
            "scale": scale, **{k: float(v) for k, v in rows.items()}}


def test_score_paths_by_hand():
    rows = []
    for i, (actual, rw_mean) in enumerate([(110.0, 100.0), (90.0, 100.0), (100.0, 104.0)]):
        rows.append(_path("random_walk", i, 1, rw_mean, 0.1, actual, scale=2.0))
        rows.append(_path("perfect", i, 1, actual, 0.01, actual, scale=2.0))
    scores = score_paths(pd.DataFrame(rows)).set_index(["model", "metric"])["value"]
    assert scores["random_walk", "mase"] == pytest.approx((10 + 10 + 4) / 3 / 2)
    assert scores["random_walk", "rmse"] == pytest.approx(math.sqrt((100 + 100 + 16) / 3))
    assert scores["random_walk", "relative_mase"] == 1 and scores["random_walk", "crps_skill"] == 0
    assert scores["perfect", "mase"] == pytest.approx(0, abs=1e-12)
    assert scores["perfect", "relative_mase"] == pytest.approx(0, abs=1e-12)
    assert scores["perfect", "coverage80"] == 1 and 0 < scores["perfect", "crps_skill"] <= 1
    expected = 100 * np.mean(gaussian_crps(np.log([100, 100, 104]), 0.1, np.log([110, 90, 100])))
    assert scores["random_walk", "crps_log"] == pytest.approx(expected)


def test_score_probabilities_pairs_each_model_with_the_base_rate():
    f = pd.DataFrame({
        "target_series": "T", "origin": [1, 2, 3, 1, 2, 3, 1, 2],
        "model": ["climatology"] * 3 + ["perfect"] * 3 + ["late"] * 2,
        "lead": [6, 6, 3, 6, 6, 3, 6, 6], "probability": [0.25, 0.25, 0.25, 1.0, 0.0, 1.0, 0.5, 0.5],
        "cooled": [True, False, True, True, False, True, True, False],
        "season": ["2020", "2021", "2021", "2020", "2021", "2021", "2020", "2021"]})
    s = score_probabilities(f)
    brier_rows = s["metric"].isin(["brier", "brier_climatology", "brier_skill"])
    assert s[(s["model"] == "perfect") & s["horizon"].isna() & brier_rows]["seasons"].tolist() == [2, 2, 2]
    overall = s[s["horizon"].isna()].set_index(["model", "metric"])["value"]
    assert overall["climatology", "brier"] == pytest.approx((0.5625 + 0.0625 + 0.5625) / 3)
    assert overall["climatology", "brier_skill"] == 0 and overall["perfect", "brier_skill"] == 1
    # "late" has only origins 1 and 2: its reference is the base rate's Brier at those two origins
    assert overall["late", "brier_climatology"] == pytest.approx((0.5625 + 0.0625) / 2)
    assert overall["late", "brier_skill"] == pytest.approx(1 - 0.25 / 0.3125)
    by_lead = s[(s["model"] == "perfect") & (s["metric"] == "brier")]
    assert sorted(by_lead["horizon"].dropna()) == [3, 6]


# -- what an origin sees ----------------------------------------------------------------------------------


def test_live_lead_skill_and_its_season_block_bootstrap_against_scipy():
    """The live-lead summary counts only forecasts made September-December (leads 5-8); its 90% interval resamples
    whole seasons. Reference: scipy.stats.bootstrap (percentile method) over the same season blocks, which draws its
    own resamples, so the bounds agree to Monte Carlo error (0.03 at 2,000 draws); the published interval draws runs
    of 3 consecutive seasons, checked exactly against a loop written out by hand."""
    from scipy.stats import bootstrap

    from models.backtest import BOOTSTRAP_REPS, BOOTSTRAP_SEED, LIVE_LEADS, season_block_skill, skill_verdict

    rng = np.random.default_rng(7)
    rows = []
    for year in range(1990, 2020):
        cooled = bool(rng.random() < 0.3)
        for lead in range(1, 12):
            p_model = float(np.clip((0.7 if cooled else 0.2) + rng.normal(0, 0.2), 0, 1))
            rows += [("T", "m", f"{year}", lead, p_model, cooled), ("T", "climatology", f"{year}", lead, 0.3, cooled)]
    f = pd.DataFrame(rows, columns=["target_series", "model", "season", "lead", "probability", "cooled"])
    f["origin"] = f["season"] + "-" + f["lead"].astype(str)
    s = score_probabilities(f)
    live = s[(s["model"] == "m") & (s["metric"] == "brier_skill_live")].iloc[0]
    m, c = f[f["model"] == "m"], f[f["model"] == "climatology"]
    pick = m["lead"].isin(LIVE_LEADS).to_numpy()
    sq = (m["probability"] - m["cooled"]).to_numpy()[pick] ** 2
    sq_c = (c["probability"] - c["cooled"]).to_numpy()[pick] ** 2
    assert live["value"] == pytest.approx(1 - sq.sum() / sq_c.sum(), rel=1e-12)
    assert live["n"] == 30 * len(LIVE_LEADS) and live["seasons"] == 30
    seasons = m["season"].to_numpy()[pick]
    blocks = {y: (sq[seasons == y].sum(), sq_c[seasons == y].sum()) for y in np.unique(seasons)}
    num, den = np.array([blocks[y][0] for y in sorted(blocks)]), np.array([blocks[y][1] for y in sorted(blocks)])
    frame = pd.DataFrame({"season": seasons, "sq": sq, "sq_clim": sq_c})
    # block 1 (seasons drawn one by one) against scipy's percentile bootstrap over the same season blocks
    ref = bootstrap((np.arange(len(num)),), lambda i, axis=-1: 1 - num[i].sum(axis=axis) / den[i].sum(axis=axis),
                    confidence_level=0.90, n_resamples=2000, method="percentile", random_state=1, vectorized=True)
    _, lo1, hi1, _, _ = season_block_skill(frame, block=1)
    assert lo1 == pytest.approx(ref.confidence_interval.low, abs=0.03)
    assert hi1 == pytest.approx(ref.confidence_interval.high, abs=0.03)
    # the published interval: runs of 3 consecutive seasons, circular, against a loop written out by hand
    rng, k, boot = np.random.default_rng(BOOTSTRAP_SEED), len(num), []
    starts = rng.integers(0, k, size=(BOOTSTRAP_REPS, -(-k // 3)))
    for row in starts:
        picked = [(start + j) % k for start in row for j in range(3)][:k]
        boot.append(1 - num[picked].sum() / den[picked].sum())
    assert live["lo90"] == pytest.approx(np.quantile(boot, 0.05), rel=1e-12)
    assert live["hi90"] == pytest.approx(np.quantile(boot, 0.95), rel=1e-12)
    assert live["lo90"] > 0 and skill_verdict(live["value"], live["lo90"], live["hi90"]) == "beats the base rate"
    # climatology against itself: skill 0, and an interval containing it is "no demonstrated skill"
    assert skill_verdict(0.05, -0.1, 0.2) == "no demonstrated skill"
    assert skill_verdict(-0.3, -0.5, -0.1) == "worse than the base rate"
    four = season_block_skill(pd.DataFrame({"season": ["2020", "2021", "2022", "2023"], "sq": [0.1, 0.2, 0.0, 0.1],
                                            "sq_clim": [0.2] * 4}))
    assert four[0] == pytest.approx(0.5) and math.isnan(four[1])  # four seasons: too few for an interval
    assert skill_verdict(*four[:3]) == "no demonstrated skill (<8 seasons)"


def _vintages():
    months = pd.date_range("2020-01-01", "2020-12-01", freq="MS")
    first = pd.DataFrame({"vintage": pd.Timestamp("2020-07-10"), "month": months[:7], "value": 1.0, "partial": False})
    first.loc[6, "partial"] = True  # July was still running on July 10
    second = pd.DataFrame({"vintage": pd.Timestamp("2020-12-20"), "month": months, "value": 2.0, "partial": False})
    return pd.concat([first, second], ignore_index=True)


def test_an_origin_reads_the_vintage_it_could_have_seen_cut_at_the_publication_lag():
    level, vintage, real_time = known_at(_vintages(), pd.Timestamp("2020-08-01"), lag=0)
    assert real_time and vintage == pd.Timestamp("2020-07-10")
    assert level.index.max() == pd.Timestamp("2020-06-01") and (level == 1.0).all()  # July partial: left out
    level, vintage, real_time = known_at(_vintages(), pd.Timestamp("2020-03-01"), lag=1)
    assert not real_time and vintage == pd.Timestamp("2020-07-10")  # the first vintage after, flagged
    assert level.index.max() == pd.Timestamp("2020-02-01")
    level, _, _ = known_at(_vintages(), pd.Timestamp("2020-11-01"), lag=2)
    assert level.index.max() == pd.Timestamp("2020-06-01")  # the 2020-12-20 vintage came after November
    level, vintage, _ = known_at(_vintages(), pd.Timestamp("2020-12-01"), lag=2)
    assert vintage == pd.Timestamp("2020-12-20") and level.index.max() == pd.Timestamp("2020-10-01")


def test_the_season_an_origin_forecasts():
    assert season_year_at(pd.Timestamp("2024-04-01")) == 2024
    assert season_year_at(pd.Timestamp("2024-05-01")) == 2025
    assert season_year_at(pd.Timestamp("2024-11-01")) == 2025


def _task(level, regressors, origin, **changes):
    models = dict(sarimax={"lag": 12, "order": (1, 1, 0), "maxiter": 200, "min_months": 36,
                           "future_regressors": "hold_last", "parameter_draws": 20},
                  regimes={"maxiter": 100, "min_months": 36, "search_reps": 2, "seed": 1})
    models.update(changes)
    return OriginTask(spec=TargetSpec("T", -0.05, False), origin=pd.Timestamp(origin), level=level.loc[:origin],
                      regressors=regressors.loc[:origin], horizons=9,
                      settings=ModelSettings(400, 3, models["sarimax"], models["regimes"], {
                          "arima": models["sarimax"],
                          "arima_gap_sample": {**models["sarimax"], "regressor_sample": True},
                          "arima_robust": {**models["sarimax"], "order": (2, 1, 0), "outliers": 4.0}}))


@pytest.fixture(scope="module")
def synthetic_target():
    rng = np.random.default_rng(11)
    months = pd.date_range("2012-01-01", "2021-12-01", freq="MS")
    level = pd.Series(np.exp(4 + np.cumsum(rng.normal(0, 0.02, len(months)))), index=months)
    regressors = pd.DataFrame({"ps_zscore": rng.normal(0, 1, len(months))}, index=months)
    return level, regressors


def test_an_origin_gives_every_model_its_rows(synthetic_target):
    level, regressors = synthetic_target
    res = forecast_at_origin(_task(level, regressors, "2019-06-01"))  # a task with every model, the regimes too
    assert {m for m, (status, _) in res.statuses.items() if status == "ok"} == MODELS - {"nowcast"} | {"regimes"}
    assert set(res.paths["model"]) == PATH_MODELS - {"nowcast"}
    for _, g in res.paths.groupby("model"):
        assert list(g["horizon"]) == list(range(1, 10))
        assert list(g["target_month"]) == list(pd.date_range("2019-07-01", periods=9, freq="MS"))
    probs = res.probabilities.set_index("model")
    assert set(probs.index) == MODELS - {"nowcast"} | {"regimes"}
    assert (probs["season"] == "2020 Mar-May").all() and (probs["lead"] == 11).all()
    assert probs["probability"].between(0, 1).all()


def test_an_origin_cannot_see_the_future(synthetic_target):
    """What backtest() does at each origin -- known_at on the stored vintage, then the models -- is blind to
    everything after the origin: tripling the later values changes nothing."""
    level, regressors = synthetic_target
    origin = pd.Timestamp("2019-06-01")

    def vintage(values):
        return pd.DataFrame({"vintage": pd.Timestamp("2022-01-05"), "month": values.index, "value": values.to_numpy(),
                             "partial": False})

    changed = level.copy()
    changed.loc["2019-07-01":] *= 3.0
    seen_a, _, _ = known_at(vintage(level), origin, lag=0)
    seen_b, _, _ = known_at(vintage(changed), origin, lag=0)
    pd.testing.assert_series_equal(seen_a, seen_b)
    a = forecast_at_origin(_task(seen_a, regressors, origin, regimes=None))
    b = forecast_at_origin(_task(seen_b, regressors, origin, regimes=None))
    pd.testing.assert_frame_equal(a.paths, b.paths)
    pd.testing.assert_frame_equal(a.probabilities, b.probabilities)


def test_the_regime_model_runs_at_live_origins_only_and_every_other_model_at_every_origin():
    """The regime model (P(cooling) only, never a candidate, the costliest fit after SARIMAX's) is backtested at
    the origins of the live leads: the months September-December, whose forecasts are made 8-5 months before May."""
    import dataclasses

    from flows.config import load_cooling_config
    from models.backtest import LIVE_LEADS, _windows, plan_backtest

    months = pd.date_range("2010-01-01", "2020-12-01", freq="MS")
    level = np.exp(4 + np.cumsum(np.random.default_rng(2).normal(0, 0.01, len(months))))
    vintages = pd.DataFrame({"series_id": "T", "vintage": pd.Timestamp("2021-01-05"), "month": months,
                             "value": level, "partial": False})
    base = load_cooling_config(None)
    config = dataclasses.replace(
        base, targets={"T": {"threshold": -0.05, "seasonally_adjusted": True, "publication_lag": 1}},
        backtest={**base.backtest, "models": ["arima", "regimes"]})
    plan = plan_backtest(config, vintages, vintages[["series_id", "month", "value"]], pd.DataFrame(index=months),
                         None, first_origin="2018-01", last_origin="2019-12")
    assert len(plan.tasks) == 24
    for task in plan.tasks:
        live = _windows(task.origin, 9)[3] in LIVE_LEADS
        assert live == (task.origin.month in (9, 10, 11, 12)), task.origin  # September-December
        assert (task.settings.regimes is not None) == live, task.origin
        assert set(task.settings.variants) == {"arima"}, task.origin


def test_perturbing_targets_and_regressors_after_an_origin_changes_nothing_at_it():
    """Through the whole plan: every target value, regressor and nowcast panel cell dated after the origin tripled
    -- in the vintage known at the origin, in a later revised vintage and in the final data -- and every forecast at
    that origin (SARIMAX with its regressor, the baselines, climatology, the nowcast) is the same."""
    import dataclasses

    from flows.config import load_cooling_config
    from models.backtest import NowcastTask, plan_backtest, run_origin

    rng = np.random.default_rng(5)
    months = pd.date_range("2012-01-01", "2021-12-01", freq="MS")
    t = np.exp(4 + np.cumsum(rng.normal(0, 0.02, len(months))))
    x = np.exp(3 + np.cumsum(rng.normal(0, 0.02, len(months))))
    # A May origin forecasts the next March-May, so its paths run 13 months, to June: with the regressor's 12-month
    # lag, the last of them would read the regressor one month after the origin if it were not cut there.
    origin = pd.Timestamp("2019-05-01")

    lags = {"T": 2, "U": 0, "X": 1, "M": 0}  # M: a panel column with no stored vintages

    def inputs(factor: float):
        # everything a series publishes after what the origin may see (months past origin - its lag) multiplied
        after = {sid: np.where(months > origin - pd.DateOffset(months=lag), factor, 1.0) for sid, lag in lags.items()}
        rows = []
        for sid, values in (("T", t), ("U", t[::-1]), ("X", x)):
            # T and X: the vintage of 2019-05-20 (known at the origin) ends in April; U has only the revised
            # vintage of 2022, which the origin reads cut at U's publication lag
            known = months <= pd.Timestamp("2019-04-01")
            if sid != "U":  # the vintage of then holds April, which T's 2-month lag keeps from the origin
                rows.append(pd.DataFrame({"series_id": sid, "vintage": pd.Timestamp("2019-05-20"),
                                          "month": months[known], "value": values[known] * 0.99 * after[sid][known],
                                          "partial": False}))
            rows.append(pd.DataFrame({"series_id": sid, "vintage": pd.Timestamp("2022-01-05"), "month": months,
                                      "value": values * after[sid], "partial": False}))
        vintages = pd.concat(rows, ignore_index=True)
        final = vintages[vintages["vintage"] == pd.Timestamp("2022-01-05")][["series_id", "month", "value"]]
        regressors = pd.DataFrame({"ps_zscore": rng_x * np.where(months > origin, factor, 1.0)}, index=months)
        panel = pd.DataFrame({"T": t * after["T"], "U": t[::-1] * after["U"], "X": x * after["X"],
                              "M": m * after["M"]}, index=months)
        return vintages, final, regressors, panel

    rng_x = np.random.default_rng(9).normal(0, 1, len(months))
    m = np.exp(5 + np.cumsum(np.random.default_rng(3).normal(0, 0.03, len(months))))
    base = load_cooling_config(None)
    config = dataclasses.replace(
        base, targets={"T": {"threshold": -0.05, "seasonally_adjusted": True, "publication_lag": 2},
                       "U": {"threshold": -0.05, "seasonally_adjusted": True, "publication_lag": 0}},
        backtest={**base.backtest, "repetitions": 200, "parameter_draws": 10, "models": ["sarimax", "nowcast"]},
        nowcast={**base.nowcast, "series": ["X", "M"], "market_cap": False, "lags": {"X": 1}, "repetitions": 200,
                 "maxiter": 2000})
    results = []
    for factor in (1.0, 3.0):
        vintages, final, regressors, panel = inputs(factor)
        plan = plan_backtest(config, vintages, final, regressors, panel, first_origin=origin, last_origin=origin)
        tasks = [task for task in plan.tasks if task.origin == origin]
        assert {type(task).__name__ for task in tasks} == {"OriginTask", "NowcastTask"}
        assert all(task.panel.index.max() <= origin for task in tasks if isinstance(task, NowcastTask))
        results.append([r for task in tasks for r in run_origin(task)])
    for a, b in zip(*results):
        assert a.statuses == b.statuses and all(status == "ok" for status, _ in a.statuses.values()), a.statuses
        pd.testing.assert_frame_equal(a.paths, b.paths)
        pd.testing.assert_frame_equal(a.probabilities, b.probabilities)
    models = {m for r in results[0] for m in r.paths["model"]}
    assert {"sarimax", "nowcast", "random_walk", "drift"} <= models


def test_a_failing_model_is_recorded_and_the_others_go_on(synthetic_target):
    level, regressors = synthetic_target
    res = forecast_at_origin(_task(level.loc["2016-09-01":], regressors, "2019-06-01"))  # 34 months
    assert res.statuses["sarimax"][0] == "skipped" and "fewer than 36" in res.statuses["sarimax"][1]
    assert set(res.paths["model"]) == {"random_walk", "seasonal_naive", "drift"}


# -- the job on the real snapshot -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def snapshot_backtest(snapshot_run, tmp_path_factory):
    """A short backtest (origins 2025-01..2025-06, in process) on a private copy of the snapshot warehouse."""
    mine = copy_home(snapshot_run, tmp_path_factory, "backtest")
    report = backtest_flow(mine, first="2025-01", last="2025-06", workers=1)
    return mine, report


def test_the_backtest_scores_every_model_and_baseline_for_every_target(snapshot_backtest):
    settings, report = snapshot_backtest
    db = settings.analytics_db
    targets = TARGETS
    assert set(report.origins) == targets
    assert report.origins["JTU5100JOL"] == ("2025-01", "2025-06", 6)
    assert report.origins["CES6054150001"][0] == "2025-02"  # its sample reaches 36 months + its lag only then
    scored = query(db, "SELECT target_series, model, count(DISTINCT metric) FROM marts.backtest_scores GROUP BY ALL")
    have = {(t, m) for t, m, _ in scored}
    assert {(t, m) for t in targets for m in MODELS} <= have
    assert not {m for _, m in have} & {"regimes"}  # no origin of 2025-01..06 has a live lead
    paths = query(db, "SELECT DISTINCT target_series, model FROM marts.backtest_scores WHERE metric = 'mase'")
    assert {(t, m) for t in targets for m in PATH_MODELS} <= set(paths)
    rw = query(db, "SELECT DISTINCT value FROM marts.backtest_scores WHERE model = 'random_walk' "
                   "AND metric = 'relative_mase'")
    assert {round(v, 12) for (v,) in rw} == {1.0}
    # the 2025 season is known, so every probability forecast of it has an outcome
    known = query(db, "SELECT count(*), count(cooled) FROM marts.backtest_forecasts "
                      "WHERE kind = 'probability' AND season = '2025 Mar-May'")
    assert known[0][0] > 0 and known[0][0] == known[0][1]
    assert query(db, "SELECT bool_and(NOT synthetic) FROM marts.backtest_scores")[0][0]
    basis = query(db, "SELECT DISTINCT target_series, data_basis FROM marts.backtest_scores")
    assert all("origins read" in b and "publication lag" in b for _, b in basis)
    status = query(db, "SELECT command, status FROM meta.runs WHERE run_id = ?", [report.run_id])
    assert status == [("backtest", "ok")]


def test_no_backtest_forecast_reads_past_its_origin(snapshot_backtest):
    settings, _ = snapshot_backtest
    db = settings.analytics_db
    bad = query(db, "SELECT count(*) FROM marts.backtest_forecasts WHERE kind = 'path' "
                    "AND (target_month <= origin OR horizon <> datediff('month', origin, target_month))")
    assert bad[0][0] == 0
    late = query(db, "SELECT count(*) FROM marts.backtest_forecasts WHERE real_time AND vintage >= origin + INTERVAL 1 MONTH")
    assert late[0][0] == 0


def test_the_backtest_tables_are_documented(snapshot_backtest):
    settings, _ = snapshot_backtest
    for table in ("backtest_forecasts", "backtest_scores", "backtest_reliability", "backtest_headline", "backtest_pit",
                  "backtest_gap_test"):
        missing = query(settings.analytics_db, "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
                                               "AND table_name = ? AND comment IS NULL", [table])
        assert missing == [], (table, missing)


def test_right_after_the_backtest_the_published_headline_is_what_its_scores_choose(snapshot_backtest):
    """The backtest flow forecasts again on the scores it wrote: the published headline is the combination rule's
    choice from the published scores, never the choice made before them."""
    from models.combination import choose_headline, regressor_label
    from models.forecast import gap_decisions
    from flows.config import load_cooling_config
    from warehouse import results

    settings, report = snapshot_backtest
    assert report.forecast is not None and not report.forecast.reused
    config = load_cooling_config(None)
    con = duckdb.connect(str(settings.analytics_db), read_only=True)
    try:
        published = con.execute("SELECT * FROM marts.cooling_probability").df()
        skill = results.backtest_skill(con)
        gap = results.published_gap_test(con)
        backtest_run = con.execute("SELECT max(run_id) FROM marts.backtest_scores").fetchall()[0][0]
    finally:
        con.close()
    assert backtest_run == report.run_id
    # the published forecast is the one re-run on these scores (a stale publish would carry the run before them)
    assert set(published["run_id"]) == {report.forecast.run_id}
    assert report.forecast.run_id != report.run_id
    expected = published.drop(columns=["headline", "chosen_by"])
    # and the published gap test's decisions: a target it does not show the gap helps has the default without it
    decisions, ignored = gap_decisions(gap, False, regressor_label(config.sarimax["regressors"], config.sarimax["lag"]),
                                       config.combination["gap_yardstick"])
    assert ignored is None and set(decisions) == set(TARGETS)
    choose_headline(config.combination, {t: float(v["threshold"]) for t, v in config.targets.items()}, skill,
                    pd.DataFrame(columns=["target_series", "model"]), expected, synthetic=False,
                    without_gap={sid: why for sid, (uses, why) in decisions.items() if uses is not True})
    got = published.sort_values(["target_series", "model"]).reset_index(drop=True)
    want = expected.sort_values(["target_series", "model"]).reset_index(drop=True)
    assert got["headline"].tolist() == want["headline"].tolist()
    assert got["chosen_by"].fillna("").tolist() == want["chosen_by"].fillna("").tolist()
    assert int(got["headline"].sum()) == len(TARGETS)


def test_backtest_without_a_warehouse_says_what_to_do(tmp_path):
    from flows.cli import app

    result = CliRunner().invoke(app, ["backtest", "--home", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "run `gapcast run` first" in result.output
    with pytest.raises(BacktestError, match="gapcast run"):
        backtest_job(make_settings(tmp_path / "nothing"))


def _written(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_backtest_models_are_configurable_and_checked(snapshot_backtest, tmp_path):
    from flows.config import COOLING_PATH, load_cooling_config
    from models.config import CoolingConfigError

    text = COOLING_PATH.read_text(encoding="utf-8")
    models = 'models = ["sarimax", "arima", "arima_gap_sample", "arima_robust", "regimes", "nowcast"]'
    assert models in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(models, 'models = ["sarimax", "prophet"]'), encoding="utf-8")
    with pytest.raises(CoolingConfigError, match=r"backtest.models .*prophet"):
        load_cooling_config(bad)
    baselines_only = tmp_path / "baselines.toml"
    candidates = re.search(r"^candidates = \[.*?\]", text, re.S | re.M).group(0)  # may span lines
    gap = re.search(r'^gap_yardstick = .*\nwithout_gap = .*$', text, re.M).group(0)
    no_gap_test = text.replace(gap, "gap_yardstick = false\nwithout_gap = false")
    # the gap test's settings: each hole refused before any origin is fitted, naming the key
    yardstick = "arima_gap_sample = { regressor_sample = true }"
    assert yardstick in text
    for change, message in [
        ((models, 'models = ["sarimax", "arima", "arima_robust", "regimes", "nowcast"]'),
         r"gap_yardstick 'arima_gap_sample' is not in backtest.models"),
        ((candidates, candidates.replace('"arima",', '"arima", "arima_gap_sample",')), r"never a forecast of its own"),
        (('without_gap = "arima"', 'without_gap = "sarimax"'), r"without_gap 'sarimax' must be one of the candidates"),
        (('without_gap = "arima"', "without_gap = false"), r"without_gap must name the default"),
        ((yardstick, "arima_gap_sample = { regressor_sample = true, window = 120 }"), r"\['window'\] would change"),
        (('gap_yardstick = "arima_gap_sample"', 'gap_yardstick = "arima"'), r"regressor_sample = true"),
    ]:
        with pytest.raises(CoolingConfigError, match=message):
            load_cooling_config(_written(tmp_path / "gap.toml", text.replace(*change)))
    baselines_only.write_text(no_gap_test.replace(models, "models = []").replace(candidates, 'candidates = ["drift"]'),
                              encoding="utf-8")  # a candidate no backtest scores is refused (tests/flows)
    settings, _ = snapshot_backtest
    report = backtest_job(settings, config_path=baselines_only, first_origin=pd.Timestamp("2025-01-01"),
                          last_origin=pd.Timestamp("2025-02-01"), workers=1, targets=["JTU5100JOL"])
    assert set(report.statuses) == {"random_walk", "seasonal_naive", "drift", "climatology"}
    assert {m for (m,) in query(settings.analytics_db, "SELECT DISTINCT model FROM marts.backtest_scores")} == \
        {"random_walk", "seasonal_naive", "drift", "climatology"}


def test_a_task_that_breaks_becomes_a_failed_result_not_a_lost_backtest(synthetic_target):

    level, regressors = synthetic_target
    broken = _task(level.iloc[:0], regressors, "2019-06-01")  # nothing known: the models cannot even start
    (result,) = run_origin(broken)
    assert result.target == "T" and result.paths.empty
    assert {status for status, _ in result.statuses.values()} <= {"failed", "skipped"}


def test_an_unknown_target_is_refused_before_anything_is_written(snapshot_backtest):
    settings, _ = snapshot_backtest
    before = query(settings.analytics_db, "SELECT count(*) FROM marts.backtest_scores")
    with pytest.raises(BacktestError, match="NOPE: not a target of .* the targets are CES6054150001"):
        backtest_job(settings, targets=["NOPE"], workers=1)
    with pytest.raises(BacktestError, match="nothing written"):
        backtest_job(settings, first_origin=pd.Timestamp("2030-01-01"), workers=1)
    assert query(settings.analytics_db, "SELECT count(*) FROM marts.backtest_scores") == before


def test_the_snapshot_run_forecasts_every_target_through_june_2027(snapshot_run):
    """The issue's first condition, on the real data: paths through June 2027 and P(cooling) for March-May 2027
    for every target, one headline each."""
    settings, _ = snapshot_run
    db = settings.analytics_db
    targets = TARGETS
    ends = query(db, "SELECT target_series, model, max(target_month) FROM marts.cooling_forecast GROUP BY ALL")
    assert {t for t, _, _ in ends} == targets
    assert {str(end) for _, _, end in ends} == {"2027-06-01"}
    assert {(t, m.split(":")[0]) for t, m, _ in ends} >= {(t, m) for t in targets for m in ("sarimax", "nowcast")}
    heads = query(db, "SELECT target_series, season, probability FROM marts.cooling_probability WHERE headline")
    assert sorted(t for t, _, _ in heads) == sorted(targets)
    assert all(season == "2027 Mar-May" and 0 <= p <= 1 for _, season, p in heads)
    assert query(db, "SELECT count(DISTINCT target_series) FROM marts.forecast_news WHERE updated_series = 'total'"
                 )[0][0] == len(TARGETS)


@pytest.mark.enable_socket  # the LocalCluster's scheduler and workers talk over 127.0.0.1
def test_the_backtest_gives_the_same_scores_on_a_dask_cluster(snapshot_run, tmp_path_factory):
    """The origins are pure functions of their data: run in this process, or as Dask tasks on a LocalCluster of
    two worker processes, the published scores and forecasts are the same rows (floats to a relative 1e-9)."""
    from flows.pipeline import origin_runner

    frames = {}
    for name, workers in (("in process", 1), ("dask", 2)):
        settings = copy_home(snapshot_run, tmp_path_factory, f"backtest-{name.replace(' ', '-')}")
        runner, label = origin_runner(workers, dask=name == "dask")
        report = steps.backtest(settings, first_origin=pd.Timestamp("2025-01-01"),
                                last_origin=pd.Timestamp("2025-04-01"), workers=workers, runner=runner,
                                runner_name=label, targets=["JTU5100JOL", "CES6054150001"])
        assert report.runner == label
        steps.publish(settings)
        frames[name] = {t: pd.DataFrame(query(settings.analytics_db, f"SELECT * EXCLUDE (run_id) FROM marts.{t} "
                                                                     "ORDER BY ALL"))
                        for t in ("backtest_scores", "backtest_forecasts")}
    assert frames["dask"]["backtest_scores"].shape[0] > 50
    for table in ("backtest_scores", "backtest_forecasts"):
        pd.testing.assert_frame_equal(frames["in process"][table], frames["dask"][table], rtol=1e-9)


def test_the_nowcast_panel_at_an_origin_reads_each_series_vintage_of_then():
    from models.backtest import panel_at

    months = pd.date_range("2021-01-01", "2021-12-01", freq="MS")
    panel = pd.DataFrame({"indeed_us_total": np.arange(12.0) + 100, "basket_market_cap": np.arange(12.0)},
                         index=months)
    early = pd.DataFrame({"vintage": pd.Timestamp("2021-04-05"), "month": months[:3], "value": [1.0, 2.0, 3.0],
                          "partial": False})
    late = pd.DataFrame({"vintage": pd.Timestamp("2021-10-04"), "month": months[:9],
                         "value": np.arange(9.0) + 10, "partial": False})
    vintages = {"indeed_us_total": pd.concat([early, late], ignore_index=True)}
    cut, seen = panel_at(panel, vintages, pd.Timestamp("2021-06-01"))
    # At the end of June 2021 the April vintage was the latest retrieved: real time, and it ends in March.
    assert seen == {"indeed_us_total": (pd.Timestamp("2021-04-05"), True)}
    assert list(cut["indeed_us_total"].dropna()) == [1.0, 2.0, 3.0]
    assert cut.index[-1] == pd.Timestamp("2021-06-01")  # nothing after the origin, in any column
    assert list(cut["basket_market_cap"]) == list(np.arange(6.0))  # a series without vintages as built
    # Before any vintage was retrieved: the first later one (revised data), cut at the origin.
    cut, seen = panel_at(panel, vintages, pd.Timestamp("2021-02-01"))
    assert seen == {"indeed_us_total": (pd.Timestamp("2021-04-05"), False)}
    assert list(cut["indeed_us_total"]) == [1.0, 2.0]


# -- the nested headline ------------------------------------------------------------------------------------------


def _scored_history(seed: int = 0):
    """Backtest rows of one target (lag 1) over 2000-2019: random_walk and two candidates whose quality flips,
    so that which one the rule picks depends on which seasons it may read (flip in the 2008 season)."""
    from models.forecast import TargetSpec

    rng = np.random.default_rng(seed)
    origins = pd.date_range("2000-01-01", "2019-12-01", freq="MS")
    paths, probs = [], []
    for origin in origins:
        season = origin.year + (1 if origin.month >= 6 else 0)
        lead = (season - origin.year) * 12 + 5 - origin.month
        cooled = bool(rng.random() < 0.4)
        good_early = season < 2008
        for model, sd in (("random_walk", 0.05), ("arima", 0.01 if good_early else 0.08),
                          ("arima_drift", 0.08 if good_early else 0.01)):
            for h in range(1, 10):
                month = origin + pd.DateOffset(months=h)
                actual = 100 * np.exp(rng.normal(0, 0.03))
                mean = actual * np.exp(rng.normal(0, sd))
                paths.append({"target_series": "T", "origin": origin, "model": model, "horizon": h,
                              "target_month": month, "mean": mean, "lo80": mean * 0.95, "hi80": mean * 1.05,
                              "lo95": mean * 0.9, "hi95": mean * 1.1, "actual": actual})
        for model, p in (("climatology", 0.4), ("arima", float(cooled) if good_early else 1 - float(cooled)),
                         ("arima_drift", 1 - float(cooled) if good_early else float(cooled))):
            probs.append({"target_series": "T", "origin": origin, "model": model, "season": f"{season} Mar-May",
                          "lead": lead, "probability": p, "cooled": cooled})
    spec = TargetSpec("T", -0.05, False, publication_lag=1)
    combination = {"default": "sarimax", "candidates": ["arima", "arima_drift", "random_walk"], "min_forecasts": 24,
                   "min_seasons": 8, "margin": 0.05}
    probs = pd.DataFrame(probs)
    probs["cooled"] = probs["cooled"].astype("boolean")
    return pd.DataFrame(paths), probs, combination, {"T": spec}


def test_the_nested_headline_never_reads_an_outcome_published_after_its_origin():
    """Whatever happens after an origin (outcomes, later forecasts), the headline chosen there is the same; and the
    choice does follow what was known (it moves from arima to arima_drift once the later seasons are published)."""
    from models.backtest import nested_headline

    paths, probs, combination, specs = _scored_history()
    _, _, choices = nested_headline(paths, probs, combination, specs)
    chosen = choices.set_index(["origin", "kind"])["model"]
    assert chosen.loc[(pd.Timestamp("2009-12-01"), "probability")] == "arima"
    assert chosen.loc[(pd.Timestamp("2019-12-01"), "probability")] == "arima_drift"
    assert chosen.loc[(pd.Timestamp("2009-12-01"), "path")] == "arima"
    assert chosen.loc[(pd.Timestamp("2019-12-01"), "path")] == "arima_drift"
    # what the rule read at each origin: the seasons whose May plus the 1-month lag had passed, and the random walk's
    # path months likewise (counted at its least-known horizon, 9)
    seasons = sorted({int(x[:4]) for x in probs["season"]})
    rw = paths[(paths["model"] == "random_walk") & (paths["horizon"] == 9)]
    for row in choices.itertuples():
        known = row.origin - pd.DateOffset(months=1)
        assert row.seasons_known == sum(pd.Timestamp(y, 5, 1) <= known for y in seasons), row
        if row.kind == "path":
            assert row.forecasts_known == int((rw["target_month"] <= known).sum()), row
    for cut in ("2005-06-01", "2010-07-01", "2014-01-01"):
        cut = pd.Timestamp(cut)
        known = cut - pd.DateOffset(months=1)  # the target's publication lag
        p2, q2 = paths.copy(), probs.copy()
        later_p = pd.to_datetime(p2["target_month"]) > known
        p2.loc[later_p, "actual"] *= np.exp(np.random.default_rng(1).normal(0, 0.5, later_p.sum()))
        p2.loc[p2["origin"] > cut, "mean"] *= 3.0
        later_q = q2["season"].map(lambda s: pd.Timestamp(int(s[:4]), 5, 1)) > known
        q2.loc[later_q, "cooled"] = ~q2.loc[later_q, "cooled"]
        q2.loc[q2["origin"] > cut, "probability"] = 1 - q2.loc[q2["origin"] > cut, "probability"]
        _, _, perturbed = nested_headline(p2, q2, combination, specs)
        before = lambda c: c[c["origin"] <= cut].reset_index(drop=True)  # noqa: E731
        pd.testing.assert_frame_equal(before(choices), before(perturbed))
        assert not choices[choices["origin"] > cut].reset_index(drop=True).equals(
            perturbed[perturbed["origin"] > cut].reset_index(drop=True))  # the perturbation matters later


def test_the_nested_headline_is_the_chosen_models_forecast_and_is_scored():
    from models.backtest import nested_headline, score_paths, score_probabilities

    paths, probs, combination, specs = _scored_history()
    head_p, head_q, choices = nested_headline(paths, probs, combination, specs)
    assert set(head_p["model"]) == set(head_q["model"]) == {"headline"}
    pick = choices[choices["kind"] == "probability"].set_index("origin")["model"]
    merged = head_q.merge(probs, on=["origin", "season"], suffixes=("", "_src"))
    merged = merged[merged["model_src"] == merged["origin"].map(pick)]
    assert len(merged) == len(head_q) and (merged["probability"] == merged["probability_src"]).all()
    # the first seasons cannot be scored yet: no headline until 8 seasons are published
    first = choices[choices["kind"] == "probability"]["origin"].min()
    assert first >= pd.Timestamp("2008-06-01")
    assert (choices.loc[choices["kind"] == "probability", "seasons_known"] >= 8).all()
    scores = score_probabilities(pd.concat([probs, head_q]))
    assert "headline" in set(scores["model"])
    path_scores = score_paths(pd.concat([paths, head_p]).assign(scale=1.0))
    assert "headline" in set(path_scores["model"])


def test_the_nested_rule_scores_what_the_published_scores_would_say():
    """Its running sums give skill_frame's CRPS skill (the published scores' definition) on the rows known by a month."""
    from models.backtest import _PathSkill, _with_errors, skill_frame

    paths, probs, _, _ = _scored_history()
    scored, scored_q = _with_errors(paths, probs)
    for known in ("2004-03-01", "2012-11-01", "2019-12-01"):
        known = pd.Timestamp(known)
        fast = _PathSkill(scored).at(known)
        slow = skill_frame(scored[scored["target_month"] <= known], scored_q.iloc[0:0], -0.05).set_index("model")
        assert set(fast) == set(slow.index)
        for model, (value, n) in fast.items():
            assert value == pytest.approx(slow.loc[model, "crps_skill"], rel=1e-12) and n == slow.loc[model, "crps_n"]


def test_the_nested_rule_matches_the_published_scores_with_gaps_and_undefined_bands():
    """With a random walk missing at some origins and a model's bands undefined at others (CRPS NaN), the running
    sums and skill_frame still say what score_paths and backtest_skill.sql publish: per horizon the mean of each
    column over the rows paired with the random walk (NaN skipped), averaged over horizons; n the fewest rows."""
    from models.backtest import _PathSkill, _with_errors, score_paths, skill_frame

    paths, probs, _, _ = _scored_history()
    rng = np.random.default_rng(7)
    paths = paths.copy()
    rw = paths.index[paths["model"] == "random_walk"]
    paths = paths.drop(rng.choice(rw, len(rw) // 5, replace=False))  # the random walk failed at some origins
    other = paths.index[paths["model"] == "arima_drift"]
    paths.loc[rng.choice(other, len(other) // 7, replace=False), ["lo95", "hi95"]] = np.nan  # CRPS undefined
    paths.loc[(paths["model"] == "random_walk") & (paths["horizon"] == 4), ["lo95", "hi95"]] = np.nan  # no yardstick
    rw2 = set(paths.loc[(paths["model"] == "random_walk") & (paths["horizon"] == 2), "origin"])
    arima = paths[(paths["model"] == "arima") & (paths["horizon"] == 2) & paths["origin"].isin(rw2)
                  & (pd.to_datetime(paths["target_month"]) >= pd.Timestamp("2008-01-01"))].index
    paths.loc[arima[0], "lo95"] = 0.0  # a band reaching zero: CRPS infinite, the skill -inf
    inf_from = pd.Timestamp(paths.loc[arima[0], "target_month"])
    scored, scored_q = _with_errors(paths, probs)
    assert scored["crps_log"].isna().any() and np.isinf(scored["crps_log"]).any()
    for known in ("2004-03-01", "2012-11-01", "2019-12-01"):
        known = pd.Timestamp(known)
        upto = paths[pd.to_datetime(paths["target_month"]) <= known]
        published = score_paths(upto.assign(scale=1.0))
        published = published[published["metric"] == "crps_skill"].groupby("model").agg(
            skill=("value", "mean"), n=("n", "min"))  # the SQL: avg(value) skips NULL, min(n)
        fast = _PathSkill(scored).at(known)
        slow = skill_frame(scored[scored["target_month"] <= known], scored_q.iloc[0:0], -0.05).set_index("model")
        assert set(fast) == set(slow.index) == set(published.index)
        assert np.isinf(published["skill"]).any() == (known >= inf_from)  # once arima's infinite score is known
        for model, (value, n) in fast.items():
            assert value == pytest.approx(published.loc[model, "skill"], rel=1e-12), (known, model)
            assert slow.loc[model, "crps_skill"] == pytest.approx(published.loc[model, "skill"], rel=1e-12)
            assert n == slow.loc[model, "crps_n"] == published.loc[model, "n"], (known, model)


def test_paired_skill_compares_two_models_on_their_shared_origins_only():
    """score_paired against a reference: the skill is 1 - sum sq / sum sq_ref over the origins both forecast at the
    live leads (a model's extra origins do not count), with the season-block interval, and the verdict in words."""
    from models.backtest import paired_verdict, score_paired, season_block_skill

    _, probs, _, _ = _scored_history()
    probs = probs.copy()
    probs = probs[~((probs["model"] == "arima") & (probs["origin"] < pd.Timestamp("2006-01-01")))]  # arima starts late
    out = score_paired(probs, "arima", "brier_skill_vs_arima").set_index("model")
    assert "arima" not in out.index and "climatology" not in out.index
    live = probs[probs["lead"].isin([5, 6, 7, 8])].dropna(subset=["probability", "cooled"])
    sq = lambda g: (g["probability"].astype(float) - g["cooled"].astype(float)) ** 2  # noqa: E731
    ref = live[live["model"] == "arima"].assign(sq=sq).set_index("origin")["sq"]
    drift = live[live["model"] == "arima_drift"].assign(sq=sq).set_index("origin")
    shared = drift.index.intersection(ref.index)
    expected = 1 - drift.loc[shared, "sq"].sum() / ref.loc[shared].sum()
    row = out.loc["arima_drift"]
    assert row["value"] == pytest.approx(expected, rel=1e-12) and row["n"] == len(shared)
    assert row["n"] < len(drift)  # its origins before arima's first are left out
    frame = pd.DataFrame({"season": drift.loc[shared, "season"], "sq": drift.loc[shared, "sq"], "sq_clim": ref.loc[shared]})
    assert (row["lo90"], row["hi90"]) == pytest.approx(season_block_skill(frame)[1:3])
    assert paired_verdict(0.2, 0.05, 0.3, "arima") == "beats arima"
    assert paired_verdict(-0.2, -0.3, -0.05, "sarimax") == "worse than sarimax"
    assert paired_verdict(0.1, -0.1, 0.3, "arima") == "no demonstrated difference from arima"
    assert score_paired(probs, "nowcast", "x").empty  # no such reference: nothing, not an error


def _gap_history(n_origins: int = 120, gap_sd: float = 0.01, seed: int = 3, brier_worse: bool = False):
    """Backtest rows of one target: SARIMAX with the gap (median off by ``gap_sd`` in logs) and its yardstick on the
    same months (off by 0.03), 1-9 months ahead, and their live-lead P(cooling)."""
    rng = np.random.default_rng(seed)
    origins = pd.date_range("2000-01-01", periods=n_origins, freq="MS")
    paths, probs = [], []
    for origin in origins:
        season = origin.year + (1 if origin.month >= 6 else 0)
        lead = (season - origin.year) * 12 + 5 - origin.month
        cooled = bool(rng.random() < 0.4)
        for h in range(1, 10):
            actual = 100 * np.exp(rng.normal(0, 0.03))
            for model, sd in (("sarimax", gap_sd), ("arima_gap_sample", 0.03)):
                mean = actual * np.exp(rng.normal(0, sd))
                paths.append({"target_series": "T", "origin": origin, "model": model, "horizon": h,
                              "target_month": origin + pd.DateOffset(months=h), "mean": mean, "lo80": mean * 0.96,
                              "hi80": mean * 1.04, "lo95": mean * 0.93, "hi95": mean * 1.07, "actual": actual})
        noise = 0.1 * rng.random()
        for model, p in (("sarimax", abs(1 - float(cooled) - 3 * noise) if brier_worse else 0.45 + noise),
                         ("arima_gap_sample", 0.5), ("climatology", 0.4)):
            probs.append({"target_series": "T", "origin": origin, "model": model, "season": f"{season} Mar-May",
                          "lead": lead, "probability": p, "cooled": cooled})
    probs = pd.DataFrame(probs)
    probs["cooled"] = probs["cooled"].astype("boolean")
    return pd.DataFrame(paths), probs


def test_the_gap_test_is_diebold_mariano_on_paired_losses_and_its_rule_reads_them():
    """Each row's statistic is models.thesis.diebold_mariano (itself checked by hand in tests/models/test_thesis.py)
    on the paired CRPS at a horizon, on their mean over horizons 1-9 (9-step overlap) and on the seasons' live-lead
    Brier scores; the rule uses the gap only where the mean CRPS is lower at p < 0.10 and the Brier not worse."""
    from models.backtest import GAP_TEST_COLUMNS, _with_errors, gap_test
    from models.thesis import diebold_mariano

    paths, probs = _gap_history()
    scored_p, scored_q = _with_errors(paths, probs)
    rows = gap_test(scored_p, scored_q, "arima_gap_sample", 9)
    assert list(rows.columns) == [c for c in GAP_TEST_COLUMNS if c not in ("run_id", "synthetic")]
    assert rows["yardstick"].eq("arima_gap_sample").all()
    crps = scored_p.pivot_table(index=["origin", "horizon"], columns="model", values="crps_log")
    h3 = crps.xs(3, level="horizon")
    stat, p = diebold_mariano(h3["sarimax"].to_numpy(), h3["arima_gap_sample"].to_numpy(), 3)
    row = rows[(rows["metric"] == "crps") & (rows["horizon"] == 3)].iloc[0]
    assert row["statistic"] == pytest.approx(stat, rel=1e-12) and row["p_value"] == pytest.approx(p, rel=1e-12)
    assert row["n"] == 120 and row["difference"] == pytest.approx(h3["sarimax"].mean() - h3["arima_gap_sample"].mean())
    mean = crps.groupby(level="origin").mean()
    stat, p = diebold_mariano(mean["sarimax"].to_numpy(), mean["arima_gap_sample"].to_numpy(), 9)
    summary = rows[(rows["metric"] == "crps") & rows["horizon"].isna()].iloc[0]
    assert summary["statistic"] == pytest.approx(stat, rel=1e-12) and summary["p_value"] < 0.10
    live = scored_q[scored_q["lead"].isin([5, 6, 7, 8])]
    per = live.pivot_table(index="season", columns="model", values="sq")
    stat, p = diebold_mariano(per["sarimax"].to_numpy(), per["arima_gap_sample"].to_numpy(), 2)  # runs of seasons
    brier = rows[rows["metric"] == "brier_live"].iloc[0]
    assert brier["statistic"] == pytest.approx(stat, rel=1e-12) and brier["n"] == per.shape[0] == 10
    assert rows["uses_gap"].eq(True).all() and rows["decision"].iloc[0].startswith("the gap is used: ")
    assert "lowers the CRPS" in rows["decision"].iloc[0]

    # the same quality with and without it: left out, saying so with the numbers
    same = gap_test(*_with_errors(*_gap_history(gap_sd=0.03)), "arima_gap_sample", 9)
    assert same["uses_gap"].eq(False).all() and same["decision"].iloc[0].startswith("the gap is left out: ")
    assert "DM p" in same["decision"].iloc[0] and "120 origins" in same["decision"].iloc[0]
    # a lower CRPS but a Brier score significantly higher: left out too
    worse = gap_test(*_with_errors(*_gap_history(n_origins=240, brier_worse=True)), "arima_gap_sample", 9)
    assert worse["uses_gap"].eq(False).all() and "raises the live-lead Brier score" in worse["decision"].iloc[0]
    # too few origins to test: untested, and left out (nothing shows it helps)
    few = gap_test(*_with_errors(*_gap_history(n_origins=8)), "arima_gap_sample", 9)
    assert few["uses_gap"].isna().all() and few["decision"].iloc[0].startswith("the gap is left out, untested")
    assert (few["verdict"].str.startswith("too few to test")).all()
    # a Diebold-Mariano test that ran, but on fewer origins than the rule's size needs: untested too
    short = gap_test(*_with_errors(*_gap_history(n_origins=60)), "arima_gap_sample", 9)
    assert np.isfinite(short.loc[short["metric"] == "crps", "p_value"]).all() and short["uses_gap"].isna().all()
    assert "60 origins scored at every horizon, 120 needed" in short["decision"].iloc[0]


def _nested_gap_choices(gap_sd: float, n_origins: int = 200):
    from models.backtest import nested_headline
    from models.forecast import TargetSpec

    paths, probs = _gap_history(n_origins=n_origins, gap_sd=gap_sd)
    yard = paths[paths["model"] == "arima_gap_sample"]
    paths = pd.concat([paths, yard.assign(model="arima"), yard.assign(model="random_walk")], ignore_index=True)
    probs = pd.concat([probs, probs[probs["model"] == "arima_gap_sample"].assign(model="arima")], ignore_index=True)
    combination = {"default": "sarimax", "candidates": ["sarimax", "arima", "random_walk"], "min_forecasts": 24,
                   "min_seasons": 8, "margin": 0.05, "gap_yardstick": "arima_gap_sample", "without_gap": "arima"}
    _, _, choices = nested_headline(paths, probs, combination, {"T": TargetSpec("T", -0.05, False, 1)})
    return choices[choices["kind"] == "path"].set_index("origin")


def test_the_nested_rule_carries_the_gap_only_once_the_known_test_shows_it_helps():
    """At each origin the gap test reads only the outcomes published by then. Until 120 origins are scored at every
    horizon it is untested and the gap is left out (nothing shows it helps): the default is without_gap, saying
    why first. From then on a gap that helps puts SARIMAX back; one that hurts stays out, saying so."""
    # origin 2000-01's nine horizons are all published (lag 1) at origin 2000-11: 120 such origins at 2010-10
    helps = _nested_gap_choices(gap_sd=0.01)
    early, late = helps.loc[:"2010-09-01"], helps.loc["2010-10-01":]
    assert (early["model"] != "sarimax").all() and early["reason"].str.startswith("the gap is left out, untested").all()
    assert "119 origins" in early.loc["2010-09-01", "reason"]
    assert (late["model"] == "sarimax").all() and not late["reason"].str.contains("left out").any()
    hurts = _nested_gap_choices(gap_sd=0.06)  # the gap doubles the median's error
    late = hurts.loc["2010-10-01":]
    assert (late["model"] != "sarimax").all() and late["reason"].str.startswith("the gap is left out: CRPS").all()


def test_a_gap_test_whose_long_run_variance_is_not_positive_stays_untested():
    """The rectangular window's variance of alternating loss differences is negative at h = 2: the row is not
    tested (a fallback to h = 1, as R's forecast::dm.test does, would ignore the overlap and overstate
    significance: bench/gap_test_size.py), and a target whose rule row is untested leaves the gap out."""
    from models.backtest import _gap_row, gap_decision

    b = np.full(140, 2.0)
    a = b + np.tile([0.5, -0.3], 70) + np.linspace(0, 0.01, 140)
    row = _gap_row("T", float("nan"), "crps", a, b, 2, pd.date_range("2000-01-01", periods=140, freq="MS"))
    assert np.isnan(row["statistic"]) and np.isnan(row["p_value"])
    assert row["verdict"].startswith("not tested: Diebold-Mariano: the loss differences' long-run variance")
    uses, why = gap_decision(pd.DataFrame([row]))
    assert uses is None and why.startswith("the gap is left out, untested: ")
