"""The thesis test: does the gap between what markets pay for technology and what it earns lead the tech talent
market? Pure statistics on frames (statsmodels does the estimation); docs/thesis.md states the claim, the tests
and the rules that turn their numbers into words.

Two links, each tested on its own:

(a) *capital cools*: does a wide valuation gap predict a fall in the basket's market cap over the next months?
(b) *talent follows*: does a wide gap, or a falling valuation, precede a fall in the talent targets?

Every regressor at month t is known at the end of t: the basket's price-to-sales uses the revenue filed by that
day (:class:`models.basket.AIBasket`), its z-score only the months before (:class:`ExpandingZScore`); a target
enters at its publication lag (its month t - lag is the last one out at the end of t), the macro controls one
month late (published in the next month), and the recession indicator is the Sahm rule computed from the
unemployment rate (known in real time) rather than NBER's dates (known a year or more later).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tsa.api import VAR
from statsmodels.tsa.stattools import grangercausalitytests

from models.basket import AIBasket, RaggedEdge
from models.bubbles import BubbleInputError, BubbleTest, psy_min_window, required_observations
from models.cooling import AUTUMN, SPRING, seasonally_adjusted
from models.divergence import ExpandingZScore


class ThesisInputError(ValueError):
    """Inputs the thesis tests cannot use, naming what is missing and where."""


# -- the long tech basket --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LongBasketResults:
    monthly: pd.DataFrame  # month, members, member_tickers, excluded_tickers, market cap, revenue, P/S, z, ...
    warnings: tuple[str, ...]


def long_basket(members: tuple[str, ...], prices: pd.DataFrame, fundamentals: pd.DataFrame, *,
                ragged_edge: RaggedEdge = RaggedEdge(), start: str = "1987-01", zscore_min_history: int = 60
                ) -> LongBasketResults:
    """The long tech basket by month: the AI basket's own code (:class:`AIBasket`: market cap over the TTM revenue
    filed by each month's last trading day, a member counting from the month its price and filed revenue begin)
    on the ``members``, with the log price-to-sales, its expanding z-score (``zscore_min_history`` months
    before the first), and the 12-month changes of the log market cap and of the log price-to-sales."""
    if not members:
        raise ThesisInputError("the long tech basket has no members: give price series the role 'tech_basket' in "
                               "the catalog")
    basket = AIBasket(tuple(members), (), ragged_edge, start=start).fit(prices, fundamentals)
    m = basket.monthly.copy()
    if m.empty or not m["members"].gt(0).any():
        raise ThesisInputError(f"the long tech basket ({', '.join(members)}): no month has a member with a market "
                               "cap and USD TTM revenue filed")
    m = m[m["members"] > 0].sort_values("month").reset_index(drop=True)
    idx = pd.DatetimeIndex(m["month"])
    log_ps = pd.Series(np.log(m["price_to_sales"].to_numpy(dtype=float)), index=idx)
    z = ExpandingZScore(log_ps, zscore_min_history).fit().zscore
    log_ew = pd.Series(np.log(m["price_to_sales_equal_weight"].to_numpy(dtype=float)), index=idx)
    z_ew = ExpandingZScore(log_ew, zscore_min_history).fit().zscore
    log_cap = pd.Series(np.log(m["basket_market_cap"].to_numpy(dtype=float)), index=idx)
    full = pd.date_range(idx[0], idx[-1], freq="MS")
    m["log_price_to_sales"] = log_ps.to_numpy()
    m["ps_zscore"] = z.reindex(idx).to_numpy()
    # The gap summed over the months since its first value: as a regressor of a model differenced once (SARIMAX's
    # regression with ARIMA(p, 1, q) errors acts through the regressor's change), its change is the gap's level, so
    # that the gap's level moves the target's growth -- the form the local projections test.
    m["ps_zscore_cumulative"] = z.reindex(idx).cumsum().to_numpy()
    m["ps_zscore_equal_weight"] = z_ew.reindex(idx).to_numpy()
    m["ps_change_12m"] = (log_ps.reindex(full) - log_ps.reindex(full).shift(12)).reindex(idx).to_numpy()
    m["cap_change_12m"] = (log_cap.reindex(full) - log_cap.reindex(full).shift(12)).reindex(idx).to_numpy()
    keep = ["month", "members", "member_tickers", "excluded_tickers", "basket_market_cap", "basket_ttm_revenue",
            "price_to_sales", "price_to_sales_equal_weight", "log_price_to_sales", "ps_zscore",
            "ps_zscore_cumulative", "ps_zscore_equal_weight", "ps_change_12m",
            "cap_change_12m", "synthetic"]
    return LongBasketResults(monthly=m[[c for c in keep if c in m.columns]], warnings=tuple(basket.warnings))


def bubble_episodes(series: pd.Series, critical_values, *, lag: int = 0, level: float = 0.95):
    """PSY (2015) dating of the long basket's price-to-sales (the AI basket's test): the fit, or None with why."""
    series = series.dropna()
    if len(series) < required_observations(lag):
        return None, f"{len(series)} months: too few for the PSY test"
    window = psy_min_window(len(series))
    try:
        cv, _ = critical_values(len(series), min_window=window, lag=lag)  # (critical values, where from)
        return BubbleTest(series, lag=lag, min_window=window, level=level, name=series.name).fit(cv), None
    except BubbleInputError as exc:
        return None, str(exc)


# -- the design ------------------------------------------------------------------------------------------------


def sahm_indicator(unrate: pd.Series) -> pd.Series:
    """The Sahm rule's real-time recession signal: the 3-month mean unemployment rate minus its low over the
    previous 12 months, 1 when 0.5 points or more (Sahm 2019)."""
    u = unrate.astype(float).rolling(3).mean()
    return (u - u.shift(1).rolling(12).min() >= 0.5).astype(float).where(u.notna() & u.shift(12).notna())


@dataclass(frozen=True)
class ThesisSpec:
    horizons: int = 24
    own_lags: int = 3            # the target's own monthly growth, t - lag - 1 ... t - lag - own_lags + 1
    control_lag: int = 1         # months the macro controls are published late
    band: float = 0.90           # the local projections' interval
    granger_max_lags: int = 12
    granger_criterion: str = "aic"
    wide_gap: float = 1.0        # a wide gap: the z-score in November at or above this
    alpha: float = 0.10          # a test "shows" something when p < alpha (docs/thesis.md)
    first_month: str = "1995-01"
    last_month: str | None = None  # the last origin (None: all); the robustness rows split the two cycles
    min_horizons: int = 3        # horizons with enough rows before a local projection is estimated at all
    min_months: int = 120        # ... and ten years of months at those horizons: one short cycle is no evidence
    null_draws: int = 1000       # simulated independent targets behind the local projections' joint p-value
    #                              (its Monte Carlo sd near p = 0.10 is 0.0095; 200 draws gave 0.021)
    seed: int = 20270301


def newey_west_lags(n: int, h: int) -> int:
    """The HAC bandwidth of horizon ``h`` with ``n`` observations: the overlap of the h-month changes (h - 1
    autocorrelated residuals) plus the Newey-West (1994) rule floor(4 (n/100)^(2/9))."""
    return int(h - 1 + math.floor(4 * (n / 100) ** (2 / 9)))


def lp_design(y: pd.Series, x: pd.Series, controls: pd.DataFrame, h: int, *, lag: int, own_lags: int,
              control_lag: int) -> pd.DataFrame:
    """The rows of the direct regression at horizon ``h``: ``dep`` = 100 x (log y_{t+h} - log y_{t-lag}), the
    measure ``x`` at t, the target's own growth at t-lag-j (j = 0..own_lags-1) and the controls at
    t-control_lag; a month t with any of them missing is dropped. The local projection reads it in event time
    (lag 0: the response after month t only, the own growth of month t among the controls); the out-of-sample
    test at the target's publication lag (the base month is the newest one out at t)."""
    ly = 100 * np.log(y.astype(float))
    months = pd.date_range(min(ly.index.min(), x.index.min()), max(ly.index.max(), x.index.max()), freq="MS")
    ly = ly.reindex(months)
    growth = ly.diff()
    cols = {"dep": ly.shift(-h) - ly.shift(lag), "x": x.reindex(months)}
    for j in range(own_lags):
        cols[f"dy_l{lag + j}"] = growth.shift(lag + j)
    for c in controls.columns:
        cols[c] = controls[c].reindex(months).shift(control_lag)
    return pd.DataFrame(cols, index=months).dropna()


