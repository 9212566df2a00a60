"""The rolling-origin backtest: what each origin could see (the target's vintage known then, cut at its
publication lag), every model's forecast there (:func:`models.forecast.forecast_target`, the live forecast's own
function), and the scores (MASE, RMSE, CRPS, pinball loss, interval coverage, Brier score and its reliability).

Frames in, frames out; nothing here reads a database. ``flows.steps.backtest`` reads the inputs, maps
:func:`run_origin` over the plan's tasks on a task runner, and writes :func:`backtest_tables`.

CRPS treats each forecast as Gaussian in the log level, with the mean and standard deviation recovered from
its median (``mean``) and 95% bounds (:func:`log_normal_params`): exact for the baselines, an approximation for
SARIMAX with parameter draws and for the nowcast, whose bounds are quantiles of simulated paths. The pinball
loss and coverage use the published bounds as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy.stats import norm

from models.cooling import season_year_at  # noqa: F401  (the season rule, re-exported)
from models.combination import GAP_WITH, regressor_label
from models.baselines import BASELINES, Z80, Z95, BacktestInputError, interval_rows, mase_scale  # noqa: F401

QUANTILE_LEVELS = (0.025, 0.10, 0.50, 0.90, 0.975)


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


PIT_COLUMNS = ["run_id", "target_series", "model", "horizon", "bin_low", "bin_high", "forecasts", "share",
               "synthetic"]


def pit_table(forecasts: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """The probability integral transform histogram per target, model and horizon: the share of outcomes falling in
    each tenth of the forecast distribution, read as the log-normal the CRPS uses (:func:`log_normal_params`).
    Flat at 1/bins when the bands are calibrated; a U (outcomes in the tails) says too narrow, a hump too wide, a
    slope a biased median."""
    f = forecasts.dropna(subset=["actual", "mean", "lo95", "hi95"])
    cols = ["target_series", "model", "horizon", "bin_low", "bin_high", "forecasts", "share"]
    if f.empty:
        return pd.DataFrame(columns=cols)
    mu, sigma = log_normal_params(f["mean"], f["lo95"], f["hi95"])
    with np.errstate(divide="ignore", invalid="ignore"):
        u = norm.cdf((np.log(f["actual"].to_numpy(dtype=float)) - mu) / sigma)
    frame = f[["target_series", "model", "horizon"]].assign(
        bin=np.clip(np.floor(np.nan_to_num(u, nan=0.5) * bins), 0, bins - 1).astype(int))
    frame = frame[np.isfinite(u)]
    counts = frame.groupby(["target_series", "model", "horizon", "bin"]).size().rename("forecasts")
    full = pd.MultiIndex.from_tuples(
        [(*k, b) for k in frame[["target_series", "model", "horizon"]].drop_duplicates().itertuples(index=False)
         for b in range(bins)], names=counts.index.names)
    counts = counts.reindex(full, fill_value=0).reset_index()
    counts["share"] = counts["forecasts"] / counts.groupby(["target_series", "model", "horizon"])["forecasts"].transform("sum")
    counts["bin_low"], counts["bin_high"] = counts["bin"] / bins, (counts["bin"] + 1) / bins
    return counts.sort_values(["target_series", "model", "horizon", "bin"])[cols].reset_index(drop=True)


LIVE_LEADS = (5, 6, 7, 8)  # forecasts made in September..December for the coming March-May: the year-end review
MIN_LEAD = 3  # leads under 3 months forecast a season already under way
BOOTSTRAP_REPS = 2000
BOOTSTRAP_SEED = 20270301
# With k seasons a season bootstrap has only C(2k-1, k) distinct resamples (10 for 3 seasons, 35 for 4), and with
# few seasons any bootstrap understates the spread (6 JOLTS seasons in runs of 3 give intervals of a few hundredths):
# its percentiles look precise when they are not. Below this many seasons there is no interval.
MIN_INTERVAL_SEASONS = 8


SEASON_BLOCK = 3  # consecutive seasons drawn together: cooling comes in runs (USINFO 2002-06, 2008-11, 2023-26)
BLOCK_MIN_SEASONS = 20  # runs need enough of them to resample (7+ blocks of 3); with fewer seasons, one at a time


def season_block_skill(frame: pd.DataFrame, reps: int = BOOTSTRAP_REPS, seed: int = BOOTSTRAP_SEED,
                       block: int | None = None) -> tuple[float, float, float, int, int]:
    """Brier skill against the base rate, 1 - sum (p - o)^2 / sum (p_clim - o)^2, with a 90% interval from a
    circular moving-block bootstrap over seasons: the monthly forecasts of one season share its outcome, and
    neighbouring seasons share a cycle, so runs of ``block`` consecutive seasons are drawn with replacement
    (Kunsch 1989; Politis and Romano 1992) until the resample has as many seasons as the data; ``block = 1`` is the
    plain season bootstrap. By default runs of :data:`SEASON_BLOCK` from :data:`BLOCK_MIN_SEASONS` seasons on, single
    seasons below (a handful of long blocks would resample almost the sample itself). ``frame``: season, sq, sq_clim
    (squared errors of the model and of climatology, paired). Returns (skill, lo90, hi90, n, seasons); the interval
    is NaN with fewer than :data:`MIN_INTERVAL_SEASONS` seasons."""
    paired = frame.dropna(subset=["sq", "sq_clim"])
    if paired.empty:
        return float("nan"), float("nan"), float("nan"), 0, 0
    by = paired.groupby("season", sort=True)[["sq", "sq_clim"]].sum()
    total = float(by["sq_clim"].sum())
    skill = 1 - float(by["sq"].sum()) / total if total > 0 else float("nan")
    k = len(by)
    if k < MIN_INTERVAL_SEASONS:
        return skill, float("nan"), float("nan"), len(paired), k
    if block is None:
        block = SEASON_BLOCK if k >= BLOCK_MIN_SEASONS else 1
    block = max(1, min(int(block), k))
    blocks = -(-k // block)  # enough blocks to cover k seasons; the last is cut
    starts = np.random.default_rng(seed).integers(0, k, size=(reps, blocks))
    draws = ((starts[:, :, None] + np.arange(block)) % k).reshape(reps, -1)[:, :k]
    num, den = by["sq"].to_numpy()[draws].sum(axis=1), by["sq_clim"].to_numpy()[draws].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = 1 - num / den
    boot = boot[np.isfinite(boot)]
    lo, hi = (np.quantile(boot, [0.05, 0.95]) if len(boot) else (np.nan, np.nan))
    return skill, float(lo), float(hi), len(paired), k


def skill_verdict(skill: float, lo90: float, hi90: float) -> str:
    """The words the report prints for a Brier skill and its 90% interval."""
    if not np.isfinite(skill):
        return "not scored"
    if not (np.isfinite(lo90) and np.isfinite(hi90)):
        return f"no demonstrated skill (<{MIN_INTERVAL_SEASONS} seasons)"
    if lo90 > 0:
        return "beats the base rate"
    if hi90 < 0:
        return "worse than the base rate"
    return "no demonstrated skill"


def score_probabilities(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Brier scores by target, model and lead (months from the origin to the season's May) and over all leads,
    each beside the Brier score of the climatological base rate at the same origins and the skill
    1 - Brier / Brier(climatology). ``forecasts``: target_series, model, origin, season, lead, probability, cooled.
    Returns rows target_series, model, horizon (the lead; NaN = all leads), metric, value, n and seasons (the
    distinct seasons those n forecasts are about: monthly origins forecasting one season are not independent).

    Two summaries more, each with a season-block bootstrap 90% interval (lo90, hi90; :func:`season_block_skill`):
    ``brier_skill_live`` over the leads a reader acts on (:data:`LIVE_LEADS`, forecasts made in September-December)
    and ``brier_skill_lead3plus`` over every lead of :data:`MIN_LEAD` months or more."""
    f = forecasts.dropna(subset=["probability", "cooled"]).copy()
    cols = ["target_series", "model", "horizon", "metric", "value", "n", "seasons", "lo90", "hi90"]
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
            rows += [(target, model, lead, "brier", b, n, seasons, np.nan, np.nan),
                     (target, model, lead, "brier_climatology", bc, len(paired), paired_seasons, np.nan, np.nan),
                     (target, model, lead, "brier_skill", 1 - float(paired["sq"].mean()) / bc if bc > 0 else np.nan,
                      len(paired), paired_seasons, np.nan, np.nan)]
        for metric, chosen in (("brier_skill_live", g["lead"].isin(LIVE_LEADS)),
                               ("brier_skill_lead3plus", g["lead"] >= MIN_LEAD)):
            skill, lo, hi, n, k = season_block_skill(g[chosen])  # seasons sort by year: the blocks are consecutive
            rows.append((target, model, np.nan, metric, skill, n, k, lo, hi))
    return pd.DataFrame(rows, columns=cols)


