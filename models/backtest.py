"""Backtest arithmetic: the baselines (random walk, seasonal naive, drift) and the scores (MASE, RMSE, CRPS,
pinball loss, interval coverage, Brier score and its reliability table).

Frames in, frames out; nothing here reads a database. ``warehouse/backtest.py`` runs the rolling origins.

CRPS treats each forecast as Gaussian in the log level, with the mean and standard deviation recovered from
its median (``mean``) and 95% bounds (:func:`log_normal_params`): exact for the baselines, an approximation for
SARIMAX with parameter draws and for the nowcast, whose bounds are quantiles of simulated paths. The pinball
loss and coverage use the published bounds as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

Z80 = float(norm.ppf(0.90))
Z95 = float(norm.ppf(0.975))
QUANTILE_LEVELS = (0.025, 0.10, 0.50, 0.90, 0.975)
BASELINES = ("random_walk", "seasonal_naive", "drift")


class BacktestInputError(ValueError):
    """Inputs the backtest arithmetic cannot use, naming what is wrong."""


# -- scores ----------------------------------------------------------------------------------------


def gaussian_crps(mu, sigma, y):
    """CRPS of N(mu, sigma^2) at y (Gneiting and Raftery 2007, eq. 21):
    sigma * (z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi)),  z = (y - mu) / sigma.  Lower is better;
    for sigma -> 0 it is |y - mu|."""
    mu, sigma, y = (np.asarray(a, dtype=float) for a in (mu, sigma, y))
    if np.any(sigma < 0):
        raise BacktestInputError("gaussian_crps: sigma must be >= 0")
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (y - mu) / sigma
        crps = sigma * (z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / math.sqrt(math.pi))
    return np.where(sigma == 0, np.abs(y - mu), crps)


def pinball_loss(y, q, tau):
    """Quantile (pinball) loss of the tau-quantile forecast q at y: (1{y < q} - tau) (q - y)."""
    y, q = np.asarray(y, dtype=float), np.asarray(q, dtype=float)
    return np.where(y < q, (1 - tau) * (q - y), tau * (y - q))


def log_normal_params(mean, lo95, hi95):
    """(mu, sigma) of the log level from a forecast row's median and 95% bounds (target units)."""
    lo, hi = np.log(np.asarray(lo95, dtype=float)), np.log(np.asarray(hi95, dtype=float))
    return np.log(np.asarray(mean, dtype=float)), (hi - lo) / (2 * Z95)


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


def brier_score(probability, outcome) -> float:
    p, o = np.asarray(probability, dtype=float), np.asarray(outcome, dtype=float)
    return float(np.mean((p - o) ** 2)) if len(p) else float("nan")


def reliability_table(frame: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Per model and probability bin ([0, 0.1), ..., [0.9, 1]): forecasts, mean forecast P, observed frequency.
    ``frame`` has model, probability, cooled (bool)."""
    data = frame.dropna(subset=["probability", "cooled"]).copy()
    if data.empty:
        return pd.DataFrame(columns=["model", "bin_low", "bin_high", "forecasts", "mean_probability",
                                     "observed_frequency"])
    edges = np.linspace(0, 1, bins + 1)
    # floor(p x bins), nudged: np.linspace's edges are inexact (0.30000000000000004) and p = 0.3 belongs above.
    data["bin"] = np.clip(np.floor(data["probability"].astype(float) * bins + 1e-9), 0, bins - 1).astype(int)
    data["cooled"] = data["cooled"].astype(float)
    out = (data.groupby(["model", "bin"], as_index=False)
           .agg(forecasts=("probability", "size"), mean_probability=("probability", "mean"),
                observed_frequency=("cooled", "mean")))
    out["bin_low"] = edges[out["bin"]]
    out["bin_high"] = edges[out["bin"] + 1]
    return out[["model", "bin_low", "bin_high", "forecasts", "mean_probability", "observed_frequency"]]


# -- baselines -------------------------------------------------------------------------------------


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
                       repetitions: int, seed: int) -> dict[str, tuple[pd.DataFrame, float]]:
    """Each baseline's path (month, mean, lo80, hi80, lo95, hi95 in target units, from the month after the last
    value through ``horizon_end``) and its P(cooling) for ``season_year`` by simulation.

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
        p = event.probability(np.exp(adjusted), pd.DataFrame(np.exp(sims_sa), index=future), season_year)
        out[name] = (frame, p)
    return out