def local_projection(design: pd.DataFrame, h: int):
    """OLS of ``dep`` on a constant and the rest of ``design`` with Newey-West (HAC) errors at
    :func:`newey_west_lags`; the statsmodels results."""
    exog = sm.add_constant(design.drop(columns="dep"), has_constant="add")
    return sm.OLS(design["dep"], exog).fit(cov_type="HAC", cov_kwds={"maxlags": newey_west_lags(len(design), h)})


# -- the tests -------------------------------------------------------------------------------------------------


def _row(test, link, measure, target, horizon, est, se, lo, hi, p, start, end, n, verdict, detail=""):
    return {"test": test, "link": link, "measure": measure, "target": target, "horizon": horizon,
            "estimate": est, "std_error": se, "lo": lo, "hi": hi, "p_value": p, "sample_start": start,
            "sample_end": end, "n": n, "verdict": verdict, "detail": detail}


def hac_slope(X: np.ndarray, y: np.ndarray, column: int, maxlags: int) -> tuple[float, float]:
    """The OLS coefficient of ``X[:, column]`` and its Newey-West (Bartlett) standard error with ``maxlags``
    lags, no small-sample factor, as statsmodels' OLS(...).fit(cov_type="HAC") gives it, in a few vector
    products (the null simulation runs it tens of thousands of times)."""
    xtx_inv = np.linalg.inv(X.T @ X)
    beta = xtx_inv @ (X.T @ y)
    u = y - X @ beta
    s = u * (X @ xtx_inv[:, column])
    var = float(s @ s)
    for lag in range(1, maxlags + 1):
        var += 2 * (1 - lag / (maxlags + 1)) * float(s[lag:] @ s[:-lag])
    return float(beta[column]), math.sqrt(var)