def score_paired(forecasts: pd.DataFrame, reference: str, metric: str, models=None) -> pd.DataFrame:
    """Each model's live-lead Brier skill against ``reference`` instead of the base rate, on the origins where
    both made a forecast: 1 - sum (p - o)^2 / sum (p_ref - o)^2 with the season-block 90% interval of
    :func:`season_block_skill`. Rows as :func:`score_probabilities` (metric ``metric``, horizon NaN), for
    ``models`` (default: every model but the reference, climatology and the regime model)."""
    cols = ["target_series", "model", "horizon", "metric", "value", "n", "seasons", "lo90", "hi90"]
    f = forecasts.dropna(subset=["probability", "cooled"])
    f = f[f["lead"].isin(LIVE_LEADS)].copy()
    if f.empty or reference not in set(f["model"]):
        return pd.DataFrame(columns=cols)
    f["sq"] = (f["probability"].astype(float) - f["cooled"].astype(float)) ** 2
    ref = f[f["model"] == reference].set_index(["target_series", "origin"])["sq"].rename("sq_clim")
    if ref.index.duplicated().any():
        raise ValueError(f"backtest probabilities hold more than one {reference} row per target and origin: the "
                         "paired scores would count a forecast twice")
    f = f.join(ref, on=["target_series", "origin"])
    rows = []
    for (target, model), g in f.groupby(["target_series", "model"], sort=True):
        # the regime model's probability is of another event (being in the low-growth regime): never compared
        if model in (reference, "climatology", "regimes") or (models is not None and model not in models):
            continue
        skill, lo, hi, n, k = season_block_skill(g)
        if n:
            rows.append((target, model, np.nan, metric, skill, n, k, lo, hi))
    return pd.DataFrame(rows, columns=cols)


def paired_verdict(skill: float, lo90: float, hi90: float, reference: str) -> str:
    """The words for a skill against another model (:func:`score_paired`)."""
    if not np.isfinite(skill):
        return "not scored"
    if not (np.isfinite(lo90) and np.isfinite(hi90)):
        return f"no demonstrated difference from {reference} (<{MIN_INTERVAL_SEASONS} seasons)"
    if lo90 > 0:
        return f"beats {reference}"
    if hi90 < 0:
        return f"worse than {reference}"
    return f"no demonstrated difference from {reference}"


# -- the gap test: does the valuation gap improve the forecast? ---------------------------------------------------

GAP_TEST_COLUMNS = ["run_id", "target_series", "horizon", "metric", "with_gap", "without_gap", "difference",
                    "relative", "statistic", "p_value", "n", "first_origin", "last_origin", "verdict", "uses_gap",
                    "decision", "regressors", "yardstick", "synthetic"]
GAP_P = 0.10  # the level of the gap test's rule (two-sided Diebold-Mariano p-value), docs/forecast.md
GAP_MIN = 10  # loss differences a Diebold-Mariano test needs: origins for CRPS, seasons for the Brier score
# Origins scored at every horizon the rule's test needs: with 9-month overlaps the HLN-corrected test rejects a true
# null at the 10% level 17% of the time with 60 origins, 14% with 120 and 11% with 250 (bench/gap_test_size.py).
GAP_RULE_MIN = 120
BRIER_SEASON_LAGS = 2  # seasons of overlap the Brier test allows: cooling comes in runs (the bootstrap's blocks)


class _GapEvidence:
    """The gap test's loss pairs of one target, for the rows known by a month (the nested headline asks at every
    origin) or all of them: CRPS of SARIMAX with the gap and of its yardstick at each (origin, horizon), and the
    live-lead squared errors of their P(cooling) per season."""

    def __init__(self, paths: pd.DataFrame, probs: pd.DataFrame, yardstick: str, horizons: int):
        self.horizons = horizons
        self.crps = self._pairs(paths, ["origin", "horizon"], "crps_log", yardstick, "target_month")
        live = probs[probs["lead"].isin(LIVE_LEADS)] if len(probs) else probs
        self.brier = self._pairs(live, ["season", "origin"], "sq", yardstick, None)
        if self.brier is not None:
            self.brier["known_month"] = self.brier["season"].map(season_end)

    @staticmethod
    def _pairs(frame: pd.DataFrame, keys: list[str], value: str, yardstick: str, month: str | None):
        if frame.empty or not {GAP_WITH, yardstick} <= set(frame["model"]):
            return None
        a = frame[frame["model"] == GAP_WITH].set_index(keys)
        b = frame[frame["model"] == yardstick].set_index(keys)
        pairs = pd.DataFrame({"with": a[value].astype(float), **({"month": a[month]} if month else {})}).join(
            b[value].astype(float).rename("without"), how="inner").dropna(subset=["with", "without"])
        return pairs.reset_index().sort_values(keys, kind="stable").reset_index(drop=True)

    def known_counts(self, known: pd.Timestamp) -> tuple[int, int]:
        """How many CRPS and Brier pairs are known by ``known`` (they only join as origins advance): the nested
        headline recomputes the test only when these change."""
        stamp = pd.Timestamp(known)
        return (int((self.crps["month"] <= stamp).sum()) if self.crps is not None else 0,
                int((self.brier["known_month"] <= stamp).sum()) if self.brier is not None else 0)

    def rows(self, sid: str, known: pd.Timestamp | None = None) -> list[dict]:
        """The gap test's rows (GAP_TEST_COLUMNS less run_id, uses_gap, decision, synthetic) on the pairs whose
        outcome was known by ``known`` (None: all)."""
        out: list[dict] = []
        if self.crps is not None:
            c = self.crps if known is None else self.crps[self.crps["month"] <= known]
            c = c[c["horizon"] <= self.horizons]
            for h, g in c.groupby("horizon", sort=True):
                out.append(_gap_row(sid, float(h), "crps", g["with"], g["without"], int(h), g["origin"]))
            complete = c.groupby("origin").filter(lambda g: len(g) == self.horizons) if len(c) else c
            if len(complete):
                mean = complete.groupby("origin")[["with", "without"]].mean()
                out.append(_gap_row(sid, float("nan"), "crps", mean["with"], mean["without"], self.horizons,
                                    mean.index))
        if self.brier is not None:
            q = self.brier if known is None else self.brier[self.brier["known_month"] <= known]
            if len(q):
                per = q.groupby("season")[["with", "without"]].mean()
                out.append(_gap_row(sid, float("nan"), "brier_live", per["with"], per["without"], BRIER_SEASON_LAGS,
                                    q["origin"], unit="seasons"))
        return out


