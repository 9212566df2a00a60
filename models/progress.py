"""Technical progress against capital: a frontier-progress index and how far AI valuations have run ahead of it.

Frames in, immutable results out (no I/O). The inputs are the monthly frontiers of ``marts.progress_monthly``
(``measure, month, frontier_level``: ln of the frontier for the log-scale measures, the score or share as is for
ECI and SWE-bench) and the AI basket's monthly market cap and filed TTM revenue (``marts.divergence_monthly``).

* **The progress index** is chain-linked: each month it moves by the mean, over the measures with a frontier in
  that month and the one before, of their change divided by their own average monthly change (``pace``). A measure
  advancing at its own average pace adds 1 a month, so the index counts *months of average progress*; a measure
  entering or ending (the ragged edges: ECI starts in 2023, the chips' prices end in 2024) changes which measures
  are averaged, never the level. It starts in the first month with ``min_measures`` measures (each with
  ``min_months`` months of a frontier that moved) and ends in the last month any measure has.
  A first principal component of the standardized levels (statsmodels PCA) is computed on the longest balanced
  window as a check of whether the measures move together (``pca_check``: loadings, share explained). It is not
  the index: on this panel a PCA is not well posed (measured, docs/progress.md: EM-filled levels flip sign and
  impute an ECI of 168 in 2017; levels standardized over their own spans make the index fall when a measure
  enters; EM-filled monthly changes give the imputed months the weight).
* **Real time.** The index's paces use the whole span. ``progress_index_realtime`` at month t is the last value of
  the index computed on the months up to t only; the capital-progress gap's z-score is computed the same way, so no
  number at t uses a later month. The frontiers are those of the vintage the build reads (release-dated): a score
  computed later for an earlier model counts from the model's release, a caveat stated in docs/progress.md.
* **Capital against progress**, on the months both exist: the log market cap and the index, each standardized
  over those months (``capital_z``, ``progress_z``: both in standard deviations of their own history), their
  difference (``gap``: capital per unit of capability, relative to its own history), the difference of their
  12-month changes (``growth_difference``, standard deviations per year), the gap's real-time z-score, an
  Engle-Granger cointegration test of log market cap on the index, and PSY bubble dating of the gap. Realized
  revenue the same way (``revenue_gap``) with a HAC regression of its 12-month growth on the index's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

MEASURES = ("eci", "metr_p50_minutes", "swe_bench_verified_pct", "training_compute_flop", "gpu_flops_per_usd")
INDEX_COLUMNS = ["month", "progress_index", "progress_index_realtime", "measures_observed", "measures",
                 "synthetic"]
CAPITAL_COLUMNS = [
    "month", "basket_market_cap", "log_market_cap", "progress_index", "progress_age_months", "capital_z",
    "progress_z", "gap", "gap_change_12m", "growth_difference", "capital_change_12m", "progress_change_12m",
    "gap_realtime", "gap_zscore_realtime", "coint_residual", "bubble_bsadf", "bubble_bsadf_cv",
    "bubble_exuberant", "basket_ttm_revenue", "revenue_z", "revenue_gap", "lab_valuation_usd", "lab_companies",
    "lab_z", "lab_gap", "synthetic",
]
TEST_COLUMNS = ["test", "statistic", "pvalue", "critical_value", "months", "first_month", "last_month", "verdict",
                "note", "synthetic"]


class ProgressInputError(ValueError):
    """The frontier or capital frame cannot be read (missing columns, no months)."""


@dataclass(frozen=True)
class ProgressSpec:
    min_measures: int = 2  # the index starts when this many measures exist
    min_months: int = 12  # a measure enters a fit once it has this many months of frontier that moved
    realtime_min_months: int = 24  # the real-time gap z-score needs this many common months
    carry_months: int = 12  # the index is carried forward this many months past its last month (flagged), no more
    bubble_lag: int = 0
    bubble_level: float = 0.95
    bubble_reps: int = 2000
    bubble_seed: int = 42
    hac_lags: int = 12
    pace_margin: float = 0.5  # since 2023, one side "outgrew" the other when their z-changes differ by more (sd)
    since: str = "2023-01-01"


@dataclass(frozen=True)
class ProgressResult:
    index: pd.DataFrame = field(repr=False)
    capital: pd.DataFrame = field(repr=False)
    tests: pd.DataFrame = field(repr=False)
    pace: Mapping[str, float] = field(default_factory=dict)  # measure -> its average monthly change
    pca_check: Mapping[str, object] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    diagnostics: Mapping[str, object] = field(default_factory=dict)


def _wide(frontier: pd.DataFrame) -> pd.DataFrame:
    need = {"measure", "month", "frontier_level"}
    if not need <= set(frontier.columns):
        raise ProgressInputError(f"the frontier frame lacks {sorted(need - set(frontier.columns))}")
    f = frontier[frontier["measure"].isin(MEASURES)]
    wide = f.pivot_table(index=pd.DatetimeIndex(f["month"]), columns="measure", values="frontier_level",
                         aggfunc="last")
    wide = wide.reindex(columns=[m for m in MEASURES if m in wide.columns]).sort_index()
    if len(wide):
        wide = wide.reindex(pd.date_range(wide.index[0], wide.index[-1], freq="MS"))
    return wide


def _usable(wide: pd.DataFrame, min_months: int) -> pd.DataFrame:
    """The measures a fit can read: at least ``min_months`` observed months and a frontier that has moved."""
    keep = [c for c in wide.columns if wide[c].notna().sum() >= min_months and wide[c].std(ddof=0) > 0]
    return wide[keep]


def _chain(wide: pd.DataFrame) -> tuple[pd.Series, dict[str, float]]:
    """The chain-linked progress index of frontier levels ``wide`` (months x measures, NaN where a measure has no
    frontier): each month it moves by the mean, over the measures with a frontier this month and the month before,
    of their change over their own average monthly change (``pace``: first to last observed level over the months
    between). A measure moving at its own average pace adds 1 a month, so the index counts months of average
    progress; a measure entering or leaving (the ragged edges) changes which measures are averaged, never the level.
    Returns the level (0 in the first month) and each measure's pace."""
    pace = {}
    for c in wide.columns:
        x = wide[c].dropna()
        months = (x.index[-1].year - x.index[0].year) * 12 + x.index[-1].month - x.index[0].month
        if months > 0 and x.iloc[-1] > x.iloc[0]:
            pace[c] = float((x.iloc[-1] - x.iloc[0]) / months)
    if not pace:
        return pd.Series(np.nan, index=wide.index), {}
    steps = wide[list(pace)].diff() / pd.Series(pace)
    step = steps.mean(axis=1, skipna=True).fillna(0.0)
    step.iloc[0] = 0.0
    level = step.cumsum()
    level[wide.notna().sum(axis=1) == 0] = np.nan
    return level, pace