def null_max_t(y: pd.Series, designs: dict[int, pd.DataFrame], spec: ThesisSpec, *, seed: int) -> np.ndarray:
    """The largest |t| of the measure over the horizons of ``designs`` (h -> the local projection's rows), for
    ``spec.null_draws`` simulated targets independent of the measure by construction: AR(1) monthly growth with
    the target's own mean, autocorrelation and innovation sd, over the target's own months. The measure and the
    controls are the real ones, so the null keeps the persistence the HAC errors must cope with."""
    ly = 100 * np.log(y.astype(float).dropna())
    months = pd.date_range(ly.index[0], ly.index[-1], freq="MS")
    # the persistence of the months the regressions read, without the 2020 lockdown (one spike would set phi)
    first = min(d.index[0] for d in designs.values())
    g = ly.reindex(months).diff()
    g = g[(g.index >= first) & ~((g.index >= "2020-03-01") & (g.index <= "2020-12-01"))].dropna()
    phi = float(g.autocorr(1)) if len(g) > 24 else 0.0
    mean, sd = float(g.mean()), float(g.std(ddof=1) * math.sqrt(max(1e-12, 1 - phi ** 2)))
    pos = {m: i for i, m in enumerate(months)}
    plans = []
    for h, design in designs.items():
        at = np.array([pos[m] for m in design.index])
        fixed = design.drop(columns=["dep"] + [c for c in design.columns if c.startswith("dy_l")])
        own = sorted(int(c[len("dy_l"):]) for c in design.columns if c.startswith("dy_l"))
        plans.append((h, at, np.column_stack([np.ones(len(at)), fixed.to_numpy(dtype=float)]), own,
                      newey_west_lags(len(design), h)))
    rng = np.random.default_rng(seed)
    out = np.empty(spec.null_draws)
    for d in range(spec.null_draws):
        e = rng.normal(0, sd, len(months))
        growth = np.empty(len(months))
        growth[0] = 0.0
        for t in range(1, len(months)):
            growth[t] = phi * growth[t - 1] + e[t]
        level = np.cumsum(growth + mean)
        diff = np.r_[np.nan, np.diff(level)]
        best = 0.0
        for h, at, fixed, own, maxlags in plans:
            X = np.column_stack([fixed] + [diff[at - j] for j in own])
            b, se = hac_slope(X, level[at + h] - level[at], 1, maxlags)
            best = max(best, abs(b / se))
        out[d] = best
    return out


def local_projections(y: pd.Series, x: pd.Series, controls: pd.DataFrame, spec: ThesisSpec, *, lag: int,
                      link: str, measure: str, target: str, effect: str) -> tuple[list[dict], str]:
    """The impulse response of ``y``'s cumulative change (percent) to a one-sd higher ``x`` at h = 1..horizons,
    with its pointwise band; the rows and the verdict in words (docs/thesis.md, rule LP), which rests on the
    joint p-value of the largest |t| over the horizons against simulated independent targets
    (:func:`null_max_t`): pointwise HAC bands of a persistent measure over overlapping changes exclude zero far
    more often than their level says (bench/thesis_null.py)."""
    x = x.dropna()
    x = x[x.index >= pd.Timestamp(spec.first_month)]
    if spec.last_month is not None:
        x = x[x.index <= pd.Timestamp(spec.last_month)]
    sd = float(x.std(ddof=1))
    if not sd > 0:
        raise ThesisInputError(f"{measure}: no variation from {spec.first_month}")
    xs = x / sd
    rows, designs, z = [], {}, stats.norm.ppf(0.5 + spec.band / 2)
    for h in range(1, spec.horizons + 1):
        design = lp_design(y, xs, controls, h, lag=0, own_lags=spec.own_lags, control_lag=spec.control_lag)
        if len(design) < 48:
            continue
        designs[h] = design
        res = local_projection(design, h)
        b, se = float(res.params["x"]), float(res.bse["x"])
        rows.append(_row("local_projection", link, measure, target, h, b, se, b - z * se, b + z * se,
                         float(res.pvalues["x"]), design.index[0], design.index[-1], int(res.nobs), "",
                         f"HAC maxlags {newey_west_lags(len(design), h)}; controls {', '.join(controls.columns)}; "
                         f"own lags {spec.own_lags}; event time (y_t+h - y_t); x in sd ({sd:.3g})"))
    joint = None
    if len(rows) >= spec.min_horizons:
        observed = max(abs(r["estimate"] / r["std_error"]) for r in rows)
        null = null_max_t(y, designs, spec, seed=spec.seed + zlib.crc32(f"{target}|{measure}".encode()) % 10**6)
        exceed = int(np.sum(null >= observed))
        joint = (float(observed), (1 + exceed) / (1 + len(null)), len(null))
    verdict = lp_verdict(rows, spec, measure, target, effect, joint)
    if len(rows) < spec.min_horizons:
        rows = [_row("local_projection", link, measure, target, None, None, None, None, None, None, None, None,
                     0, verdict)]
    for r in rows:
        r["verdict"] = verdict
        if joint is not None:
            r["detail"] += f"; joint p {joint[1]:.4f} (largest |t| {joint[0]:.2f}, {joint[2]} null targets)"
    return rows, verdict