def _gap_row(sid: str, horizon: float, metric: str, with_gap, without, h: int, origins, unit: str = "origins"
             ) -> dict:
    """One row of the gap test: the mean losses, their difference and the Diebold-Mariano test (HLN-corrected,
    ``h``-step overlap) where there are GAP_MIN differences or more, with its verdict in words."""
    from models.thesis import ThesisInputError, diebold_mariano

    a, b = np.asarray(with_gap, dtype=float), np.asarray(without, dtype=float)
    mean_a, mean_b = float(a.mean()), float(b.mean())
    diff = mean_a - mean_b
    rel = diff / mean_b if mean_b > 0 else float("nan")
    what = "CRPS" if metric == "crps" else "live-lead Brier score"
    count = f"{len(a)} {unit if len(a) != 1 else unit.rstrip('s')}"
    stat = p = float("nan")
    change = f"{abs(rel):.1%}" if rel == rel else f"{abs(diff):.3g}"
    if len(a) < GAP_MIN:
        verdict = f"too few to test ({count}; {GAP_MIN} at least)"
    else:
        try:
            # A non-positive long-run variance (the rectangular window's can be) leaves the row untested: falling
            # back to h = 1, as R's forecast::dm.test does, would ignore the overlap and overstate significance.
            stat, p = diebold_mariano(a, b, h)
        except ThesisInputError as exc:
            verdict = f"not tested: {exc}"
        else:
            if p < GAP_P:
                verdict = (f"the gap {'lowers' if diff < 0 else 'raises'} the {what} by {change} (DM p {p:.3f}, "
                           f"{count})")
            else:
                verdict = (f"no evidence the gap changes the {what} ({'-' if diff < 0 else '+'}{change}, DM p {p:.3f}, "
                           f"{count})")
    idx = pd.DatetimeIndex(origins)
    return {"target_series": sid, "horizon": horizon, "metric": metric, "with_gap": mean_a, "without_gap": mean_b,
            "difference": diff, "relative": rel, "statistic": stat, "p_value": p, "n": int(len(a)),
            "first_origin": idx.min(), "last_origin": idx.max(), "verdict": verdict}


def gap_test(paths: pd.DataFrame, probs: pd.DataFrame, yardstick: str, horizons: int, regressors: str = ""
             ) -> pd.DataFrame:
    """Does adding the gap improve the forecast? Per target, SARIMAX with its regressors (the valuation gap) against
    ``yardstick``, the same fit without them on the same months (a specification with regressor_sample), on the
    origins where both forecast, by the Diebold-Mariano test with the Harvey-Leybourne-Newbold small-sample
    correction (:func:`models.thesis.diebold_mariano`, Student's t with n - 1 df, two-sided) of

    - the CRPS of the log level (x100) at each horizon h = 1..``horizons`` (loss differences overlapping h - 1
      months), and its mean over the horizons at the origins scored at all of them (``horizon`` NaN; overlap
      ``horizons`` - 1): the test the rule reads;
    - the live-lead Brier score (metric brier_live): one loss difference per season, the mean over its live-lead
      origins (forecasts made September-December), with BRIER_SEASON_LAGS seasons of overlap (cooling comes in
      runs).

    ``paths``/``probs`` as :func:`_with_errors` returns them (rows with a known outcome). ``difference`` is with
    minus without (negative: the gap helps) and ``relative`` its ratio to the loss without. ``uses_gap`` and
    ``decision`` are :func:`gap_decision`'s, on every row of the target; ``regressors`` (:func:`regressor_label`)
    and ``yardstick`` say what was tested."""
    cols = [c for c in GAP_TEST_COLUMNS if c not in ("run_id", "synthetic")]
    rows: list[dict] = []
    targets = sorted(set(paths["target_series"]) | set(probs["target_series"])) if len(paths) or len(probs) else []
    for sid in targets:
        mine = _GapEvidence(paths[paths["target_series"] == sid], probs[probs["target_series"] == sid], yardstick,
                            horizons).rows(sid)
        if not mine:
            continue
        uses, why = gap_decision(pd.DataFrame(mine))
        rows += [{**r, "uses_gap": uses, "decision": why, "regressors": regressors, "yardstick": yardstick}
                 for r in mine]
    return pd.DataFrame(rows, columns=cols)


def gap_decision(rows: pd.DataFrame) -> tuple[bool | None, str]:
    """Whether a target's forecast carries the gap, from its :func:`gap_test` rows: yes only where SARIMAX with it
    has the lower CRPS averaged over the horizons at a Diebold-Mariano p-value below GAP_P, on at least GAP_RULE_MIN
    origins scored at every horizon, and a live-lead Brier score not significantly higher. Otherwise it is left out:
    False where that test ran and does not show help, None (untested) where it could not run -- nothing then shows
    that the gap helps either. The reason in words, with the numbers."""
    has = len(rows) > 0
    crps = rows[(rows["metric"] == "crps") & rows["horizon"].isna()] if has else rows
    brier = rows[rows["metric"] == "brier_live"] if has else rows
    b = brier.iloc[0] if len(brier) else None
    said_brier = f"; Brier: {b['verdict']}" if b is not None else ""
    if crps.empty:
        return None, "the gap is left out, untested: no origin scored at every horizon by both"
    c = crps.iloc[0]
    if int(c["n"]) < GAP_RULE_MIN or not np.isfinite(float(c["p_value"])):
        return None, (f"the gap is left out, untested: CRPS over horizons 1-{_horizons(rows)} on {int(c['n'])} "
                      f"origins scored at every horizon, {GAP_RULE_MIN} needed for a test of the right size "
                      f"({c['verdict']}){said_brier}")
    helps = float(c["difference"]) < 0 and float(c["p_value"]) < GAP_P
    hurts = b is not None and np.isfinite(float(b["p_value"])) and float(b["difference"]) > 0 \
        and float(b["p_value"]) < GAP_P
    said = f"CRPS over horizons 1-{_horizons(rows)}: {c['verdict']}{said_brier}"
    if helps and not hurts:
        return True, f"the gap is used: {said}"
    return False, f"the gap is left out: {said}"


def _horizons(rows: pd.DataFrame) -> int:
    h = rows.loc[rows["metric"] == "crps", "horizon"].dropna()
    return int(h.max()) if len(h) else 0


# -- the nested headline: the combination rule at each origin, on what was known there --------------------------