# -- aggregation -----------------------------------------------------------------------------------


def score_paths(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Scores by target, model and horizon from path forecasts with a known outcome.

    ``forecasts`` columns: target_series, model, horizon, origin, mean, lo80, hi80, lo95, hi95, actual, scale
    (the MASE scale of the training data at the origin). Returns long rows target_series, model, horizon,
    metric, value, n with metrics mase, rmse, crps_log (CRPS of the log level, x100 = percent), pinball
    (mean over the five published quantiles, target units), coverage80, coverage95, and the ratios to the random
    walk at the same origins: relative_mase (MASE / random walk MASE) and crps_skill (1 - CRPS / random walk CRPS).
    """
    f = forecasts.dropna(subset=["actual", "mean"]).copy()
    if f.empty:
        return pd.DataFrame(columns=["target_series", "model", "horizon", "metric", "value", "n"])
    mu, sigma = log_normal_params(f["mean"], f["lo95"], f["hi95"])
    y = f["actual"].to_numpy(dtype=float)
    f["abs_error"] = np.abs(y - f["mean"].to_numpy(dtype=float))
    f["scaled_error"] = f["abs_error"] / f["scale"]
    f["sq_error"] = (y - f["mean"].to_numpy(dtype=float)) ** 2
    f["crps_log"] = 100 * gaussian_crps(mu, sigma, np.log(y))
    # The published bounds themselves (for simulated intervals they are quantiles of paths, not of a Gaussian).
    qs = {0.025: f["lo95"].to_numpy(float), 0.10: f["lo80"].to_numpy(float), 0.50: f["mean"].to_numpy(float),
          0.90: f["hi80"].to_numpy(float), 0.975: f["hi95"].to_numpy(float)}
    f["pinball"] = np.mean([pinball_loss(y, q, tau) for tau, q in qs.items()], axis=0)
    f["in80"] = ((y >= f["lo80"]) & (y <= f["hi80"])).astype(float)
    f["in95"] = ((y >= f["lo95"]) & (y <= f["hi95"])).astype(float)
    keys = ["target_series", "model", "horizon"]
    g = f.groupby(keys)
    agg = pd.DataFrame({
        "mase": g["scaled_error"].mean(), "rmse": np.sqrt(g["sq_error"].mean()), "crps_log": g["crps_log"].mean(),
        "pinball": g["pinball"].mean(), "coverage80": g["in80"].mean(), "coverage95": g["in95"].mean(),
        "n": g.size(),
    }).reset_index()
    # Ratios to the random walk over the same origins (a model may miss origins the random walk has).
    on = ["target_series", "horizon", "origin"]
    rw = f[f["model"] == "random_walk"][on + ["scaled_error", "crps_log"]].rename(
        columns={"scaled_error": "scaled_error_rw", "crps_log": "crps_log_rw"})
    paired = f.merge(rw, on=on, how="inner")
    pg = paired.groupby(keys)
    ratios = pd.DataFrame({
        "relative_mase": pg["scaled_error"].mean() / pg["scaled_error_rw"].mean(),
        "crps_skill": 1 - pg["crps_log"].mean() / pg["crps_log_rw"].mean(),
    }).reset_index()
    agg = agg.merge(ratios, on=keys, how="left")
    metrics = ["crps_skill", "relative_mase", "mase", "rmse", "crps_log", "pinball", "coverage80", "coverage95"]
    long = agg.melt(id_vars=keys + ["n"], value_vars=metrics, var_name="metric", value_name="value")
    long["metric"] = pd.Categorical(long["metric"], metrics, ordered=True)
    long = long.sort_values(["target_series", "metric", "model", "horizon"]).reset_index(drop=True)
    long["metric"] = long["metric"].astype(str)
    return long[["target_series", "model", "horizon", "metric", "value", "n"]]


def score_probabilities(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Brier scores by target, model and lead (months from the origin to the season's May) and over all leads,
    each beside the Brier score of the climatological base rate at the same origins and the skill
    1 - Brier / Brier(climatology). ``forecasts``: target_series, model, origin, season, lead, probability, cooled.
    Returns rows target_series, model, horizon (the lead; NaN = all leads), metric, value, n and seasons (the
    distinct seasons those n forecasts are about: monthly origins forecasting one season are not independent)."""
    f = forecasts.dropna(subset=["probability", "cooled"]).copy()
    cols = ["target_series", "model", "horizon", "metric", "value", "n", "seasons"]
    if f.empty:
        return pd.DataFrame(columns=cols)
    f["sq"] = (f["probability"].astype(float) - f["cooled"].astype(float)) ** 2
    clim = f[f["model"] == "climatology"].set_index(["target_series", "origin"])["sq"].rename("sq_clim")
    f = f.join(clim, on=["target_series", "origin"])
    rows = []
    for (target, model), g in f.groupby(["target_series", "model"], sort=True):
        for lead, gl in [(np.nan, g)] + list(g.groupby("lead", sort=True)):
            b, n = float(gl["sq"].mean()), len(gl)
            paired = gl.dropna(subset=["sq_clim"])
            bc = float(paired["sq_clim"].mean()) if len(paired) else float("nan")
            seasons, paired_seasons = gl["season"].nunique(), paired["season"].nunique()
            rows += [(target, model, lead, "brier", b, n, seasons),
                     (target, model, lead, "brier_climatology", bc, len(paired), paired_seasons),
                     (target, model, lead, "brier_skill", 1 - float(paired["sq"].mean()) / bc if bc > 0 else np.nan,
                      len(paired), paired_seasons)]
    return pd.DataFrame(rows, columns=cols)


# -- one origin ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OriginTask:
    """Everything one target's forecasts at one origin need, all of it known at the end of month ``origin``.

    ``level`` holds the target's complete months known then (its vintage at the origin, cut at its publication
    lag); ``regressors`` the divergence measures through the origin. ``sarimax`` and ``regimes`` are the
    keyword arguments of :class:`models.cooling.CoolingSARIMAX` and :class:`models.regimes.GrowthRegimes`
    (without the data); None leaves that model out.
    """

    target: str
    origin: pd.Timestamp
    level: pd.Series
    regressors: pd.DataFrame
    threshold: float
    seasonally_adjust: bool
    horizons: int
    repetitions: int
    seed: int
    sarimax: dict | None
    regimes: dict | None
    seasonal_mase: bool = False
    vintage: pd.Timestamp | None = None  # the target's vintage read, and whether it was retrieved by the origin
    real_time: bool = False


@dataclass(frozen=True)
class OriginResult:
    target: str
    origin: pd.Timestamp
    paths: pd.DataFrame  # model, horizon, target_month, mean, lo80, hi80, lo95, hi95
    probabilities: pd.DataFrame  # model, season, lead, probability
    scale: float  # the MASE scale of the training data
    statuses: dict  # model -> (status, message)
    vintage: pd.Timestamp | None = None
    real_time: bool = False


def season_year_at(origin: pd.Timestamp) -> int:
    """The March-May a forecast made at the end of ``origin`` is about: this year's until May ends."""
    return origin.year if origin.month < 5 else origin.year + 1


def forecast_at_origin(task: OriginTask) -> OriginResult:
    """Every model's and baseline's forecasts of one target at one origin: paths for horizons 1..``horizons``
    months after the origin, and P(cooling) for the season :func:`season_year_at` the origin.

    A model that fails is recorded in ``statuses`` with the error and contributes no rows; the others go on."""
    from models.cooling import CoolingEvent, CoolingInputError, CoolingSARIMAX, seasonal_factors
    from models.regimes import GrowthRegimes

    origin = pd.Timestamp(task.origin)
    level = task.level.astype(float).dropna().sort_index()
    months = pd.date_range(origin + pd.offsets.MonthBegin(), periods=task.horizons, freq="MS")
    season_year = season_year_at(origin)
    autumn, spring = CoolingEvent.windows(season_year)
    horizon_end = max(months[-1], pd.Timestamp(season_year, 6, 1))
    lead = (spring[-1].year - origin.year) * 12 + spring[-1].month - origin.month
    label = CoolingEvent.season_label(season_year)
    event = CoolingEvent(task.threshold)
    statuses: dict = {}
    paths, probs = [], []

    def path_rows(model: str, frame: pd.DataFrame) -> None:
        frame = frame.set_index("month").reindex(months)
        for h, (m, r) in enumerate(frame.iterrows(), start=1):
            if pd.notna(r["mean"]):
                paths.append({"model": model, "horizon": h, "target_month": m, **{k: float(r[k]) for k in
                              ("mean", "lo80", "hi80", "lo95", "hi95")}})

    def probability_row(model: str, p: float) -> None:
        probs.append({"model": model, "season": label, "lead": lead, "probability": float(p)})

    log_level = np.log(level)
    try:
        factors = (seasonal_factors(log_level) if task.seasonally_adjust
                   else pd.Series(0.0, index=range(1, 13)))
    except CoolingInputError as exc:  # too short to adjust: every model of this origin is skipped, saying why
        why = f"seasonal adjustment at {origin:%Y-%m}: {exc}"
        names = ["climatology", *BASELINES] + (["sarimax"] if task.sarimax is not None else []) \
            + (["regimes"] if task.regimes is not None else [])
        return OriginResult(task.target, origin, pd.DataFrame(), pd.DataFrame(), float("nan"),
                            {name: ("skipped", why) for name in names}, task.vintage, task.real_time)
    adjusted = log_level - factors.reindex(log_level.index.month).to_numpy()
    base_rate, seasons = event.base_rate(np.exp(adjusted))
    if seasons:
        probability_row("climatology", base_rate)
        statuses["climatology"] = ("ok", f"base rate over {seasons} seasons known at the origin")
    else:
        statuses["climatology"] = ("skipped", "no fully observed season known at the origin")

    try:
        for name, (frame, p) in baseline_forecasts(level, factors, event, season_year, horizon_end,
                                                   task.repetitions, task.seed).items():
            path_rows(name, frame)
            probability_row(name, p)
            statuses[name] = ("ok", "")
    except (BacktestInputError, CoolingInputError) as exc:
        for name in BASELINES:
            statuses[name] = ("skipped", str(exc))

    if task.sarimax is not None:
        try:
            res = CoolingSARIMAX(task.target, level, task.regressors, task.threshold, season_year, horizon_end,
                                 seasonally_adjust=task.seasonally_adjust, repetitions=task.repetitions,
                                 seed=task.seed, **task.sarimax).fit()
        except CoolingInputError as exc:
            statuses["sarimax"] = ("skipped", str(exc))
        except Exception as exc:  # recorded, never raised: the other models go on
            statuses["sarimax"] = ("failed", f"{type(exc).__name__}: {exc}")
        else:
            statuses["sarimax"] = (res.status, "; ".join(res.warnings))
            if res.status == "ok":
                path_rows("sarimax", res.forecast)
                probability_row("sarimax", res.probability)

    if task.regimes is not None:
        try:
            reg = GrowthRegimes(task.target, adjusted, horizon_end, **task.regimes).fit()
        except Exception as exc:
            statuses["regimes"] = ("failed", f"{type(exc).__name__}: {exc}")
        else:
            statuses["regimes"] = (reg.status, "; ".join(reg.warnings))
            pending = spring[~spring.isin(adjusted.index)]  # the regime model forecasts only unseen months
            p = reg.season_probability(pending) if reg.status == "ok" and len(pending) else float("nan")
            if pd.notna(p):
                probability_row("regimes", p)
            elif reg.status == "ok":
                statuses["regimes"] = ("ok", "no probability: the season's months are all observed or beyond "
                                              "the regime forecast")
    scale = mase_scale(level, 12 if task.seasonal_mase else 1)
    return OriginResult(task.target, origin, pd.DataFrame(paths), pd.DataFrame(probs), scale, statuses,
                        task.vintage, task.real_time)


@dataclass(frozen=True)
class NowcastTask:
    """The DynamicFactorMQ nowcast at one origin: ``panel`` is the whole monthly panel (levels); the nowcast
    itself keeps only what each series had published by the origin's end (``lags``). ``targets`` maps each
    target to (threshold, seasonally_adjust); ``nowcast`` holds TalentNowcast's remaining keyword arguments."""

    origin: pd.Timestamp
    panel: pd.DataFrame
    targets: dict
    lags: dict
    horizons: int
    nowcast: dict
    vintages: dict = field(default_factory=dict)  # target -> (vintage, real_time) of its own origin task


def nowcast_at_origin(task: NowcastTask) -> list[OriginResult]:
    """The nowcast's paths (horizons 1..``horizons``) and P(cooling) for every target at one origin, as one
    OriginResult per target (model ``nowcast``); a failed fit gives each target a failed status and no rows."""
    from models.cooling import CoolingEvent, CoolingInputError, seasonal_factors
    from models.nowcast import NowcastInputError, TalentNowcast, known_at

    origin = pd.Timestamp(task.origin)
    months = pd.date_range(origin + pd.offsets.MonthBegin(), periods=task.horizons, freq="MS")
    season_year = season_year_at(origin)
    spring_end = pd.Timestamp(season_year, 5, 1)
    horizon_end = max(months[-1], pd.Timestamp(season_year, 6, 1))
    lead = (spring_end.year - origin.year) * 12 + spring_end.month - origin.month
    label = CoolingEvent.season_label(season_year)
    known = known_at(task.panel, origin, task.lags)
    empty = pd.DataFrame()
    absent = [t for t in task.targets if t not in known.columns or known[t].notna().sum() == 0]
    targets = tuple(t for t in task.targets if t not in absent)

    def result(t, paths, probs, scale, status):
        vintage, real_time = task.vintages.get(t, (None, False))
        return OriginResult(t, origin, paths, probs, scale, {"nowcast": status}, vintage, real_time)

    skipped = [result(t, empty, empty, float("nan"), ("skipped", f"{t} has no data known at {origin:%Y-%m}"))
               for t in absent]
    if not targets:
        return skipped
    try:
        res = TalentNowcast(monthly=task.panel, targets=targets, origin=origin, horizon_end=horizon_end,
                            lags=task.lags, seasonally_adjust=tuple(t for t in targets if task.targets[t][1]),
                            **task.nowcast).fit()
    except Exception as exc:  # recorded per target, never raised
        status = "skipped" if isinstance(exc, NowcastInputError) else "failed"
        return skipped + [result(t, empty, empty, float("nan"), (status, f"{type(exc).__name__}: {exc}"))
                          for t in targets]
    out = skipped
    for t in targets:
        threshold, adjust = task.targets[t]
        if res.status != "ok":
            out.append(result(t, empty, empty, float("nan"), (res.status, "; ".join(res.warnings))))
            continue
        frame = res.forecast[res.forecast["target_series"] == t].set_index("month").reindex(months)
        paths = [{"model": "nowcast", "horizon": h, "target_month": m,
                  **{k: float(r[k]) for k in ("mean", "lo80", "hi80", "lo95", "hi95")}}
                 for h, (m, r) in enumerate(frame.iterrows(), start=1) if pd.notna(r["mean"])]
        level = known[t].dropna()
        log_level = np.log(level)
        factors = seasonal_factors(log_level) if adjust else pd.Series(0.0, index=range(1, 13))
        sa = np.exp(log_level - factors.reindex(log_level.index.month).to_numpy())
        sims = res.paths.get(t)
        probs, note = [], ""
        if sims is not None and len(sims):
            sims_sa = sims.div(np.exp(factors.reindex(sims.index.month).to_numpy()), axis=0)
            try:
                p = CoolingEvent(threshold).probability(sa, sims_sa, season_year)
                probs.append({"model": "nowcast", "season": label, "lead": lead, "probability": p})
            except CoolingInputError as exc:
                note = f"no P(cooling): {exc}"
        # The MASE scale is set by the caller from the target's own origin task, so that every model's MASE at
        # this origin divides by the same number.
        out.append(result(t, pd.DataFrame(paths), pd.DataFrame(probs), float("nan"), ("ok", note)))
    return out