def lp_verdict(rows: list[dict], spec: ThesisSpec, measure: str, target: str, effect: str,
               joint: tuple[float, float, int] | None = None) -> str:
    """Rule LP: the measure 'leads' when the largest |t| over the horizons is beyond what independent targets of
    the same persistence give (``joint``: the largest |t|, its simulated p-value and the number of null draws;
    p < alpha) and the horizons are estimated on ``min_months`` months or more; the sentence gives the effect
    at the horizon of that |t|, its sign and its pointwise band. Otherwise no evidence (or too short to tell)."""
    if len(rows) < spec.min_horizons:
        return (f"not estimated: too few months where {measure} and {target} overlap (48 rows needed at a horizon; "
                f"{len(rows)} horizons had them)")
    if joint is None:
        raise ThesisInputError(f"{measure} -> {target}: the local projection's verdict needs its joint p-value")
    observed, p, draws = joint
    peak = max(rows, key=lambda r: abs(r["estimate"] / r["std_error"]))
    # p = (1 + exceed) / (1 + draws), printed with its count: 0.0995 must not read as "0.100" beside a pass
    how = (f"largest |t| {observed:.2f} at h = {peak['horizon']}; joint p {p:.4f} ({round(p * (draws + 1)) - 1} of "
           f"{draws} independent targets of the same persistence reach it)")
    if p >= spec.alpha:
        return f"no evidence that {measure} leads {target} ({how})"
    word = "higher" if peak["estimate"] > 0 else "lower"
    said = (f"a one-sd higher {measure} precedes {effect} {word} by {abs(peak['estimate']):.2f}% "
            f"{peak['horizon']} months later ({spec.band:.0%} pointwise band {peak['lo']:+.2f} to "
            f"{peak['hi']:+.2f}%; {how})")
    if int(peak["n"]) < spec.min_months:
        return (f"too short to tell ({int(peak['n'])} months, fewer than {spec.min_months}: one cycle at most): "
                f"{said}, which is not counted as evidence")
    return said


def granger(y: pd.Series, x: pd.Series, spec: ThesisSpec, *, link: str, measure: str, target: str) -> list[dict]:
    """Granger causality both ways in a VAR of the measure's monthly change and the target's monthly growth
    (percent), both in event time (month t's change of each: the test is of precedence, so the target is not
    shifted by its publication lag, which would set x after y), lag order by ``granger_criterion`` (at most
    ``granger_max_lags``): statsmodels' ``VAR(...).test_causality`` (F)."""
    ly = 100 * np.log(y.astype(float))
    frame = pd.DataFrame({"dx": x.diff(), "dy": ly.diff()}).loc[spec.first_month:].dropna()
    if len(frame) < 60:
        return [_row("granger", link, measure, target, None, None, None, None, None, None, None, None, len(frame),
                     f"not estimated: {len(frame)} months where both are known")]
    model = VAR(frame)
    p = max(1, int(model.select_order(spec.granger_max_lags).selected_orders[spec.granger_criterion]))
    res = model.fit(p)
    out = []
    for caused, causing, words in (("dy", "dx", f"{measure} -> {target}"), ("dx", "dy", f"{target} -> {measure}")):
        t = res.test_causality(caused, [causing], kind="f")
        # the caused equation's own degrees of freedom, T - 2p - 1 (VAR's test pools both equations', 2x as many):
        # the textbook single-equation F test, as grangercausalitytests computes it
        df = (int(t.df[0]), int(res.df_resid))
        pvalue = float(stats.f.sf(t.test_statistic, *df))
        shows = pvalue < spec.alpha
        verdict = (f"{words}: the past of the first improves the VAR's forecast of the second (F {t.test_statistic:.2f}"
                   f", p {pvalue:.3f}, {p} lags)" if shows else
                   f"{words}: no evidence of Granger causality (F {t.test_statistic:.2f}, p {pvalue:.3f}, {p} lags)")
        out.append(_row("granger", link, measure if causing == "dx" else target,
                        target if caused == "dy" else measure, p, float(t.test_statistic), None, None, None,
                        pvalue, frame.index[0], frame.index[-1], int(res.nobs), verdict,
                        f"VAR(dx, dy) lag order {p} by {spec.granger_criterion}; F({df[0]}, {df[1]})"))
    return out