HEADLINE = "headline"
HEADLINE_COLUMNS = ["run_id", "target_series", "origin", "kind", "model", "reason", "seasons_known",
                    "forecasts_known", "synthetic"]


def _with_errors(paths: pd.DataFrame, probs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Path rows with their CRPS of the log level (x100, as :func:`score_paths`) and probability rows with the
    squared error of the model and of climatology at the same origin, for the rows with a known outcome."""
    f = paths.dropna(subset=["actual", "mean"]).copy()
    mu, sigma = log_normal_params(f["mean"], f["lo95"], f["hi95"])
    f["crps_log"] = 100 * gaussian_crps(mu, sigma, np.log(f["actual"].to_numpy(dtype=float)))
    q = probs.dropna(subset=["probability", "cooled"]).copy()
    q["sq"] = (q["probability"].astype(float) - q["cooled"].astype(float)) ** 2
    clim = q[q["model"] == "climatology"].set_index(["target_series", "origin"])["sq"].rename("sq_clim")
    return f, q.join(clim, on=["target_series", "origin"])


def skill_frame(paths: pd.DataFrame, probs: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The combination rule's input (models.combination.SKILL_COLUMNS) from one target's scored forecasts, computed
    as the published scores are (warehouse/sql/forecast/backtest_skill.sql over marts.backtest_scores): per model,
    the Brier skill at the live leads with its season-block interval (:func:`season_block_skill`), and the CRPS
    skill against the random walk at the same origins averaged over horizons, with the fewest forecasts of any
    horizon. ``paths`` and ``probs`` as :func:`_with_errors` returns them."""
    from models.combination import SKILL_COLUMNS

    rows: dict[str, dict] = {}
    live = probs[probs["lead"].isin(LIVE_LEADS)]
    for model, g in live.groupby("model", sort=True):
        skill, lo, hi, n, k = season_block_skill(g)
        rows.setdefault(model, {}).update(brier_skill=skill, brier_skill_lo90=lo, brier_skill_hi90=hi, brier_n=n,
                                          brier_seasons=k)
    if len(paths):
        # As score_paths and the SQL: per horizon, each column's mean over the rows paired with the random walk
        # (NaN skipped), then the mean of the horizons' skills; the count is every scored row, and crps_n the
        # fewest of any horizon the model has.
        on = ["horizon", "origin"]
        rw = paths[paths["model"] == "random_walk"][on + ["crps_log"]].rename(columns={"crps_log": "crps_rw"})
        paired = paths.merge(rw, on=on, how="inner")
        per = paired.groupby(["model", "horizon"]).agg(crps=("crps_log", "mean"), rw=("crps_rw", "mean"))
        with np.errstate(divide="ignore", invalid="ignore"):
            per["skill"] = 1 - per["crps"] / per["rw"]
        counts = paths.groupby(["model", "horizon"]).size()
        for model, n in counts.groupby(level="model", sort=True):
            skills = per["skill"].xs(model, level="model") if model in per.index.get_level_values(0) else []
            defined = np.asarray(skills, dtype=float)
            defined = defined[~np.isnan(defined)]
            rows.setdefault(model, {}).update(crps_skill=float(np.mean(defined)) if len(defined) else float("nan"),
                                              crps_n=int(n.min()))
    frame = pd.DataFrame([{"model": m, **r} for m, r in rows.items()])
    if frame.empty:
        frame = pd.DataFrame({"model": pd.Series(dtype=object)})
    return frame.assign(target_series=None, threshold=threshold, synthetic=None).reindex(columns=SKILL_COLUMNS)


class _PathSkill:
    """:func:`skill_frame`'s CRPS skill for the path rows known by a month, for a growing month without
    recomputing: per model and horizon, running sums over the rows sorted by target month."""

    def __init__(self, paths: pd.DataFrame):
        on = ["horizon", "origin"]
        rw = paths[paths["model"] == "random_walk"][on + ["crps_log"]].rename(columns={"crps_log": "crps_rw"})
        if rw.duplicated(on).any() or paths.duplicated(["model", *on]).any():
            raise ValueError("backtest paths hold more than one row per model, horizon and origin: the scores "
                             "would count a forecast twice")
        f = paths.merge(rw, on=on, how="left")
        self.groups = []
        for (model, horizon), g in f.groupby(["model", "horizon"], sort=True):
            g = g.sort_values("target_month", kind="stable")
            paired = g["origin"].isin(rw.loc[rw["horizon"] == horizon, "origin"]).to_numpy()
            crps, crps_rw = g["crps_log"].to_numpy(float), g["crps_rw"].to_numpy(float)
            own, ref = paired & ~np.isnan(crps), paired & ~np.isnan(crps_rw)  # NaN skipped (not inf), as pandas/SQL
            with np.errstate(invalid="ignore"):
                self.groups.append((model, pd.DatetimeIndex(g["target_month"]).to_numpy(),
                                    np.cumsum(np.where(own, crps, 0.0)), np.cumsum(own),
                                    np.cumsum(np.where(ref, crps_rw, 0.0)), np.cumsum(ref)))

    def at(self, known: pd.Timestamp) -> dict[str, tuple[float, int]]:
        """model -> (CRPS skill averaged over the horizons where it is defined, fewest rows of any horizon with a
        known row)."""
        out: dict[str, tuple[list, list]] = {}
        stamp = np.datetime64(pd.Timestamp(known))
        for model, months, crps, n_crps, rw, n_rw in self.groups:
            n = int(np.searchsorted(months, stamp, side="right"))
            if n == 0:
                continue
            skills, counts = out.setdefault(model, ([], []))
            counts.append(n)
            i = n - 1
            if n_crps[i] and n_rw[i]:
                with np.errstate(divide="ignore", invalid="ignore"):
                    skill = 1 - (crps[i] / n_crps[i]) / (rw[i] / n_rw[i])
                if not np.isnan(skill):
                    skills.append(skill)
        return {m: (float(np.mean(s)) if s else float("nan"), int(min(c))) for m, (s, c) in out.items()}


def season_end(season: str) -> pd.Timestamp:
    """The last month of a season labelled like '2027 Mar-May'."""
    return pd.Timestamp(int(str(season)[:4]), 5, 1)


def nested_headline(paths: pd.DataFrame, probs: pd.DataFrame, combination, specs: dict
                    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The headline as the live forecast would have chosen it at each origin: the combination rule
    (:func:`models.combination.choose_headline`) on the scores of the forecasts whose outcome was published by the
    end of that origin -- a path month ``m`` once ``m`` plus the target's publication lag has passed, a season once
    its May plus the lag has -- and on the models that ran there. Outcomes are the final data, as in every score.

    ``paths``/``probs``: every model's backtest rows (target_series, origin, model, ... as :func:`backtest_tables`
    builds them); ``specs``: target -> TargetSpec. Returns the chosen rows relabelled ``headline`` (paths,
    probabilities) and one row per target, origin and kind (path, probability) saying which model was chosen, why,
    and how many seasons and forecasts the rule could see."""
    from models.combination import choose_headline

    out_p, out_q, choices = [], [], []
    scored_p, scored_q = _with_errors(paths, probs)
    yardstick = (combination or {}).get("gap_yardstick")
    horizons = int(paths["horizon"].max()) if len(paths) else 0
    for sid, spec in sorted(specs.items()):
        mine_p, mine_q = paths[paths["target_series"] == sid], probs[probs["target_series"] == sid]
        sp, sq = scored_p[scored_p["target_series"] == sid], scored_q[scored_q["target_series"] == sid]
        q_end = sq["season"].map(season_end) if len(sq) else pd.Series(dtype="datetime64[ns]")
        cache: dict = {}
        path_skill = _PathSkill(sp)
        # the gap test on what was known at each origin: where it shows no help, the origin's rule leaves it out
        evidence = _GapEvidence(sp, sq, yardstick, horizons) if yardstick and horizons else None
        decisions: dict = {}
        origins = sorted(set(mine_p["origin"]) | set(mine_q["origin"]))
        for origin in origins:
            known = pd.Timestamp(origin) - pd.DateOffset(months=spec.publication_lag)
            without_gap = {}
            if evidence is not None:
                key = evidence.known_counts(known)
                if key not in decisions:
                    decisions[key] = gap_decision(pd.DataFrame(evidence.rows(sid, known)))
                uses, why = decisions[key]
                if uses is not True:
                    without_gap = {sid: why}
            kq = sq[q_end <= known]
            if len(kq) not in cache:  # seasons only ever join the known set as origins advance
                cache[len(kq)] = skill_frame(sp.iloc[0:0], kq, spec.threshold).drop(columns=["crps_skill", "crps_n"])
            crps = path_skill.at(known)
            skill = cache[len(kq)].merge(
                pd.DataFrame([(m, v, n) for m, (v, n) in crps.items()], columns=["model", "crps_skill", "crps_n"]
                             ).astype({"model": object}),
                on="model", how="outer").assign(target_series=sid, threshold=spec.threshold)
            n_paths = crps.get("random_walk", (0, 0))[1]
            at_p, at_q = mine_p[mine_p["origin"] == origin], mine_q[mine_q["origin"] == origin]
            fc = pd.DataFrame({"target_series": sid, "model": sorted(at_p["model"].unique()), "chosen_by": None})
            pr = pd.DataFrame({"target_series": sid, "model": sorted(at_q["model"].unique())})
            choose_headline(combination, {sid: spec.threshold}, skill, fc, pr, without_gap=without_gap)
            for kind, frame, rows in (("path", fc, at_p), ("probability", pr, at_q)):
                picked = frame[frame["headline"]]
                if picked.empty:
                    continue
                model = picked["model"].iloc[0]
                choices.append({"target_series": sid, "origin": origin, "kind": kind, "model": model,
                                "reason": picked["chosen_by"].iloc[0], "seasons_known": int(kq["season"].nunique()),
                                "forecasts_known": int(n_paths if kind == "path" else len(kq))})
                (out_p if kind == "path" else out_q).append(rows[rows["model"] == model].assign(model=HEADLINE))
    head_p = pd.concat(out_p, ignore_index=True) if out_p else paths.iloc[0:0].copy()
    head_q = pd.concat(out_q, ignore_index=True) if out_q else probs.iloc[0:0].copy()
    return head_p, head_q, pd.DataFrame(choices, columns=[c for c in HEADLINE_COLUMNS
                                                         if c not in ("run_id", "synthetic")])


# -- the plan: what each origin could see ----------------------------------------------------------------------

FORECAST_COLUMNS = ["run_id", "kind", "target_series", "origin", "model", "horizon", "target_month", "mean", "lo80",
                    "hi80", "lo95", "hi95", "actual", "season", "lead_months", "probability", "cooled", "vintage",
                    "real_time", "synthetic"]
SCORE_COLUMNS = ["run_id", "target_series", "model", "horizon", "metric", "value", "n", "seasons", "lo90", "hi90",
                 "verdict", "origins", "threshold", "data_basis", "synthetic"]
RELIABILITY_COLUMNS = ["run_id", "target_series", "model", "bin_low", "bin_high", "forecasts", "mean_probability",
                       "observed_frequency", "synthetic"]


class BacktestPlanError(ValueError):
    """The backtest cannot be planned, saying why and what to do."""


def month_start(ts) -> pd.Timestamp:
    return pd.Timestamp(ts).to_period("M").to_timestamp()


def known_at(vintages: pd.DataFrame, origin: pd.Timestamp, lag: int) -> tuple[pd.Series, pd.Timestamp, bool]:
    """A target's complete months known at the end of ``origin``: its latest vintage retrieved by then (real
    time), else its first vintage (retrieved after the origin: revised data), cut at ``lag`` months after the
    origin. ``vintages``: vintage, month, value, partial of one target. Returns (level, vintage, real_time)."""
    end = origin + pd.offsets.MonthBegin()
    stamps = sorted(vintages["vintage"].unique())
    before = [v for v in stamps if pd.Timestamp(v) < end]
    vintage, real_time = (before[-1], True) if before else (stamps[0], False)
    rows = vintages[(vintages["vintage"] == vintage) & ~vintages["partial"].astype(bool)
                    & (vintages["month"] <= origin - pd.DateOffset(months=lag))]
    return rows.set_index("month")["value"].astype(float).sort_index(), pd.Timestamp(vintage), real_time


def cooling_outcomes(final: pd.Series, spec) -> pd.Series:
    """Whether each fully observed season cooled, on the final (latest) data of a target (``spec``: its
    TargetSpec)."""
    from models.cooling import CoolingEvent, seasonally_adjusted

    _, adjusted = seasonally_adjusted(np.log(final), spec.seasonally_adjust)
    return CoolingEvent(spec.threshold).changes(np.exp(adjusted)) < spec.threshold


@dataclass(frozen=True)
class OriginTask:
    """One target's forecasts at one origin, with everything they need, all of it known at the end of ``origin``:
    ``level`` (the target's vintage at the origin, cut at its publication lag) and ``regressors`` (through the
    origin)."""

    spec: object  # models.forecast.TargetSpec
    origin: pd.Timestamp
    level: pd.Series
    regressors: pd.DataFrame
    horizons: int
    settings: object  # models.forecast.ModelSettings
    vintage: pd.Timestamp | None = None  # the target's vintage read, and whether it was retrieved by the origin
    real_time: bool = False

    @property
    def target(self) -> str:
        return self.spec.target


def panel_at(panel: pd.DataFrame, vintages: dict, origin: pd.Timestamp) -> tuple[pd.DataFrame, dict]:
    """The nowcast panel as known at the end of ``origin``: every column with stored vintages (``vintages``:
    series_id -> its rows of vintage, month, value, partial) replaced by its vintage known then (:func:`known_at`,
    cut at the origin; the nowcast applies the publication lags). Returns the panel and, per replaced column,
    (vintage, real_time)."""
    cut = panel.copy()
    seen = {}
    for column in panel.columns:
        if column in vintages:
            level, vintage, real_time = known_at(vintages[column], origin, 0)
            cut[column] = level.reindex(cut.index)
            seen[column] = (vintage, real_time)
    return cut.loc[:origin], seen


@dataclass(frozen=True)
class NowcastTask:
    """The nowcast at one origin: ``panel`` is the monthly panel (levels) as known at the origin (each series' vintage
    of then, :func:`panel_at`); the nowcast keeps only what each series had published by the origin's end (``lags``). ``specs``: target -> TargetSpec; ``options``:
    TalentNowcast's remaining keyword arguments."""

    origin: pd.Timestamp
    panel: pd.DataFrame
    specs: dict
    lags: dict
    horizons: int
    options: dict
    vintages: dict = field(default_factory=dict)  # target -> (vintage, real_time) of its own origin task


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


