"""Two-regime Markov-switching regression of a target's monthly growth: which months are cooling, and ahead."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.divergence import recorded_warnings


class RegimeInputError(ValueError):
    """Inputs the regime model cannot use, naming the target."""


def forecast_regime_probabilities(p_now: np.ndarray, transition: np.ndarray, steps: int) -> np.ndarray:
    """p_{t+h} = p_t P^h for h = 1..steps, where P[i, j] = Pr(S_{t+1} = j | S_t = i) (rows sum to one)
    and p_t is a row vector. Returns an array of shape (steps, k)."""
    p = np.asarray(p_now, dtype=float)
    P = np.asarray(transition, dtype=float)
    if P.shape != (len(p), len(p)) or not np.allclose(P.sum(axis=1), 1):
        raise RegimeInputError("transition must be k x k with rows summing to one")
    out = []
    for _ in range(steps):
        p = p @ P
        out.append(p)
    return np.array(out).reshape(steps, len(p_now))


@dataclass(frozen=True)
class RegimeResults:
    target: str
    status: str  # ok, not_converged
    smoothed: pd.Series = field(repr=False)  # P(cooling regime) by month
    forecast: pd.Series = field(repr=False)  # P(cooling regime) ahead, by month
    transition: np.ndarray = field(repr=False)  # row-stochastic, regimes ordered (cooling, other)
    parameters: dict = field(repr=False)
    diagnostics: dict = field(repr=False)
    warnings: tuple[str, ...] = ()

    def season_probability(self, months) -> float:
        """Mean forecast probability of the cooling regime over ``months`` (e.g. March-May)."""
        values = self.forecast.reindex(pd.DatetimeIndex(months))
        return float(values.mean()) if values.notna().all() else float("nan")


@dataclass(frozen=True)
class GrowthRegimes:
    """Specification: MarkovRegression (2 regimes, switching mean and variance) of 100 x monthly log growth.

    The cooling regime is the one with the lower mean growth. Forecasts run from the last filtered
    probabilities through the estimated transition matrix to ``horizon_end``.
    """

    target: str
    log_level: pd.Series
    horizon_end: pd.Timestamp
    maxiter: int = 200
    min_months: int = 36
    search_reps: int = 5
    seed: int = 20270301

    def fit(self) -> RegimeResults:
        from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

        x = self.log_level.astype(float).dropna().sort_index().asfreq("MS")
        growth = (100 * x.diff()).dropna()
        if len(growth) < self.min_months:
            raise RegimeInputError(f"{self.target}: {len(growth)} months of growth, fewer than {self.min_months}")
        notes: list[str] = []
        with recorded_warnings(notes, f"regimes:{self.target}"):
            model = MarkovRegression(growth, k_regimes=2, trend="c", switching_variance=True)
            # search_reps draws its starting values from ``rng``: statsmodels 0.15 no longer reads numpy's global
            # state, so without a seeded generator every run started from fresh OS entropy (and the regime
            # probabilities moved by up to 0.5% from one run to the next).
            res = model.fit(maxiter=self.maxiter, search_reps=self.search_reps, disp=False,
                            rng=np.random.default_rng(self.seed))
        converged = bool(res.mle_retvals.get("converged", True)) if res.mle_retvals else True
        if not converged:
            notes.append(f"regimes:{self.target}: the optimizer did not converge in {self.maxiter} iterations")
        k = 2
        means = np.array([res.params[f"const[{i}]"] for i in range(k)])
        cooling = int(np.argmin(means))
        order = [cooling, 1 - cooling]
        # statsmodels: regime_transition[i, j] = Pr(S_t = i | S_{t-1} = j); ours is its transpose.
        P = np.asarray(res.regime_transition)[:, :, -1].T[np.ix_(order, order)]
        smoothed = pd.Series(np.asarray(res.smoothed_marginal_probabilities)[:, cooling], index=growth.index)
        filtered_last = np.asarray(res.filtered_marginal_probabilities)[-1, order]
        future = pd.date_range(growth.index[-1] + pd.offsets.MonthBegin(), pd.Timestamp(self.horizon_end), freq="MS")
        ahead = forecast_regime_probabilities(filtered_last, P, len(future))
        forecast = pd.Series(ahead[:, 0] if len(future) else [], index=future, dtype=float)
        variances = [float(res.params[f"sigma2[{i}]"]) for i in order]
        return RegimeResults(
            target=self.target, status="ok" if converged else "not_converged", smoothed=smoothed,
            forecast=forecast, transition=P,
            parameters={"k_regimes": 2, "trend": "c", "switching_variance": True, "endog": "100 x diff(log level)",
                        "maxiter": self.maxiter, "search_reps": self.search_reps, "seed": self.seed},
            diagnostics={"converged": converged, "nobs": int(res.nobs), "llf": float(res.llf),
                         "aic": float(res.aic), "mean_growth_pct": [float(means[i]) for i in order],
                         "variance": variances, "transition_rows_cooling_other": P.tolist(),
                         "expected_duration_months": [float(1 / (1 - P[i, i])) if P[i, i] < 1 else None
                                                      for i in range(2)],
                         "sample_start": growth.index[0], "sample_end": growth.index[-1]},
            warnings=tuple(notes))