def _pca_check(wide: pd.DataFrame, min_months: int) -> dict:
    """The first principal component of the standardized frontier levels (statsmodels PCA) on the longest balanced
    window: the months where every measure kept has a frontier, dropping the measure with the shortest span until
    that window has ``min_months``. Its loadings and explained share say whether the measures move together; the
    index does not use it (a PCA of this ragged panel, balanced or EM-filled, is not well posed: docs/progress.md)."""
    from statsmodels.multivariate.pca import PCA

    cols = list(wide.columns)
    while len(cols) >= 2:
        balanced = wide[cols].dropna()
        if len(balanced) >= min_months:
            # A measure whose frontier did not move over the window has no variance to share: loading 0, left out
            # of the component (standardizing it would turn rounding noise into a column of unit variance).
            scale = balanced.abs().max().where(lambda v: v > 0, 1.0)
            moving = [c for c in cols if balanced[c].std(ddof=0) > 1e-9 * scale[c]]
            out = {"measures": cols, "first_month": str(balanced.index[0].date()),
                   "last_month": str(balanced.index[-1].date()), "months": len(balanced),
                   "flat": [c for c in cols if c not in moving], "loadings": {c: 0.0 for c in cols},
                   "explained": None}
            if len(moving) < 2:
                return out
            try:
                pc = PCA(balanced[moving].to_numpy(dtype=float), ncomp=1, standardize=True, demean=True,
                         normalize=True)
            except np.linalg.LinAlgError as exc:  # a check, not the index: its failure is recorded, not raised
                return {**out, "error": f"LinAlgError: {exc}"}
            loadings = np.asarray(pc.loadings)[:, 0]
            loadings = loadings * (1.0 if loadings.sum() >= 0 else -1.0)
            out["loadings"].update(zip(moving, map(float, loadings)))
            return {**out, "explained": float(np.asarray(pc.rsquare)[1])}
        spans = {c: wide[c].notna().sum() for c in cols}
        cols.remove(min(spans, key=spans.get))
    return {"measures": cols, "months": 0, "loadings": {}, "explained": None}