@dataclass(frozen=True)
class BacktestPlan:
    tasks: tuple
    origins: dict  # target -> (first, last, count)
    data_basis: dict  # target -> what its origins could see, in words
    specs: dict  # target -> TargetSpec
    warnings: tuple[str, ...] = ()
    settings: object = None  # models.forecast.ModelSettings of every origin (each task's lacks the regime model
    #                          outside the live-lead origins, September-December)
    combination: object = None  # catalogs/cooling.toml [combination]: the nested headline's rule (None: no headline)


def plan_backtest(config, vintages: pd.DataFrame, final: pd.DataFrame, regressors: pd.DataFrame,
                  panel: pd.DataFrame | None, *, first_origin=None, last_origin=None,
                  targets: list[str] | None = None) -> BacktestPlan:
    """One task per target and origin month (and one nowcast task per origin), each holding only what was known
    at the end of its origin. ``config``: models.config.CoolingConfig; ``vintages``: series_id, vintage, month,
    value, partial of every target's stored vintages; ``final``: series_id, month, value (latest data);
    ``panel``: the nowcast's monthly panel (None leaves the nowcast out)."""
    from models.forecast import ModelSettings, target_specs

    bt, sx, rg = config.backtest, config.sarimax, config.regimes
    sarimax_kwargs = {"lag": int(sx["lag"]), "order": tuple(sx["order"]), "maxiter": int(sx["maxiter"]),
                      "min_months": int(sx["min_months"]), "future_regressors": str(sx["future_regressors"]),
                      "parameter_draws": min(int(bt["parameter_draws"]), int(bt["repetitions"]))}
    regime_kwargs = ({"maxiter": int(rg["maxiter"]), "min_months": int(rg["min_months"]),
                      "search_reps": int(rg["search_reps"]), "seed": int(rg["seed"])}
                     if "regimes" in bt["models"] else None)
    variants = {name: MappingProxyType({**sarimax_kwargs, **spec})
                for name, spec in config.specifications.items() if name in bt["models"]}
    settings = ModelSettings(int(bt["repetitions"]), int(bt["seed"]),
                             sarimax_kwargs if "sarimax" in bt["models"] else None, regime_kwargs,
                             MappingProxyType(variants))
    # The regime model gives P(cooling) only (no paths; never a candidate) and is the costliest fit after SARIMAX's:
    # it is backtested at the origins of the live leads alone, where its Brier skill is read.
    without_regimes = replace(settings, regimes=None)
    first = month_start(first_origin) if first_origin is not None else bt["first_origin"]
    unknown = sorted(set(targets or ()) - set(config.targets))
    if unknown:
        raise BacktestPlanError(f"--target {', '.join(unknown)}: not a target of {config.path}; the targets are "
                            f"{', '.join(sorted(config.targets))}")
    specs = target_specs(config)
    tasks, origins, data_basis, warnings = [], {}, {}, []
    for sid, spec in sorted(specs.items()):
        if targets and sid not in targets:
            continue
        mine = vintages[vintages["series_id"] == sid]
        levels = final[final["series_id"] == sid].set_index("month")["value"].astype(float).sort_index()
        if mine.empty or levels.empty:
            warnings.append(f"{sid}: configured in {config.path} but has no data: not backtested")
            continue
        lag = spec.publication_lag
        own = config.targets[sid].get("first_origin")  # a long-history target starts earlier than the others
        floor = first if first_origin is not None or own is None else own
        start = max(floor, levels.index[0] + pd.DateOffset(months=int(sx["min_months"]) + lag))
        stop = levels.index[-1] - pd.DateOffset(months=1)  # the last origin with an outcome one month ahead
        if last_origin is not None:
            stop = min(stop, month_start(last_origin))
        months = pd.date_range(start, stop, freq="MS")
        if len(months) == 0:
            warnings.append(f"{sid}: no origin between {start:%Y-%m} and {stop:%Y-%m}: not backtested")
            continue
        real = 0
        read: dict = {}  # (vintage, real_time) -> the origins that read it
        for origin in months:
            level, vintage, real_time = known_at(mine, origin, lag)
            real += real_time
            read.setdefault((vintage, real_time), []).append(origin)
            tasks.append(OriginTask(spec=spec, origin=origin, level=level, regressors=regressors.loc[:origin],
                                    horizons=int(bt["horizons"]),
                                    settings=settings if _windows(origin, 1)[3] in LIVE_LEADS else without_regimes,
                                    vintage=vintage, real_time=real_time))
        origins[sid] = (f"{months[0]:%Y-%m}", f"{months[-1]:%Y-%m}", len(months))
        data_basis[sid] = (
            f"{real} of {len(months)} origins read a vintage retrieved by the origin (real time); "
            f"{len(months) - real} read the first vintage retrieved after it (revised data: no earlier vintage is "
            f"stored), each cut at a {lag}-month publication lag ("
            + "; ".join(f"{pd.Timestamp(v):%Y-%m-%d} {'real time' if rt else 'revised'} for {o[0]:%Y-%m}"
                        + (f"..{o[-1]:%Y-%m}" if len(o) > 1 else "") for (v, rt), o in read.items())
            + "). Divergence regressors: expanding-window, "
            "revenue as filed by each month's end, prices as last retrieved.")
    if not tasks:
        raise BacktestPlanError("no target has an origin to backtest (" + "; ".join(warnings or ["no targets"])
                            + "): nothing written; widen --from/--to or check the targets' data")
    nc = config.nowcast
    if panel is not None and nc.get("enabled", True) and "nowcast" in bt["models"] and origins:
        lags = {sid: s.publication_lag for sid, s in specs.items()}
        lags.update({k: int(v) for k, v in nc["lags"].items()})
        by_series = {sid: v for sid, v in vintages.groupby("series_id")}
        real_panel = {c: 0 for c in panel.columns if c in by_series}
        n_nowcast = 0
        # The nowcast (a dynamic factor model, the costliest fit) starts at backtest.nowcast_first_origin.
        first_nc = max(min(pd.Timestamp(f"{o[0]}-01") for o in origins.values()),
                       month_start(first_origin) if first_origin is not None else bt["nowcast_first_origin"])
        last_nc = max(pd.Timestamp(f"{o[1]}-01") for o in origins.values())
        options = {"factors": int(nc["factors"]), "factor_order": int(nc["factor_order"]),
                   "maxiter": int(nc["maxiter"]), "repetitions": int(bt["repetitions"]), "seed": int(bt["seed"]),
                   "min_months": int(nc["min_months"])}
        for origin in pd.date_range(first_nc, last_nc, freq="MS"):
            in_range = {sid: specs[sid] for sid in origins
                        if pd.Timestamp(f"{origins[sid][0]}-01") <= origin <= pd.Timestamp(f"{origins[sid][1]}-01")}
            cut, seen = panel_at(panel, by_series, origin)
            n_nowcast += 1
            for c, (_, real_time) in seen.items():
                real_panel[c] += real_time
            tasks.append(NowcastTask(origin=origin, panel=cut, specs=in_range, lags=lags,
                                     horizons=int(bt["horizons"]), options=options,
                                     vintages={sid: seen.get(sid, (None, False)) for sid in in_range}))
        read = "; ".join(f"{c} {n} of {n_nowcast}" for c, n in sorted(real_panel.items()))
        unversioned = sorted(set(panel.columns) - set(real_panel))
        for sid in origins:
            data_basis[sid] += (
                " The nowcast reads, at each origin, each panel series' vintage retrieved by then where one is "
                f"stored, else its first later vintage, cut at the series' publication lag (real time: {read})"
                + (f"; {', '.join(unversioned)} as last built (no vintages)." if unversioned else "."))
    return BacktestPlan(tuple(tasks), origins, data_basis, {sid: specs[sid] for sid in origins}, tuple(warnings),
                        settings, MappingProxyType(dict(config.combination)) if config.combination else None)