def granger_reference(y: pd.Series, x: pd.Series, p: int, first_month: str) -> tuple[float, float]:
    """The same test (the measure causing the target) by statsmodels' ``grangercausalitytests``: F and p-value."""
    ly = 100 * np.log(y.astype(float))
    frame = pd.DataFrame({"dx": x.diff(), "dy": ly.diff()}).loc[first_month:].dropna()
    ftest = grangercausalitytests(frame[["dy", "dx"]], maxlag=[p])[p][0]["ssr_ftest"]
    return float(ftest[0]), float(ftest[1])


def season_changes(level: pd.Series, start_month: int = 9) -> pd.DataFrame:
    """Every six-month change of ``level`` in percent: the mean of months m+6..m+8 over the mean of m..m+2, for
    each start month m (September: the season, September-November to March-May), indexed by start."""
    ly = level.astype(float)
    months = pd.date_range(ly.index.min(), ly.index.max(), freq="MS")
    ly = ly.reindex(months)
    first = ly.rolling(3).mean().shift(-2)          # mean of m, m+1, m+2
    later = first.shift(-6)                         # mean of m+6, m+7, m+8
    change = 100 * np.log(later / first)
    return pd.DataFrame({"change": change, "season": months.month == start_month}, index=months).dropna()


def calendar_test(level: pd.Series, z: pd.Series, spec: ThesisSpec, *, target: str, measure: str) -> list[dict]:
    """The calendar claim. (1) Seasons alone: the September-November to March-May change (percent) on a dummy
    for a wide gap (the z-score of November at or above ``wide_gap``), one row per season, HAC errors (1 lag),
    Student's t: is the season after a wide gap different? (2) Against the other six-month windows of the same
    years: every start month, the change on the wide-gap dummy, start-month fixed effects and wide x season,
    HAC errors with 9 lags (windows a month apart overlap by 8 of their 9 months), Student's t: after a wide gap,
    is the season different from the other windows? Every window reads the gap of its third month (November
    for the season), known at that month's close (an ex-post test: no publication lag)."""
    assert AUTUMN == (9, 10, 11) and SPRING == (3, 4, 5)
    ch = season_changes(level)
    ch = ch[ch.index >= pd.Timestamp(spec.first_month)]
    zk = z.reindex(ch.index + pd.DateOffset(months=2))
    frame = ch.assign(wide=(zk.to_numpy() >= spec.wide_gap).astype(float), z=zk.to_numpy()).dropna()
    rows = []
    seasons = frame[frame["season"]]
    if len(seasons) < 10 or seasons["wide"].nunique() < 2:
        why = f"not estimated: {len(seasons)} seasons, {int(seasons['wide'].sum())} after a wide gap"
        return [_row(name, "b", measure, target, None, None, None, None, None, None, None, None, len(seasons), why)
                for name in ("calendar_season", "calendar_windows")]
    res = sm.OLS(seasons["change"], sm.add_constant(seasons[["wide"]])).fit(cov_type="HAC", cov_kwds={"maxlags": 1},
                                                                            use_t=True)
    b, se, pval = float(res.params["wide"]), float(res.bse["wide"]), float(res.pvalues["wide"])
    lo, hi = (float(v) for v in res.conf_int(alpha=1 - spec.band).loc["wide"])
    nw = int(seasons["wide"].sum())
    words = ("faster" if b > 0 else "slower")
    verdict = (f"after a wide gap in November (z >= {spec.wide_gap:g}; {nw} of {len(seasons)} seasons) {target} "
               f"grew {abs(b):.2f} points {words} from September-November to March-May (p {pval:.3f})"
               if pval < spec.alpha else
               f"no evidence that the September-November to March-May change of {target} differs after a wide gap "
               f"in November ({nw} of {len(seasons)} seasons; difference {b:+.2f} points, p {pval:.3f})")
    rows.append(_row("calendar_season", "b", measure, target, None, b, se, lo, hi, pval,
                     seasons.index[0], seasons.index[-1], len(seasons), verdict,
                     f"seasons: change (percent) on a wide-gap dummy, HAC 1 lag, t({int(res.df_resid)}); mean after "
                     f"a narrow gap {float(res.params['const']):+.2f}"))
    pooled = frame.assign(wide_season=frame["wide"] * frame["season"].astype(float))
    months = pd.get_dummies(pooled.index.month, prefix="m", drop_first=True, dtype=float)
    months.index = pooled.index
    exog = sm.add_constant(pd.concat([pooled[["wide", "wide_season"]], months], axis=1))
    if np.linalg.matrix_rank(exog.to_numpy()) < exog.shape[1]:
        return rows + [_row("calendar_windows", "b", measure, target, None, None, None, None, None, None, None, None,
                            len(pooled), "not estimated: a wide gap came only at the seasons' start, so the season "
                            "cannot be told from the other windows")]
    res2 = sm.OLS(pooled["change"], exog).fit(cov_type="HAC", cov_kwds={"maxlags": 9}, use_t=True)
    b2, se2, p2 = (float(res2.params["wide_season"]), float(res2.bse["wide_season"]),
                   float(res2.pvalues["wide_season"]))
    lo2, hi2 = (float(v) for v in res2.conf_int(alpha=1 - spec.band).loc["wide_season"])
    verdict2 = (f"a wide gap's effect on {target}'s season (September-November to March-May) exceeds its effect on "
                f"the other six-month windows by {b2:+.2f} points (p {p2:.3f})" if p2 < spec.alpha else
                f"no evidence that a wide gap's effect on {target}'s season (September-November to March-May) differs "
                f"from its effect on the other six-month windows ({b2:+.2f} points, p {p2:.3f})")
    rows.append(_row("calendar_windows", "b", measure, target, None, b2, se2, lo2, hi2, p2,
                     pooled.index[0], pooled.index[-1], len(pooled), verdict2,
                     "all start months; change on wide, wide x season and start-month fixed effects; HAC 9 lags, "
                     f"t({int(res2.df_resid)})"))
    return rows