def _span(wide: pd.DataFrame, min_measures: int) -> pd.DataFrame:
    observed = wide.notna().sum(axis=1)
    enough = observed >= min(min_measures, wide.shape[1])
    if not enough.any():
        return wide.iloc[0:0]
    return wide.loc[enough.idxmax():observed[observed > 0].index[-1]]


def _z(x: pd.Series) -> pd.Series:
    sd = x.std(ddof=0)
    return (x - x.mean()) / sd if sd > 0 else x * np.nan


def _realtime_paths(wide: pd.DataFrame, spec: ProgressSpec) -> dict[pd.Timestamp, pd.Series]:
    """For each month t (once ``realtime_min_months`` have passed), the index fitted on the months up to t."""
    return {wide.index[i]: _chain(_usable(wide.iloc[: i + 1], spec.min_months))[0]
            for i in range(spec.realtime_min_months - 1, len(wide))}


def progress_index(frontier: pd.DataFrame, spec: ProgressSpec = ProgressSpec()):
    """The monthly progress index (full sample and real time), each measure's pace and the PCA check."""
    return _progress_index(frontier, spec)[:3]


def _progress_index(frontier: pd.DataFrame, spec: ProgressSpec):
    wide = _usable(_wide(frontier), spec.min_months)
    wide = _span(wide, spec.min_measures) if wide.shape[1] else wide
    if wide.empty:
        return pd.DataFrame(columns=INDEX_COLUMNS), {}, {}, {}
    index, pace = _chain(wide)
    check = _pca_check(wide, spec.min_months)
    paths = _realtime_paths(wide, spec)
    realtime = pd.Series({t: path.iloc[-1] for t, path in paths.items()}).reindex(wide.index)
    observed = wide.notna()
    frame = pd.DataFrame({
        "month": wide.index,
        "progress_index": index.to_numpy(),
        "progress_index_realtime": realtime.to_numpy(),
        "measures_observed": observed.sum(axis=1).to_numpy(),
        "measures": [",".join(c for c in wide.columns if observed.at[m, c]) for m in wide.index],
    })
    return frame, pace, check, paths