# -- one origin --------------------------------------------------------------------------------------------------


def _windows(origin: pd.Timestamp, horizons: int) -> tuple[pd.DatetimeIndex, int, pd.Timestamp, int]:
    """The months scored (1..horizons after the origin), the season, the paths' last month and the lead (months
    from the origin to the season's May)."""
    months = pd.date_range(origin + pd.offsets.MonthBegin(), periods=horizons, freq="MS")
    season_year = season_year_at(origin)
    horizon_end = max(months[-1], pd.Timestamp(season_year, 6, 1))
    lead = (season_year - origin.year) * 12 + 5 - origin.month
    return months, season_year, horizon_end, lead


def _scored_paths(frame: pd.DataFrame, months: pd.DatetimeIndex, model: str | None = None) -> list[dict]:
    rows = []
    for name, g in ([(model, frame)] if model else frame.groupby("model", sort=False)):
        g = g.set_index("month").reindex(months)
        rows += [{"model": name, "horizon": h, "target_month": m,
                  **{k: float(r[k]) for k in ("mean", "lo80", "hi80", "lo95", "hi95")}}
                 for h, (m, r) in enumerate(g.iterrows(), start=1) if pd.notna(r["mean"])]
    return rows


def forecast_at_origin(task: OriginTask) -> OriginResult:
    """Every model's and baseline's forecasts of one target at one origin, by the live forecast's own function:
    paths for horizons 1..``horizons`` months after the origin, and P(cooling) for the season the origin is in."""
    from models.cooling import CoolingEvent
    from models.forecast import forecast_target

    origin = pd.Timestamp(task.origin)
    months, season_year, horizon_end, lead = _windows(origin, task.horizons)
    fc = forecast_target(task.spec, task.level, task.regressors, origin=origin, season_year=season_year,
                         horizon_end=horizon_end, settings=task.settings)
    label = CoolingEvent.season_label(season_year)
    probs = fc.probabilities.assign(season=label, lead=lead)[["model", "season", "lead", "probability"]]
    statuses = {r.model: (r.status, "; ".join(r.warnings)) for r in fc.runs}
    return OriginResult(task.target, origin, pd.DataFrame(_scored_paths(fc.paths, months)), probs, fc.scale,
                        statuses, task.vintage, task.real_time)