def diebold_mariano(loss_a: np.ndarray, loss_b: np.ndarray, h: int) -> tuple[float, float]:
    """Diebold-Mariano (1995) test of equal loss with the Harvey, Leybourne and Newbold (1997) small-sample
    correction for ``h``-step forecasts: the statistic (negative: ``a`` has the smaller loss) and its two-sided
    p-value from Student's t with n - 1 degrees of freedom."""
    d = np.asarray(loss_a, dtype=float) - np.asarray(loss_b, dtype=float)
    n = len(d)
    if n < 10:
        raise ThesisInputError(f"Diebold-Mariano: {n} loss differences, too few (10 at least)")
    mean = d.mean()
    dc = d - mean
    gamma = [float(np.dot(dc[k:], dc[:n - k]) / n) for k in range(h)]
    var = (gamma[0] + 2 * sum(gamma[1:])) / n
    if not var > 0:
        raise ThesisInputError("Diebold-Mariano: the loss differences' long-run variance is not positive")
    dm = mean / math.sqrt(var)
    correction = math.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    stat = dm * correction
    return float(stat), float(2 * stats.t.sf(abs(stat), df=n - 1))


def clark_west(y: np.ndarray, restricted: np.ndarray, unrestricted: np.ndarray, h: int) -> tuple[float, float]:
    """Clark and West (2007) test of equal accuracy for nested models: f_t = e_r^2 - (e_u^2 - (yhat_r - yhat_u)^2),
    its mean over a Newey-West standard error with h - 1 lags; the statistic and the one-sided p-value (normal)
    that the larger model (``unrestricted``) forecasts better."""
    y, r, u = (np.asarray(a, dtype=float) for a in (y, restricted, unrestricted))
    f = (y - r) ** 2 - ((y - u) ** 2 - (r - u) ** 2)
    n = len(f)
    if n < 10:
        raise ThesisInputError(f"Clark-West: {n} forecasts, too few (10 at least)")
    fc = f - f.mean()
    gamma = [float(np.dot(fc[k:], fc[:n - k]) / n) for k in range(h)]
    var = (gamma[0] + 2 * sum((1 - k / h) * g for k, g in enumerate(gamma[1:], start=1))) / n
    if not var > 0:
        raise ThesisInputError("Clark-West: the adjusted loss differences' long-run variance is not positive")
    stat = float(f.mean() / math.sqrt(var))
    return stat, float(stats.norm.sf(stat))