def capital_progress(frontier: pd.DataFrame, capital: pd.DataFrame, *,
                     critical_values: Callable[..., tuple[object, str]] | None = None,
                     spec: ProgressSpec = ProgressSpec(), synthetic: bool = False,
                     labs: pd.DataFrame | None = None) -> ProgressResult:
    """The progress index and the capital-progress gap (module docstring). ``capital``: month,
    basket_market_cap and basket_ttm_revenue. ``critical_values(n, min_window=, lag=, reps=, seed=)`` gives the PSY
    critical values (as models.estimate's source); without it the gap is not bubble-dated. ``labs`` (month,
    valuation_post_usd, companies): the AI labs' summed post-money valuations, set against progress the same way
    (``lab_z``, ``lab_gap``, the test ``since_2023_labs``) on the months they exist."""
    from statsmodels.tsa.stattools import coint

    from models import bubbles as bub

    notes: list[str] = []
    index, pace, check, paths = _progress_index(frontier, spec)
    index["synthetic"] = synthetic
    empty = ProgressResult(index=index[INDEX_COLUMNS], capital=pd.DataFrame(columns=CAPITAL_COLUMNS),
                           tests=pd.DataFrame(columns=TEST_COLUMNS), pace=MappingProxyType(pace),
                           pca_check=MappingProxyType(check), warnings=tuple(notes))
    need = {"month", "basket_market_cap"}
    if not need <= set(capital.columns):
        raise ProgressInputError(f"the capital frame lacks {sorted(need - set(capital.columns))}")
    if index.empty:
        return ProgressResult(**{**empty.__dict__, "warnings": ("no progress index: no frontier measure",)})
    cap = capital.assign(month=pd.DatetimeIndex(capital["month"])).set_index("month").sort_index()
    cap = cap[cap["basket_market_cap"] > 0]
    idx = index.set_index(pd.DatetimeIndex(index["month"]))
    last_progress = idx.index[-1]
    months = cap.index[(cap.index >= idx.index[0])
                       & (cap.index <= last_progress + pd.DateOffset(months=spec.carry_months))]
    observed_count = int((months <= last_progress).sum())
    if observed_count < spec.realtime_min_months:
        notes.append(f"capital and the observed progress index overlap in {observed_count} months, fewer than "
                     f"{spec.realtime_min_months}: no gap computed")
        return ProgressResult(**{**empty.__dict__, "warnings": tuple(notes)})
    progress = idx["progress_index"].reindex(months).ffill()
    age = pd.Series([max(0, (m.year - last_progress.year) * 12 + m.month - last_progress.month) for m in months],
                    index=months)
    observed = months[age.to_numpy() == 0]  # the months the tests read: the index not carried forward
    if (age > 0).any():
        notes.append(f"the progress index ends {last_progress:%Y-%m}; carried forward {int(age.max())} "
                     f"month(s) to {months[-1]:%Y-%m} (progress_age_months), shown but left out of the tests")
    log_cap = np.log(cap.loc[months, "basket_market_cap"].astype(float))
    # Standardized on the months the index was observed; carried months use the same mean and sd.
    capital_z, progress_z = _z_on(log_cap, observed), _z_on(progress, observed)
    gap = capital_z - progress_z
    # Real time: at each month, the index computed on the months up to it, and the gap standardized on them.
    gap_rt = pd.Series(np.nan, index=months)
    gap_z_rt = pd.Series(np.nan, index=months)
    for i in range(spec.realtime_min_months - 1, len(months)):
        t = months[i]
        fitted = paths.get(min(t, last_progress))
        if fitted is None:  # the index itself has fewer than realtime_min_months months by t
            continue
        if t > last_progress:  # the index is carried forward here: no real-time reading of the gap
            continue
        path = fitted.reindex(months[: i + 1]).ffill()
        g = _z(log_cap.iloc[: i + 1]) - _z(path)
        gap_rt.iloc[i] = g.iloc[-1]
        sd = g.std(ddof=0)
        gap_z_rt.iloc[i] = (g.iloc[-1] - g.mean()) / sd if sd > 0 else np.nan
    x, y = progress[observed].to_numpy(), log_cap[observed].to_numpy()
    eg_t, eg_p, eg_cv = coint(y, x, trend="c", autolag="aic")
    beta = np.polyfit(x, y, 1)
    residual = log_cap - np.polyval(beta, progress.to_numpy())
    frame = pd.DataFrame({
        "month": months,
        "basket_market_cap": cap.loc[months, "basket_market_cap"].to_numpy(dtype=float),
        "log_market_cap": log_cap.to_numpy(),
        "progress_index": progress.to_numpy(),
        "progress_age_months": age.to_numpy(),
        "capital_z": capital_z.to_numpy(),
        "progress_z": progress_z.to_numpy(),
        "gap": gap.to_numpy(),
        "gap_change_12m": (gap - gap.shift(12)).to_numpy(),
        "growth_difference": ((capital_z - capital_z.shift(12)) - (progress_z - progress_z.shift(12))).to_numpy(),
        "capital_change_12m": (log_cap - log_cap.shift(12)).to_numpy(),
        "progress_change_12m": (progress - progress.shift(12)).to_numpy(),
        "gap_realtime": gap_rt.to_numpy(),
        "gap_zscore_realtime": gap_z_rt.to_numpy(),
        "coint_residual": residual.to_numpy(),
    })
    tests: list[dict] = []
    first, last = observed[0].date(), observed[-1].date()
    trend = np.arange(len(observed), dtype=float)
    tests.append({"test": "engle_granger_capital_progress", "statistic": float(eg_t), "pvalue": float(eg_p),
                  "critical_value": float(eg_cv[1]), "months": len(observed), "first_month": first,
                  "last_month": last,
                  "verdict": "cointegrated at 5%" if eg_p < 0.05 else "no cointegration at 5%",
                  "note": f"log market cap on the progress index, constant; slope {beta[0]:.4f} log points per "
                          "month of average progress (in-sample). The index is close to a time trend (correlation "
                          f"{np.corrcoef(x, trend)[0, 1]:.2f} with the month count), so this is nearly a test of "
                          "capital against a trend"})
    # PSY bubble dating of the gap, on the months the index was observed.
    frame["bubble_bsadf"] = np.nan
    frame["bubble_bsadf_cv"] = np.nan
    frame["bubble_exuberant"] = False
    if critical_values is None:
        notes.append("no critical values given: the gap is not bubble-dated")
    else:
        series = pd.Series(gap[observed].to_numpy(), index=observed, name="capital_progress_gap")
        n = len(series)
        if n < bub.required_observations(spec.bubble_lag):
            notes.append(f"capital_progress_gap: {n} months, too few for the PSY test")
        else:
            window = bub.psy_min_window(n)
            cv, source = critical_values(n, min_window=window, lag=spec.bubble_lag, reps=spec.bubble_reps,
                                         seed=spec.bubble_seed)
            fit = bub.BubbleTest(series, lag=spec.bubble_lag, min_window=window, level=spec.bubble_level,
                                 name="capital_progress_gap").fit(cv)
            seq = fit.sequence()
            level = round(spec.bubble_level * 100)
            frame = frame.set_index("month")
            frame.loc[seq.index, "bubble_bsadf"] = seq["bsadf"].to_numpy()
            frame.loc[seq.index, "bubble_bsadf_cv"] = seq[f"bsadf_cv{level}"].to_numpy()
            frame.loc[seq.index, "bubble_exuberant"] = seq["in_episode"].to_numpy()
            frame = frame.reset_index()
            k = cv.level_index(spec.bubble_level)
            episodes = "; ".join(f"{e.start:%Y-%m}..{'ongoing' if e.end is None else f'{e.end:%Y-%m}'}"
                                 for e in fit.episodes) or "none"
            tests.append({"test": "psy_gsadf_gap", "statistic": float(fit.statistics.gsadf), "pvalue": None,
                          "critical_value": float(cv.gsadf[k]), "months": n, "first_month": first,
                          "last_month": last,
                          "verdict": "explosive" if fit.exuberant else "not explosive",
                          "note": f"episodes: {episodes}; {cv.reps} replications ({source}), min window {window}"})
    # Revenue against progress.
    revenue = cap.loc[months, "basket_ttm_revenue"].astype(float) if "basket_ttm_revenue" in cap.columns \
        else pd.Series(np.nan, index=months)
    revenue = revenue.where(revenue > 0)
    log_rev = np.log(revenue)
    revenue_z = _z_on(log_rev, observed)
    frame["basket_ttm_revenue"] = revenue.to_numpy()
    frame["revenue_z"] = revenue_z.to_numpy()
    frame["revenue_gap"] = (revenue_z - progress_z).to_numpy()
    growth = pd.DataFrame({"revenue": log_rev - log_rev.shift(12),
                           "progress": progress - progress.shift(12)}).loc[observed].dropna()
    if len(growth) >= 24:
        import statsmodels.api as sm

        ols = sm.OLS(growth["revenue"], sm.add_constant(growth["progress"])).fit(
            cov_type="HAC", cov_kwds={"maxlags": spec.hac_lags})
        tests.append({"test": "revenue_growth_on_progress_growth", "statistic": float(ols.tvalues["progress"]),
                      "pvalue": float(ols.pvalues["progress"]), "critical_value": None, "months": len(growth),
                      "first_month": growth.index[0].date(), "last_month": growth.index[-1].date(),
                      "verdict": ("revenue grows with capability" if ols.pvalues["progress"] < 0.05
                                  and ols.params["progress"] > 0 else "no significant link"),
                      "note": f"12-month log revenue growth on the index's 12-month change: slope "
                              f"{ols.params['progress']:.4f} log points per month of average progress, "
                              f"HAC({spec.hac_lags})"})
    tests += _since(capital_z, progress_z, log_cap, observed, spec)
    frame["lab_valuation_usd"], frame["lab_companies"], frame["lab_z"], frame["lab_gap"] = np.nan, np.nan, np.nan, np.nan
    if labs is not None and len(labs):
        lab = labs.assign(month=pd.DatetimeIndex(labs["month"])).set_index("month").sort_index()
        value = lab["valuation_post_usd"].astype(float).where(lambda v: v > 0).reindex(months)
        log_lab = np.log(value)
        lab_observed = observed[log_lab.reindex(observed).notna().to_numpy()]
        if len(lab_observed) >= spec.realtime_min_months:
            lab_z = _z_on(log_lab, lab_observed)
            frame["lab_valuation_usd"] = value.to_numpy()
            frame["lab_companies"] = lab["companies"].reindex(months).to_numpy(dtype=float)
            frame["lab_z"] = lab_z.to_numpy()
            frame["lab_gap"] = (lab_z - _z_on(progress, lab_observed)).to_numpy()
            labs_since = _since(lab_z, _z_on(progress, lab_observed), log_lab, lab_observed, spec,
                                label="log valuation")
            if labs_since:
                row = dict(labs_since[0], test="since_2023_labs",
                           verdict=labs_since[0]["verdict"].replace("capital", "the labs' valuations"))
                row["note"] = ("AI labs' summed post-money valuations (lab_z) against the index on the months both "
                               f"exist; {row['note'].replace('capital_z', 'lab_z')}; the number of labs valued grows "
                               f"from {int(lab['companies'].iloc[0])} to {int(lab['companies'].iloc[-1])}")
                tests.append(row)
        else:
            notes.append(f"AI labs' valuations overlap the observed index in {len(lab_observed)} months, fewer than "
                         f"{spec.realtime_min_months}: not set against progress")
    frame["synthetic"] = synthetic
    tests_frame = pd.DataFrame(tests, columns=TEST_COLUMNS[:-1]).assign(synthetic=synthetic)
    diagnostics = {"pace": pace, "pca_check": check, "index_first": str(idx.index[0].date()),
                   "index_last": str(last_progress.date()), "tested_months": len(observed),
                   "gap_latest": float(gap[observed[-1]]),
                   "gap_zscore_realtime_latest": float(gap_z_rt[observed[-1]]),
                   "tests": {r["test"]: {"statistic": r["statistic"], "pvalue": r["pvalue"], "verdict": r["verdict"]}
                             for r in tests}}
    return ProgressResult(index=index[INDEX_COLUMNS], capital=frame[CAPITAL_COLUMNS], tests=tests_frame,
                          pace=MappingProxyType(pace), pca_check=MappingProxyType(check), warnings=tuple(notes),
                          diagnostics=MappingProxyType(diagnostics))