def nowcast_at_origin(task: NowcastTask) -> list[OriginResult]:
    """The nowcast's paths (horizons 1..``horizons``) and P(cooling) for every target at one origin, as one
    OriginResult per target (model ``nowcast``); a failed fit gives each target a failed status and no rows."""
    from models.cooling import CoolingEvent
    from models.forecast import nowcast_targets

    origin = pd.Timestamp(task.origin)
    months, season_year, horizon_end, lead = _windows(origin, task.horizons)
    label = CoolingEvent.season_label(season_year)
    nc = nowcast_targets(task.panel, task.specs, origin=origin, season_year=season_year, horizon_end=horizon_end,
                         lags=task.lags, options=task.options)
    empty = pd.DataFrame()

    def result(t, paths, probs, status):
        # The MASE scale is set by the caller from the target's own origin task, so that every model's MASE at
        # this origin divides by the same number.
        vintage, real_time = task.vintages.get(t, (None, False))
        return OriginResult(t, origin, paths, probs, float("nan"), {"nowcast": status}, vintage, real_time)

    out = [result(t, empty, empty, ("skipped", f"{t} has no data known at {origin:%Y-%m}")) for t in nc.absent]
    for t in nc.targets:
        if nc.error is not None:
            out.append(result(t, empty, empty, (nc.status, f"{type(nc.error).__name__}: {nc.error}")))
        elif nc.status != "ok":
            out.append(result(t, empty, empty, (nc.status, "; ".join(nc.results.warnings))))
        else:
            p = nc.probabilities.get(t)
            probs = pd.DataFrame([{"model": "nowcast", "season": label, "lead": lead, "probability": p}]
                                 if p is not None else [])
            out.append(result(t, pd.DataFrame(_scored_paths(nc.paths[t], months, "nowcast")), probs,
                              ("ok", nc.notes.get(t, ""))))
    return out


def run_origin(task) -> list[OriginResult]:
    """One task's results; an unexpected error becomes a failed result per target instead of ending the run (the
    other origins' results are kept)."""
    try:
        return nowcast_at_origin(task) if isinstance(task, NowcastTask) else [forecast_at_origin(task)]
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        if isinstance(task, NowcastTask):
            return [OriginResult(t, task.origin, pd.DataFrame(), pd.DataFrame(), float("nan"),
                                 {"nowcast": ("failed", message)}, *task.vintages.get(t, (None, False)))
                    for t in task.specs]
        return [OriginResult(task.target, task.origin, pd.DataFrame(), pd.DataFrame(), float("nan"),
                             {"origin": ("failed", message)}, task.vintage, task.real_time)]


def run_origins(tasks) -> list[OriginResult]:
    """:func:`run_origin` over a batch of tasks, in order (the unit a task runner ships to a worker)."""
    return [r for t in tasks for r in run_origin(t)]


# -- the tables ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BacktestTables:
    tables: dict  # backtest_forecasts, backtest_scores, backtest_reliability (run_id empty)
    statuses: dict  # model -> status -> count
    warnings: tuple[str, ...]
    headline: pd.DataFrame