def out_of_sample(y: pd.Series, x: pd.Series, controls: pd.DataFrame, spec: ThesisSpec, *, lag: int,
                  target: str, measure: str, horizons=(6, 12), first_origin: str = "2002-01",
                  min_rows: int = 60) -> list[dict]:
    """Does the gap improve a forecast out of sample? At each origin t from ``first_origin``, the direct
    regression of the change from the newest published month (t - lag) to t + h is fitted on the rows whose
    outcome was published by t (t - h - lag and before, at least ``min_rows``) with and without the gap, and
    forecasts from t. Squared errors; the models are nested, so the test is Clark and West's (2007), one-sided,
    with the Diebold-Mariano statistic (HLN-corrected) beside it; the errors overlap h + lag months."""
    rows = []
    x = x.dropna()
    xs = x / float(x[x.index >= pd.Timestamp(spec.first_month)].std(ddof=1))
    for h in horizons:
        design = lp_design(y, xs, controls, h, lag=lag, own_lags=spec.own_lags, control_lag=spec.control_lag)
        design = design[design.index >= pd.Timestamp(spec.first_month)]
        actual, with_x, without, used = [], [], [], []
        for t in design.index[design.index >= pd.Timestamp(first_origin)]:
            past = design[design.index <= t - pd.DateOffset(months=h + lag)]
            if len(past) < min_rows:
                continue
            row = design.loc[[t]]
            varied = [c for c in design.columns.drop("dep") if past[c].std() > 0]  # the Sahm signal before 2001: 0
            for cols, store in ((varied, with_x), ([c for c in varied if c != "x"], without)):
                fit = sm.OLS(past["dep"], sm.add_constant(past[cols], has_constant="add")).fit()
                store.append(float(np.asarray(fit.predict(sm.add_constant(row[cols], has_constant="add")))[0]))
            actual.append(float(row["dep"].iloc[0]))
            used.append(t)
        if len(actual) < 10:
            rows.append(_row("out_of_sample", "b", measure, target, h, None, None, None, None, None, None, None,
                             len(actual), f"not estimated: {len(actual)} origins with {min_rows} known outcomes "
                             "before them"))
            continue
        a, u, r = np.array(actual), np.array(with_x), np.array(without)
        overlap = h + lag
        cw, p_cw = clark_west(a, r, u, overlap)
        dm, p_dm = diebold_mariano((a - u) ** 2, (a - r) ** 2, overlap)
        gain = 1 - np.mean((a - u) ** 2) / np.mean((a - r) ** 2)
        words = f"mean squared error {abs(gain):.1%} {'lower' if gain > 0 else 'higher'} with the gap"
        verdict = (f"adding {measure} improves the {h}-month forecast of {target} out of sample ({words}; "
                   f"Clark-West {cw:+.2f}, p {p_cw:.3f})" if p_cw < spec.alpha else
                   f"no evidence that {measure} improves the {h}-month forecast of {target} out of sample ({words}; "
                   f"Clark-West {cw:+.2f}, p {p_cw:.3f})")
        rows.append(_row("out_of_sample", "b", measure, target, h, float(gain), None, None, None, p_cw,
                         used[0], used[-1], len(a), verdict,
                         f"direct regression with and without the measure, fitted on outcomes published by each "
                         f"origin; squared error; Clark-West one-sided p {p_cw:.3f}; Diebold-Mariano (HLN) {dm:+.3f}, "
                         f"two-sided p {p_dm:.3f}; {overlap - 1} overlapping months"))
    return rows


# -- everything ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThesisResults:
    tests: pd.DataFrame            # one row per test (and LP horizon): marts.thesis_tests
    basket: pd.DataFrame           # the long basket by month: marts.tech_basket_monthly
    verdicts: tuple[str, ...]      # the headline sentences, in order
    warnings: tuple[str, ...] = ()
    settings: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))