def _z_on(x: pd.Series, months: pd.DatetimeIndex) -> pd.Series:
    """``x`` standardized with the mean and sd of its values in ``months``."""
    base = x.reindex(months).dropna()
    sd = base.std(ddof=0)
    return (x - base.mean()) / sd if sd > 0 else x * np.nan


def _since(capital_z: pd.Series, progress_z: pd.Series, log_cap: pd.Series, observed: pd.DatetimeIndex,
           spec: ProgressSpec, label: str = "log market cap") -> list[dict]:
    """Has capital outgrown capability since ``spec.since``? The OLS trends of capital_z and progress_z over the
    observed months from then, as the change each implies over the window (sd): their difference is the statistic,
    read by the ``pace_margin`` rule. Trends, not end points, so that one release at the end does not decide it.
    Beside it the same with a linear time trend in place of the index: when it reads the same, the capability
    measures have added little beyond the passing of time."""
    window = observed[observed >= pd.Timestamp(spec.since)]
    if len(window) < spec.realtime_min_months:
        return []
    years = np.arange(len(window), dtype=float) / 12.0
    span = years[-1]

    def implied(z: pd.Series) -> float:
        return float(np.polyfit(years, z.reindex(window).to_numpy(), 1)[0] * span)

    def verdict(d: float) -> str:
        return ("capital outgrew capability" if d > spec.pace_margin else
                "capability outgrew capital" if d < -spec.pace_margin else
                f"about the same pace (within {spec.pace_margin} sd)")

    time_z = _z_on(pd.Series(np.arange(len(capital_z), dtype=float), index=capital_z.index), observed)
    d_cap, d_prog, d_time = implied(capital_z), implied(progress_z), implied(time_z)
    first, last = window[0].date(), window[-1].date()
    ends = (f"end to end: capital_z {capital_z[window[-1]] - capital_z[window[0]]:+.2f}, progress_z "
            f"{progress_z[window[-1]] - progress_z[window[0]]:+.2f}; {label} "
            f"{log_cap[window[-1]] - log_cap[window[0]]:+.2f}")
    return [
        {"test": "since_2023", "statistic": d_cap - d_prog, "pvalue": None, "critical_value": None,
         "months": len(window), "first_month": first, "last_month": last, "verdict": verdict(d_cap - d_prog),
         "note": f"trend-implied change {first:%Y-%m} to {last:%Y-%m}: capital_z {d_cap:+.2f} sd, progress_z "
                 f"{d_prog:+.2f} sd ({ends})"},
        {"test": "since_2023_time_trend", "statistic": d_cap - d_time, "pvalue": None, "critical_value": None,
         "months": len(window), "first_month": first, "last_month": last,
         "verdict": verdict(d_cap - d_time).replace("capability", "a linear time trend"),
         "note": f"the same with a linear time trend in place of the index: time {d_time:+.2f} sd; "
                 + ("the same verdict: the index adds little beyond time" if verdict(d_cap - d_time)
                    == verdict(d_cap - d_prog) else "a different verdict: the index carries information")},
    ]


def failed_progress(error: str, *, synthetic: bool = False) -> ProgressResult:
    """The result of a capital-progress estimate that raised: empty tables and the error, for the record."""
    return ProgressResult(index=pd.DataFrame(columns=INDEX_COLUMNS).assign(synthetic=synthetic),
                          capital=pd.DataFrame(columns=CAPITAL_COLUMNS), tests=pd.DataFrame(columns=TEST_COLUMNS),
                          warnings=(f"failed: {error}",), diagnostics=MappingProxyType({"error": error}))


def progress_model_run(result: ProgressResult):
    """The meta.model_runs record of a capital-progress estimate (model ``capital_progress``)."""
    from models.estimate import ModelRun

    failed = "error" in result.diagnostics
    status = "failed" if failed else "ok" if len(result.capital) else "skipped"
    return ModelRun(model="capital_progress", status=status,
                    parameters={"method": "chain-linked mean of each measure's change over its average pace",
                                "measures": list(result.pace)},
                    diagnostics=dict(result.diagnostics) or {"pace": dict(result.pace),
                                                             "pca_check": dict(result.pca_check)},
                    warnings=tuple(result.warnings))
