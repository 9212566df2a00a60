"""models.regimes: the regime forecast p_{t+h} = p_t P^h against hand-computed values, and the fitted model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.regimes import GrowthRegimes, RegimeInputError, forecast_regime_probabilities


def test_regime_forecast_matches_a_hand_computed_transition():
    # P = [[0.9, 0.1], [0.2, 0.8]], p_0 = (0.5, 0.5):
    # p_1 = (0.5*0.9 + 0.5*0.2, 0.5*0.1 + 0.5*0.8) = (0.55, 0.45)
    # p_2 = (0.55*0.9 + 0.45*0.2, 0.55*0.1 + 0.45*0.8) = (0.585, 0.415)
    # p_3 = (0.585*0.9 + 0.415*0.2, ...) = (0.6095, 0.3905); the limit is (2/3, 1/3).
    P = np.array([[0.9, 0.1], [0.2, 0.8]])
    ahead = forecast_regime_probabilities(np.array([0.5, 0.5]), P, 3)
    assert ahead == pytest.approx(np.array([[0.55, 0.45], [0.585, 0.415], [0.6095, 0.3905]]), abs=1e-12)
    assert forecast_regime_probabilities(np.array([1.0, 0.0]), P, 200)[-1] == pytest.approx([2 / 3, 1 / 3])


def test_a_matrix_whose_rows_do_not_sum_to_one_is_refused():
    with pytest.raises(RegimeInputError, match="rows summing to one"):
        forecast_regime_probabilities(np.array([0.5, 0.5]), np.array([[0.9, 0.9], [0.2, 0.8]]), 2)


@pytest.fixture(scope="module")
def two_regime_fit():
    """Growth that switches between +1%/month (calm) and -2%/month (noisy) with persistent regimes."""
    rng = np.random.default_rng(3)
    n, state, states = 300, 1, []
    stay = {0: 0.9, 1: 0.95}
    for _ in range(n):
        states.append(state)
        state = state if rng.random() < stay[state] else 1 - state
    states = np.array(states)
    growth = np.where(states == 0, rng.normal(-0.02, 0.02, n), rng.normal(0.01, 0.005, n))
    months = pd.date_range("2000-01-01", periods=n, freq="MS")
    return states, GrowthRegimes("SIM", pd.Series(np.cumsum(growth), index=months),
                                 pd.Timestamp(months[-1]) + pd.DateOffset(months=6)).fit()


def test_the_cooling_regime_is_the_low_growth_one_and_is_found(two_regime_fit):
    states, res = two_regime_fit
    assert res.status == "ok"
    assert res.diagnostics["mean_growth_pct"][0] < res.diagnostics["mean_growth_pct"][1]
    # smoothed probabilities start at the second month (growth needs a difference)
    agree = ((res.smoothed > 0.5).to_numpy() == (states[1:] == 0)).mean()
    assert agree > 0.9
    assert res.transition[0, 0] == pytest.approx(0.9, abs=0.07)


def test_the_fitted_forecast_is_the_transition_applied_to_the_last_filtered_probabilities(two_regime_fit):
    _, res = two_regime_fit
    assert len(res.forecast) == 6
    p = res.forecast.to_numpy()
    P = res.transition
    # one step: p_{t+2}[cooling] = p_{t+1} P[:, cooling], with p_{t+1} = (p, 1 - p)
    for a, b in zip(p[:-1], p[1:]):
        assert b == pytest.approx(a * P[0, 0] + (1 - a) * P[1, 0], abs=1e-12)
    assert 0 <= res.season_probability(res.forecast.index[:3]) <= 1


def test_too_short_a_series_is_refused():
    months = pd.date_range("2024-01-01", periods=20, freq="MS")
    with pytest.raises(RegimeInputError, match="fewer than 36"):
        GrowthRegimes("SHORT", pd.Series(np.arange(20) * 0.01, index=months), months[-1]).fit()