def controls_frame(macro: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The controls by month from macro rows (series_id, month, value): the unemployment rate, the term spread
    (10-year less 3-month Treasury: ^TNX - ^IRX, else FRED's T10Y3M), the Sahm indicator; and a note for each
    control left out because its series is missing."""
    wide = macro.pivot_table(index="month", columns="series_id", values="value").sort_index()
    wide.index = pd.DatetimeIndex(wide.index)
    cols, notes = {}, []
    if "UNRATE" in wide.columns:
        cols["unrate"], cols["sahm"] = wide["UNRATE"], sahm_indicator(wide["UNRATE"])
    else:
        notes.append("controls: UNRATE is missing from marts.macro_monthly: no unemployment or Sahm control")
    if {"^TNX", "^IRX"} <= set(wide.columns):
        cols["term_spread"] = wide["^TNX"] - wide["^IRX"]
    elif "T10Y3M" in wide.columns:
        cols["term_spread"] = wide["T10Y3M"]
    else:
        notes.append("controls: neither ^TNX and ^IRX nor T10Y3M is in marts.macro_monthly: no term-spread control")
    frame = pd.DataFrame(cols)
    return frame[[c for c in ("unrate", "term_spread", "sahm") if c in frame.columns]].dropna(), notes


AI_MEASURES = (("ps_zscore", "AI basket gap z-score (2015-)"), ("capex_gap", "AI capex gap (2015-)"),
               ("progress_gap_zscore", "capital-progress gap z-score (2019-)"))


def run_thesis(basket_monthly: pd.DataFrame, targets: pd.DataFrame, macro: pd.DataFrame,
               lags: dict[str, int], spec: ThesisSpec = ThesisSpec(), *,
               not_adjusted: frozenset[str] = frozenset(), ai: pd.DataFrame | None = None) -> ThesisResults:
    """Both links on the long basket (``long_basket(...).monthly``), for each target of ``targets`` (series_id,
    month, value) at its publication lag (``lags``); the targets in ``not_adjusted`` (not seasonally adjusted at
    the source: JOLTS) are adjusted first by the month-of-year factors every model uses. ``ai``: the AI basket's
    own measures by month (marts.divergence_monthly: ps_zscore, capex_gap, from 2015), a robustness check of
    every target where given (AI_MEASURES)."""
    b = basket_monthly.set_index(pd.DatetimeIndex(basket_monthly["month"]))
    controls, notes = controls_frame(macro)
    gap, turn, cap = b["ps_zscore"], b["ps_change_12m"], 100 * np.log(b["basket_market_cap"].astype(float))
    rows, verdicts = [], []
    # (a) capital cools: the basket's market cap after a wide gap (no own lags of a target: the cap's own growth)
    for measure, x in (("gap z-score", gap),):
        r, v = local_projections(np.exp(cap / 100), x, controls, spec, lag=0, link="a", measure=measure,
                                 target="basket market cap", effect="the basket's market cap")
        rows += r
        verdicts.append(f"capital: {v}")
    for sid in sorted(targets["series_id"].unique()):
        level = targets[targets["series_id"] == sid].set_index("month")["value"].astype(float).sort_index()
        level.index = pd.DatetimeIndex(level.index)
        if sid in not_adjusted and len(level.dropna()) >= 36:
            level = np.exp(seasonally_adjusted(np.log(level), True)[1])
        lag = int(lags.get(sid, 1))
        for measure, x, effect in (("gap z-score", gap, f"the {sid} level"),
                                   ("12-month change in log P/S", turn, f"the {sid} level")):
            try:
                r, v = local_projections(level, x, controls, spec, lag=lag, link="b", measure=measure, target=sid,
                                         effect=effect)
            except (ThesisInputError, np.linalg.LinAlgError) as exc:  # one projection, not the whole run
                notes.append(f"{sid}: {exc}")
                continue
            rows += r
            verdicts.append(f"{sid}: {v}")
        if len(level.loc[:"2005"]) >= 120:  # robustness, for the targets that span both cycles
            for measure, x, sub in (
                    ("equal-weighted gap z-score", b["ps_zscore_equal_weight"], spec),
                    ("gap z-score, origins 1995-2009", gap, replace(spec, last_month="2009-12")),
                    ("gap z-score, origins 2010-", gap, replace(spec, first_month="2010-01"))):
                try:
                    r, v = local_projections(level, x, controls, sub, lag=lag, link="b", measure=measure,
                                             target=sid, effect=f"the {sid} level")
                except (ThesisInputError, np.linalg.LinAlgError) as exc:
                    notes.append(f"{sid}: {exc}")
                    continue
                rows += [dict(row, test="robustness") for row in r]
        if ai is not None and len(ai):  # the AI basket's own measures, 2015-: every target, short as they are
            a = ai.set_index(pd.DatetimeIndex(ai["month"]))
            for column, measure in AI_MEASURES:
                if column not in a.columns or not a[column].notna().any():
                    continue
                try:
                    r, v = local_projections(level, a[column].astype(float), controls, spec, lag=lag, link="b",
                                             measure=measure, target=sid, effect=f"the {sid} level")
                except (ThesisInputError, np.linalg.LinAlgError) as exc:
                    why = f"not estimated: {exc}"
                    notes.append(f"{sid}, {measure}: {why}")
                    r = [_row("local_projection", "b", measure, sid, None, None, None, None, None, None, None,
                              None, 0, why)]
                rows += [dict(row, test="robustness") for row in r]
        for name, test in (("granger", lambda: granger(level, gap, spec, link="b", measure="gap z-score",
                                                        target=sid)),
                           ("calendar_season", lambda: calendar_test(level, gap, spec, target=sid,
                                                                     measure="gap z-score")),
                           ("out_of_sample", lambda: out_of_sample(level, gap, controls, spec, lag=lag, target=sid,
                                                                   measure="gap z-score"))):
            try:
                rows += test()
            except (ThesisInputError, np.linalg.LinAlgError, ValueError) as exc:  # one test, not the whole run
                why = f"not estimated: {type(exc).__name__}: {exc}"
                notes.append(f"{sid}, {name}: {why}")
                rows.append(_row(name, "b", "gap z-score", sid, None, None, None, None, None, None, None, None, 0,
                                 why))
    tests = pd.DataFrame(rows)
    return ThesisResults(tests=tests, basket=basket_monthly, verdicts=tuple(verdicts), warnings=tuple(notes),
                         settings=MappingProxyType(spec.__dict__.copy()))
