"""The baselines every model must beat: random walk, seasonal naive and drift on the monthly log level, their
paths, intervals and P(cooling) by simulation, and the naive forecast's MASE scale."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

Z80 = float(norm.ppf(0.90))
Z95 = float(norm.ppf(0.975))
BASELINES = ("random_walk", "seasonal_naive", "drift")


class BacktestInputError(ValueError):
    """Inputs the backtest arithmetic cannot use, naming what is wrong."""


def interval_rows(mu, sigma) -> dict[str, np.ndarray]:
    """Median and 80% / 95% bounds in target units of a Gaussian log level."""
    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    return {"mean": np.exp(mu), "lo80": np.exp(mu - Z80 * sigma), "hi80": np.exp(mu + Z80 * sigma),
            "lo95": np.exp(mu - Z95 * sigma), "hi95": np.exp(mu + Z95 * sigma)}


def mase_scale(level: pd.Series, season: int = 1) -> float:
    """Hyndman and Koehler (2006): the in-sample mean absolute error of the (seasonal) naive forecast,
    mean |x_t - x_{t-season}| over the training sample. NaN when it cannot be formed or is zero."""
    x = level.dropna().astype(float).to_numpy()
    if len(x) <= season:
        return float("nan")
    scale = float(np.mean(np.abs(x[season:] - x[:-season])))
    return scale if scale > 0 else float("nan")


@dataclass(frozen=True)
class Baseline:
    """A baseline forecast of the log level ``steps`` months ahead: Gaussian with mean ``mu`` and sd ``sigma``.

    random_walk     x_{T+h} = x_T;                         var = h s1^2,  s1 the sd of one-month changes
    seasonal_naive  x_{T+h} = x_{T+h-12k}, k = ceil(h/12);  var = k s12^2, s12 the sd of 12-month changes
    drift           x_{T+h} = x_T + h d, d the mean change; var = h s1^2 (1 + h / (T - 1))   (Hyndman and
                    Athanasopoulos, Forecasting: Principles and Practice, 3rd ed., section 5.5, table 5.2)
    """

    name: str
    mu: np.ndarray
    sigma: np.ndarray

    def simulate(self, repetitions: int, rng: np.random.Generator, log_level: np.ndarray) -> np.ndarray:
        """Paths (steps x repetitions) of the log level whose marginals are this baseline's, built as the
        model implies: cumulated one-month shocks (random walk, drift) or yearly shocks (seasonal naive)."""
        steps = len(self.mu)
        if self.name == "seasonal_naive":
            s12 = float(self.sigma[0]) if steps else 0.0
            x = np.asarray(log_level, dtype=float)
            paths = np.empty((steps, repetitions))
            for h in range(steps):
                base = x[len(x) - 12 + h] if h < 12 else paths[h - 12]
                paths[h] = base + rng.normal(0, s12, repetitions)
            return paths
        s1 = float(self.sigma[0]) if steps else 0.0
        drift = float(self.mu[0] - log_level[-1]) if (self.name == "drift" and steps) else 0.0
        shocks = rng.normal(drift, s1, (steps, repetitions))
        return log_level[-1] + np.cumsum(shocks, axis=0)


def baselines(log_level: pd.Series, steps: int) -> dict[str, Baseline]:
    """The three baselines of a monthly log level (month-start index, no gaps), ``steps`` months ahead."""
    x = log_level.dropna().astype(float).to_numpy()
    if len(x) < 25:
        raise BacktestInputError(f"baselines need 25 months, have {len(x)}")
    h = np.arange(1, steps + 1)
    d1 = np.diff(x)
    s1 = float(np.std(d1, ddof=1))
    d12 = x[12:] - x[:-12]
    s12 = float(np.sqrt(np.mean(d12 ** 2)))  # the seasonal naive's own residuals (no mean removed)
    k = np.ceil(h / 12).astype(int)
    last_year = x[-12:]
    snaive_mu = np.array([last_year[(i % 12)] for i in range(steps)])  # k-th repeat of the last 12 months
    drift = float((x[-1] - x[0]) / (len(x) - 1))
    return {
        "random_walk": Baseline("random_walk", np.full(steps, x[-1]), s1 * np.sqrt(h)),
        "seasonal_naive": Baseline("seasonal_naive", snaive_mu, s12 * np.sqrt(k)),
        "drift": Baseline("drift", x[-1] + h * drift, s1 * np.sqrt(h * (1 + h / (len(x) - 1)))),
    }


def baseline_forecasts(level: pd.Series, factors: pd.Series, event, season_year: int, horizon_end: pd.Timestamp,
                       repetitions: int, seed: int) -> dict[str, tuple[pd.DataFrame, float, np.ndarray]]:
    """Each baseline's path (month, mean, lo80, hi80, lo95, hi95 in target units, from the month after the last
    value through ``horizon_end``), its P(cooling) for ``season_year`` by simulation, and the simulated seasonal
    changes it counts.

    The baselines run on the target as published (not adjusted: the seasonal naive carries the seasonality);
    the event is judged on levels less the month-of-year ``factors`` (zeros for an adjusted target)."""
    level = level.astype(float).dropna().sort_index()
    log_level = np.log(level)
    future = pd.date_range(level.index[-1] + pd.offsets.MonthBegin(), pd.Timestamp(horizon_end), freq="MS")
    base = baselines(log_level.asfreq("MS"), len(future))
    rng = np.random.default_rng(seed)
    adjusted = log_level - factors.reindex(log_level.index.month).to_numpy()
    out = {}
    for name, b in base.items():
        frame = pd.DataFrame({"month": future, **interval_rows(b.mu, b.sigma)})
        sims = b.simulate(repetitions, rng, log_level.to_numpy())
        sims_sa = sims - factors.reindex(future.month).to_numpy()[:, None]
        changes = event.simulated_changes(np.exp(adjusted), pd.DataFrame(np.exp(sims_sa), index=future), season_year)
        out[name] = (frame, event.share_cooling(changes), changes)
    return out