def backtest_tables(plan: BacktestPlan, results: list[OriginResult], final: pd.DataFrame,
                    synthetic: bool | None) -> BacktestTables:
    """Every origin's forecasts beside what happened (the final data), and their scores and reliability."""
    from collections import Counter

    warnings = list(plan.warnings)
    statuses: dict = {}
    # Every model's MASE at an origin divides by the same scale: the target's own task's (its vintage there).
    scales = {(r.target, r.origin): r.scale for r in results if "nowcast" not in r.statuses}
    finals = {sid: final[final["series_id"] == sid].set_index("month")["value"].astype(float).sort_index()
              for sid in plan.origins}
    outcomes = {sid: cooling_outcomes(finals[sid], plan.specs[sid]) for sid in plan.origins}
    path_frames, prob_frames = [], []
    for res in results:
        for model, (status, message) in res.statuses.items():
            statuses.setdefault(model, Counter())[status] += 1
            if status not in ("ok",) and message and len(warnings) < 50:
                warnings.append(f"{model}:{res.target} at {res.origin:%Y-%m}: {status}: {message}")
        common = {"target_series": res.target, "origin": res.origin, "vintage": res.vintage,
                  "real_time": res.real_time}
        if len(res.paths):
            p = res.paths.assign(**common, scale=scales.get((res.target, res.origin), res.scale))
            p["actual"] = finals[res.target].reindex(pd.DatetimeIndex(p["target_month"])).to_numpy()
            path_frames.append(p)
        if len(res.probabilities):
            q = res.probabilities.assign(**common)
            cooled = outcomes[res.target].get(int(q["season"].iloc[0][:4]))
            q["cooled"] = cooled if cooled is not None else pd.NA
            prob_frames.append(q)
    paths = pd.concat(path_frames, ignore_index=True) if path_frames else pd.DataFrame(
        columns=["target_series", "origin", "model", "horizon", "target_month", "mean", "lo80", "hi80", "lo95",
                 "hi95", "actual", "scale", "vintage", "real_time"])
    probs = pd.concat(prob_frames, ignore_index=True) if prob_frames else pd.DataFrame(
        columns=["target_series", "origin", "model", "season", "lead", "probability", "cooled", "vintage", "real_time"])
    probs["cooled"] = probs["cooled"].astype("boolean")
    if plan.combination is not None and (len(paths) or len(probs)):
        head_p, head_q, choices = nested_headline(paths, probs, plan.combination, plan.specs)
        paths = pd.concat([paths, head_p], ignore_index=True)
        probs = pd.concat([probs, head_q], ignore_index=True)
    else:
        choices = pd.DataFrame(columns=HEADLINE_COLUMNS)

    # Every score twice: over all origins, and over the real-time origins alone (those that read a vintage
    # retrieved by the origin, not revised data).
    real_paths, real_probs = paths[paths["real_time"].astype(bool)], probs[probs["real_time"].astype(bool)]
    scores = pd.concat([score_paths(paths).assign(origins="all"), score_probabilities(probs).assign(origins="all"),
                        score_paths(real_paths).assign(origins="real_time"),
                        score_probabilities(real_probs).assign(origins="real_time")], ignore_index=True)
    interval = scores["metric"].isin(["brier_skill_live", "brier_skill_lead3plus"])
    scores["verdict"] = None
    scores.loc[interval, "verdict"] = [skill_verdict(v, lo, hi) for v, lo, hi in
                                       scores.loc[interval, ["value", "lo90", "hi90"]].itertuples(index=False)]
    # Paired, on shared origins at the live leads: SARIMAX against the same fit without the gap on the same months
    # (the gap test's yardstick) and every model against the combination rule's default (is the candidate better
    # than what it would replace?).
    default = (plan.combination or {}).get("default", "sarimax")
    yardstick = (plan.combination or {}).get("gap_yardstick")
    paired = [(score_paired(probs, default, "brier_skill_vs_default"), default)]
    if yardstick:
        paired.insert(0, (score_paired(probs, yardstick, "brier_skill_vs_no_gap", models={GAP_WITH}), yardstick))
    for frame, reference in paired:
        frame = frame.assign(origins="all")
        frame["verdict"] = [paired_verdict(v, lo, hi, reference) for v, lo, hi in
                            frame[["value", "lo90", "hi90"]].itertuples(index=False)]
        scores = pd.concat([scores, frame], ignore_index=True)
    scores["data_basis"] = scores["target_series"].map(plan.data_basis)
    scores["threshold"] = scores["target_series"].map({sid: s.threshold for sid, s in plan.specs.items()})
    scored_probs = probs.dropna(subset=["cooled"])
    reliability = pd.concat(
        [reliability_table(g, 10).assign(target_series=sid) for sid, g in scored_probs.groupby("target_series")]
        + [reliability_table(scored_probs, 10).assign(target_series="all targets")], ignore_index=True) \
        if len(scored_probs) else pd.DataFrame(columns=RELIABILITY_COLUMNS)
    forecasts = pd.concat([
        paths.drop(columns=["scale"]).assign(kind="path"),
        probs.rename(columns={"lead": "lead_months"}).assign(kind="probability"),
    ], ignore_index=True).assign(run_id=None, synthetic=synthetic).reindex(columns=FORECAST_COLUMNS)
    tables = {
        "backtest_forecasts": forecasts,
        "backtest_scores": scores.assign(run_id=None, synthetic=synthetic).reindex(columns=SCORE_COLUMNS),
        "backtest_reliability": reliability.assign(run_id=None, synthetic=synthetic).reindex(
            columns=RELIABILITY_COLUMNS),
        "backtest_headline": choices.assign(run_id=None, synthetic=synthetic).reindex(columns=HEADLINE_COLUMNS),
        "backtest_pit": pit_table(paths).assign(run_id=None, synthetic=synthetic).reindex(columns=PIT_COLUMNS),
        "backtest_gap_test": (gap_test(*_with_errors(paths, probs), yardstick, int(paths["horizon"].max()),
                                       _plan_regressors(plan))
                              if yardstick and len(paths) else pd.DataFrame(columns=GAP_TEST_COLUMNS)
                              ).assign(run_id=None, synthetic=synthetic).reindex(columns=GAP_TEST_COLUMNS),
    }
    return BacktestTables(tables, {m: dict(c) for m, c in statuses.items()}, tuple(warnings),
                          headline_table(tables["backtest_scores"]))


def _plan_regressors(plan: BacktestPlan) -> str:
    """The regressors (and lag) the plan's SARIMAX carries, as :func:`regressor_label` writes them."""
    names = next((list(t.regressors.columns) for t in plan.tasks if isinstance(t, OriginTask)), [])
    return regressor_label(names, int((plan.settings.sarimax or {}).get("lag", 0)))


def headline_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Per target and model: relative MASE (against the random walk) at horizons 1, 3, 6 and 9, and the
    Brier score over all leads beside the climatological base rate's."""
    if scores.empty:
        return pd.DataFrame()
    if "origins" in scores.columns:
        scores = scores[scores["origins"] == "all"]
    rows = []
    for (sid, model), g in scores.groupby(["target_series", "model"], sort=True):
        row = {"target_series": sid, "model": model}
        rel = g[g["metric"] == "relative_mase"].set_index("horizon")["value"]
        for h in (1, 3, 6, 9):
            row[f"rel_mase_h{h}"] = rel.get(h, np.nan)
        overall = g[g["horizon"].isna()].set_index("metric")["value"]
        n = g[g["horizon"].isna() & (g["metric"] == "brier")]["n"]
        row.update(brier=overall.get("brier", np.nan), brier_climatology=overall.get("brier_climatology", np.nan),
                   brier_skill=overall.get("brier_skill", np.nan), brier_forecasts=int(n.iloc[0]) if len(n) else 0)
        live = g[g["metric"] == "brier_skill_live"]
        if len(live):
            r = live.iloc[0]
            row.update(live_skill=r["value"], live_lo90=r["lo90"], live_hi90=r["hi90"], live_n=int(r["n"]),
                       live_seasons=int(r["seasons"]), live_verdict=r["verdict"])
        rows.append(row)
    return pd.DataFrame(rows)
