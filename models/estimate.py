"""The divergence estimate: the AI basket, its z-score, cointegration gap, capex gap, required revenue and the
PSY bubble tests, fitted on the frames the warehouse reads, and turned into the tables the marts hold.

Frames in, immutable results out. Monte Carlo critical values come from a function the caller passes
(``critical_values``), so that they can be cached wherever the caller keeps files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from models import bubbles as bub
from models.basket import AIBasket
from models.config import BASKET_PS_SERIES, Assumptions
from models.divergence import (
    LAB_WINDOW_DAYS,
    CapexGap,
    CointegrationGap,
    ExpandingZScore,
    RequiredRevenue,
    recorded_warnings,
)

# (n, min_window, lag, reps, seed) -> (critical values, "cache" or "simulated")
CriticalValueSource = Callable[..., tuple[bub.CriticalValues, str]]


def simulated_critical_values(n: int, *, min_window: int | None = None, lag: int = 0, reps: int = bub.DEFAULT_REPS,
                              seed: int = bub.DEFAULT_SEED) -> tuple[bub.CriticalValues, str]:
    """Critical values simulated afresh (no cache)."""
    return bub.simulate_critical_values(n, min_window=min_window, lag=lag, reps=reps, seed=seed), "simulated"


@dataclass(frozen=True)
class ModelRun:
    """One fitted model's record for meta.model_runs: what was fitted, how it went, and what it said."""

    model: str
    status: str
    parameters: Mapping = field(repr=False)
    diagnostics: Mapping = field(repr=False)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DivergenceEstimate:
    """Everything the estimate produced: the mart tables (without run bookkeeping), the model records, the
    warnings, and the span of months."""

    tables: Mapping[str, pd.DataFrame] = field(repr=False)
    runs: tuple[ModelRun, ...]
    warnings: tuple[str, ...]
    critical_values: Mapping[str, str]
    months: tuple[str, str] | None
    synthetic: bool | None


def estimate_divergence(assumptions: Assumptions, members: tuple[str, ...], hyperscalers: tuple[str, ...],
                        prices: pd.DataFrame, fundamentals: pd.DataFrame,
                        critical_values: CriticalValueSource = simulated_critical_values,
                        segments: pd.DataFrame | None = None,
                        lab_revenue: pd.DataFrame | None = None) -> DivergenceEstimate:
    """Fit every divergence model on the members' prices and fundamentals (as the warehouse's
    estimate/member_prices.sql and member_fundamentals.sql read them), the GPU vendor's data-centre segment
    and the AI labs' reported revenue, and build the marts' tables: divergence_monthly, bubble_statistics,
    bubble_episodes and bubble_sequence."""
    warnings: list[str] = []
    results = _run_models(assumptions, members, hyperscalers, prices, fundamentals, critical_values, warnings,
                          segments=segments, lab_revenue=lab_revenue)
    tables = _frames(results, assumptions)
    runs, months = _model_rows(results, assumptions)
    return DivergenceEstimate(
        tables=MappingProxyType(tables), runs=tuple(runs), warnings=tuple(warnings),
        critical_values=MappingProxyType({r["series"]: r["cv_source"] for r in results.get("bubbles", {}).get(
            "statistics", [])}),
        months=months, synthetic=results.get("synthetic"))


def _run_models(assumptions: Assumptions, members, hyperscalers, prices, fundamentals,
                critical_values: CriticalValueSource, warnings: list[str], *, segments=None,
                lab_revenue=None) -> dict:
    """Fit every model; collect their results and warnings. Pure computation on the frames read."""
    value = assumptions.value
    history_start = str(value("estimate", "history_start"))
    out: dict = {"members": members, "hyperscalers": hyperscalers, "warnings": {},
                 "realtime_min_months": int(value("estimate", "realtime_min_months"))}
    basket_notes: list[str] = []
    with recorded_warnings(basket_notes, "basket"):
        basket = AIBasket(members, hyperscalers, assumptions.ragged_edge, start=history_start).fit(prices,
                                                                                                   fundamentals)
    out["basket"] = basket
    out["warnings"]["basket"] = list(basket.warnings) + basket_notes
    monthly = basket.monthly
    out["synthetic"] = bool(prices["synthetic"].any() or fundamentals["synthetic"].any()) if len(prices) else None
    if monthly.empty or not monthly["members"].gt(0).any():
        out["warnings"]["basket"].append(
            "no month has an AI basket member with a market cap and USD TTM revenue: nothing to estimate")
        warnings.extend(out["warnings"]["basket"])
        return out
    m = monthly.set_index("month")
    counted = m["members"] > 0
    log_ps = np.log(m["price_to_sales"].where(counted))
    zscore_notes: list[str] = []
    with recorded_warnings(zscore_notes, "zscore"):
        out["zscore"] = ExpandingZScore(log_ps, int(value("estimate", "zscore_min_history"))).fit()
    out["warnings"]["zscore"] = zscore_notes

    reported = m["revenue_basis"].eq("reported")
    last_reported = reported[reported].index.max() if reported.any() else None
    in_sample = pd.Series(m.index <= last_reported, index=m.index) if last_reported is not None else reported
    out["coint_in_sample"] = in_sample & counted
    try:
        coint = CointegrationGap(
            np.log(m["basket_market_cap"].where(counted)), np.log(m["basket_ttm_revenue"].where(counted)),
            estimation=out["coint_in_sample"], ecm_lags=int(value("estimate", "ecm_lags")),
            vecm_max_lags=int(value("estimate", "vecm_max_lags")),
            lag_criterion=str(value("estimate", "lag_criterion")),
            realtime_min_months=int(value("estimate", "realtime_min_months")),
        ).fit()
        out["coint"] = coint
        out["warnings"]["cointegration"] = list(coint.warnings)
    except ValueError as exc:
        out["warnings"]["cointegration"] = [f"cointegration not estimated: {exc}"]

    capex_notes: list[str] = []
    with recorded_warnings(capex_notes, "capex_gap"):
        capex = CapexGap(monthly).fit()
    out["capex"] = capex
    out["warnings"]["capex_gap"] = list(capex.warnings) + capex_notes
    required_notes: list[str] = []
    vendor_rows = fundamentals[fundamentals["ticker"] == str(value("required_revenue", "gpu_vendor"))]
    with recorded_warnings(required_notes, "required_revenue"):
        required = RequiredRevenue(vendor_rows, monthly[["month", "month_end_date"]],
                                   assumptions.required_revenue, assumptions.ragged_edge,
                                   segments=segments, lab_revenue=lab_revenue).fit()
    out["required"] = required
    out["warnings"]["required_revenue"] = list(required.warnings) + required_notes
    out["bubbles"] = _bubble_tests(basket, assumptions, critical_values, out)
    for notes in out["warnings"].values():
        warnings.extend(notes)
    return out


def _last_run(values: pd.Series, basis: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The last unbroken run of months with a value: the recursive tests need a gap-free series."""
    valid = values.notna().to_numpy()
    if not valid.any():
        return values.iloc[0:0], basis.iloc[0:0]
    stop = int(np.flatnonzero(valid)[-1]) + 1
    gaps = np.flatnonzero(~valid[:stop])
    start = int(gaps[-1]) + 1 if len(gaps) else int(np.flatnonzero(valid)[0])
    return values.iloc[start:stop], basis.iloc[start:stop]


def _bubble_series(basket, wanted: tuple[str, ...]) -> list[tuple[str, str, pd.Series, pd.Series]]:
    """(name, description, monthly values, revenue basis) of each series to test."""
    m = basket.monthly.set_index("month")
    out = []
    if "ai_basket_price_to_sales" in wanted:
        out.append(("ai_basket_price_to_sales", "AI basket cap-weighted price-to-sales (monthly)",
                    *_last_run(m["price_to_sales"], m["revenue_basis"])))
    if "ai_basket_price_to_sales_equal_weight" in wanted:
        out.append(("ai_basket_price_to_sales_equal_weight",
                    "AI basket equal-weighted price-to-sales: mean of members' ratios (monthly)",
                    *_last_run(m["price_to_sales_equal_weight"], m["revenue_basis"])))
    if "member_price_to_sales" in wanted:
        mm = basket.member_monthly
        for ticker in sorted(mm["ticker"].unique()):
            rows = mm[mm["ticker"] == ticker].set_index("month").sort_index()
            values, basis = _last_run(rows["price_to_sales"], rows["revenue_basis"])
            if len(values):
                out.append((f"price_to_sales:{ticker}",
                            f"{ticker} price-to-sales: market cap / TTM revenue (monthly)", values, basis))
    return out


def _bubble_tests(basket, assumptions: Assumptions, critical_values: CriticalValueSource, out: dict) -> dict:
    value = assumptions.value
    lag, reps, seed = int(value("bubbles", "lag")), int(value("bubbles", "reps")), int(value("bubbles", "seed"))
    level, min_obs = float(value("bubbles", "level")), int(value("bubbles", "min_observations"))
    notes: list[str] = []
    statistics, episodes, sequences, fits = [], [], [], {}
    for name, description, series, basis in _bubble_series(basket, tuple(value("bubbles", "series"))):
        n = len(series)
        if n < max(min_obs, bub.required_observations(lag)):
            notes.append(f"{name}: {n} months, fewer than bubbles.min_observations {min_obs}: not tested")
            continue
        window = bub.psy_min_window(n)
        try:
            with recorded_warnings(notes, name):
                cv, source = critical_values(n, min_window=window, lag=lag, reps=reps, seed=seed)
                fit = bub.BubbleTest(series, lag=lag, min_window=window, level=level, name=name).fit(cv)
        except bub.BubbleInputError as exc:
            notes.append(f"{name}: not tested: {exc}")
            continue
        stats = fit.statistics
        fits[name] = fit
        notes.extend(w for w in fit.warnings if w not in notes)
        ragged = basis.ne("reported")
        k = cv.level_index(level)
        statistics.append({
            "series": name, "description": description, "first_month": series.index[0],
            "last_month": series.index[-1], "observations": n, "lag": lag, "min_window": stats.min_window,
            "min_duration": fit.min_duration, "level": level, "adf": stats.adf, "sadf": stats.sadf,
            "gsadf": stats.gsadf,
            **{f"{s}_cv{round(q * 100)}": float(getattr(cv, s)[i]) for s in ("adf", "sadf", "gsadf")
               for i, q in enumerate(cv.levels)},
            "rejects_sadf": bool(stats.sadf > cv.sadf[k]), "rejects_gsadf": bool(stats.gsadf > cv.gsadf[k]),
            "episodes": len(fit.episodes), "ongoing": any(e.ongoing for e in fit.episodes),
            "mc_reps": reps, "mc_seed": seed, "cv_key": cv.key, "cv_source": source,
            "ragged_edge_months": int(ragged.sum()),
        })
        seq = fit.sequence()
        for e in fit.episodes:
            stop = None if e.end is None else e.end
            window = basis.loc[e.start:] if stop is None else basis.loc[e.start:stop].iloc[:-1]
            episodes.append({
                "series": name, "start": e.start, "peak": e.peak, "end": e.end, "duration": e.duration,
                "ongoing": e.ongoing, "peak_bsadf": float(seq.loc[e.peak, "bsadf"]),
                "overlaps_ragged_edge": bool(window.ne("reported").any()),
            })
        seq = seq.assign(series=name, value=series.reindex(seq.index), revenue_basis=basis.reindex(seq.index))
        sequences.append(seq.rename_axis("month").reset_index())
    out["warnings"]["bubbles"] = notes
    return {"statistics": statistics, "episodes": episodes, "sequences": sequences, "fits": fits,
            "settings": {"lag": lag, "reps": reps, "seed": seed, "level": level, "min_observations": min_obs}}


# -- frames for the marts --------------------------------------------------------------------------

_DIVERGENCE_COLUMNS = [
    "month", "month_end_date", "month_complete", "trading_days", "members", "member_tickers", "excluded_tickers",
    "basket_market_cap", "basket_ttm_revenue", "basket_ttm_revenue_filed", "price_to_sales", "price_to_sales_filed",
    "price_to_sales_equal_weight", "revenue_basis", "oldest_revenue_period", "newest_revenue_period",
    "revenue_age_days", "revenue_overdue_quarters", "nowcast_tickers", "carried_forward_tickers",
    "stale_tickers", "member_revenue_age_json", "log_price_to_sales", "ps_zscore", "ps_zscore_history_months", "coint_gap_eg", "coint_gap_eg_realtime",
    "coint_gap_johansen", "coint_in_sample", "eg_speed", "eg_half_life_months", "eg_pvalue", "johansen_alpha_cap",
    "johansen_half_life_months", "hyperscaler_members", "hyperscaler_tickers", "hyperscaler_ttm_capex",
    "hyperscaler_ttm_revenue", "hyperscaler_capex_to_revenue", "hyperscaler_basis", "capex_growth_yoy",
    "hyperscaler_revenue_growth_yoy", "capex_gap", "gpu_vendor_quarter_end", "gpu_vendor_basis",
    "data_center_basis", "data_center_share", "data_center_share_fiscal_year", "gpu_spend_run_rate",
    "data_center_spend", "required_ai_revenue", "required_revenue_basis", "realized_ai_revenue",
    "realized_ai_revenue_as_of", "realized_ai_revenue_age_days", "realized_ai_revenue_companies",
    "realized_ai_revenue_basis", "realized_ai_revenue_cahn", "realized_ai_revenue_cahn_as_of", "required_revenue_gap",
    "bubble_bsadf", "bubble_bsadf_cv", "bubble_exuberant", "notes", "synthetic", "run_id",
]
_STATISTICS_COLUMNS = [
    "series", "description", "first_month", "last_month", "observations", "lag", "min_window", "min_duration",
    "level", "adf", "sadf", "gsadf", "adf_cv90", "adf_cv95", "adf_cv99", "sadf_cv90", "sadf_cv95", "sadf_cv99",
    "gsadf_cv90", "gsadf_cv95", "gsadf_cv99", "rejects_sadf", "rejects_gsadf", "episodes", "ongoing", "mc_reps",
    "mc_seed", "cv_key", "cv_source", "ragged_edge_months", "synthetic", "run_id",
]
_EPISODE_COLUMNS = ["series", "start", "peak", "end", "duration", "ongoing", "peak_bsadf", "overlaps_ragged_edge",
                    "synthetic", "run_id"]
_SEQUENCE_COLUMNS = ["series", "month", "value", "badf", "bsadf", "bsadf_cv90", "bsadf_cv95", "bsadf_cv99",
                     "in_episode", "revenue_basis", "synthetic", "run_id"]


def _frames(results: dict, assumptions: Assumptions) -> dict[str, pd.DataFrame]:
    """The four marts' tables; ``run_id`` is left empty for the caller to fill."""
    run_id = None
    synthetic = results.get("synthetic")
    if "zscore" not in results:  # nothing to estimate: empty tables of the right shape
        return {
            "divergence_monthly": pd.DataFrame(columns=_DIVERGENCE_COLUMNS),
            "bubble_statistics": pd.DataFrame(columns=_STATISTICS_COLUMNS),
            "bubble_episodes": pd.DataFrame(columns=_EPISODE_COLUMNS),
            "bubble_sequence": pd.DataFrame(columns=_SEQUENCE_COLUMNS),
        }
    frame = _divergence(results, assumptions)
    frame["synthetic"] = synthetic
    frame["run_id"] = run_id
    b = results["bubbles"]
    stats = pd.DataFrame(b["statistics"], columns=[c for c in _STATISTICS_COLUMNS if c not in ("synthetic", "run_id")])
    episodes = pd.DataFrame(b["episodes"], columns=[c for c in _EPISODE_COLUMNS if c not in ("synthetic", "run_id")])
    sequence = (pd.concat(b["sequences"], ignore_index=True) if b["sequences"]
                else pd.DataFrame(columns=_SEQUENCE_COLUMNS))
    for f in (stats, episodes, sequence):
        f["synthetic"] = synthetic
        f["run_id"] = run_id
    return {
        "divergence_monthly": frame[_DIVERGENCE_COLUMNS],
        "bubble_statistics": stats[_STATISTICS_COLUMNS],
        "bubble_episodes": episodes[_EPISODE_COLUMNS],
        "bubble_sequence": sequence[_SEQUENCE_COLUMNS],
    }


def _divergence(results: dict, assumptions: Assumptions) -> pd.DataFrame:
    """marts.divergence_monthly from the output start to the last month, every absence explained."""
    basket = results["basket"]
    m = basket.monthly.set_index("month").sort_index()
    output_start = pd.Timestamp(str(assumptions.value("estimate", "output_start")) + "-01")
    frame = m.copy()
    counted = frame["members"] > 0
    frame["log_price_to_sales"] = np.log(frame["price_to_sales"].where(counted))
    z = results["zscore"]
    frame["ps_zscore"] = z.zscore
    frame["ps_zscore_history_months"] = z.history_months
    coint = results.get("coint")
    if coint is not None:
        eg, jo = coint.engle_granger, coint.johansen
        frame["coint_gap_eg"] = eg.gap.where(counted)
        frame["coint_gap_eg_realtime"] = coint.realtime_gap
        frame["coint_gap_johansen"] = jo.gap.where(counted) if jo is not None else np.nan
        frame["eg_speed"] = eg.speed
        frame["eg_half_life_months"] = eg.half_life
        frame["eg_pvalue"] = eg.pvalue
        frame["johansen_alpha_cap"] = jo.alpha_cap if jo is not None else np.nan
        frame["johansen_half_life_months"] = jo.half_life if jo is not None else np.nan
    frame["coint_in_sample"] = results["coint_in_sample"]
    frame = frame.join(results["capex"].frame, how="left")
    frame = frame.join(results["required"].frame, how="left")
    b = results["bubbles"]
    level = b["settings"]["level"]
    seq = next((s for s in b["sequences"] if s["series"].iloc[0] == BASKET_PS_SERIES), None)
    if seq is not None:
        seq = seq.set_index("month")
        frame["bubble_bsadf"] = seq["bsadf"]
        frame["bubble_bsadf_cv"] = seq[f"bsadf_cv{round(level * 100)}"]
        frame["bubble_exuberant"] = seq["in_episode"]
    for column in _DIVERGENCE_COLUMNS:
        if column not in frame.columns and column not in ("notes", "synthetic", "run_id", "month"):
            frame[column] = np.nan
    frame = frame[frame.index >= output_start].copy()
    frame["notes"] = [_notes(month, row, results) for month, row in frame.iterrows()]
    return frame.rename_axis("month").reset_index()


def _absent(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return bool(pd.isna(value)) if not isinstance(value, (list, tuple, np.ndarray)) else False


def _notes(month, row, results: dict) -> list[str]:
    """Why each absent measure is absent, and what the ragged edge or a partial month does to the row."""
    notes: list[str] = []
    if not row["month_complete"]:
        notes.append(f"partial month: {int(row['trading_days'])} trading day(s), prices to {row['month_end_date']:%Y-%m-%d}")
    if row["members"] == 0:
        notes.append("basket: no member had a market cap and USD TTM revenue filed by the month end; "
                     "every measure of the basket is absent")
        return notes
    basis = row["revenue_basis"]
    if basis != "reported":
        parts = []
        if row["nowcast_tickers"]:
            parts.append(f"{', '.join(row['nowcast_tickers'])} nowcast by trailing growth")
        if row["carried_forward_tickers"]:
            parts.append(f"{', '.join(row['carried_forward_tickers'])} held flat beyond the nowcast horizon")
        notes.append(f"ragged edge ({basis}): revenue of {'; '.join(parts)}; oldest filed quarter ends "
                     f"{row['oldest_revenue_period']:%Y-%m-%d} ({int(row['revenue_age_days'])} days before the month end)")
    stale = row.get("stale_tickers")
    if stale is not None and len(stale):
        limit = results["basket"].ragged_edge.max_overdue_quarters
        notes.append(f"left out of the basket as stale: {', '.join(stale)} (newest filed quarter more than {limit} "
                     "quarters overdue; no fresher filing in the data)")
    if _absent(row["ps_zscore"]):
        notes.append(f"ps_zscore: {results['zscore'].reason(month)}")
    coint = results.get("coint")
    if coint is None:
        notes.append("coint_gap_*: " + "; ".join(results["warnings"].get("cointegration", ["not estimated"])))
    else:
        if _absent(row["coint_gap_eg_realtime"]):
            notes.append(f"coint_gap_eg_realtime: needs {results['realtime_min_months']} estimation months up to the month")
        if not row["coint_in_sample"]:
            notes.append(f"coint_gap_*: month after the estimation sample ({coint.estimation_start:%Y-%m}.."
                         f"{coint.estimation_end:%Y-%m}, before the ragged edge): the gap applies those "
                         "coefficients to revenue as used")
        if _absent(row["eg_half_life_months"]):
            notes.append("eg_half_life_months: the error-correction speed is not negative, so the gap has no half-life")
    if _absent(row["capex_gap"]):
        reason = row.get("capex_gap_reason")
        notes.append(f"capex_gap: {reason if isinstance(reason, str) else 'no hyperscaler capex and revenue filed'}")
    elif row.get("hyperscaler_basis") not in (None, "reported"):
        notes.append(f"capex_gap: hyperscaler capex and revenue {row['hyperscaler_basis']} this month (ragged edge)")
    if _absent(row["required_ai_revenue"]):
        notes.append(f"required_ai_revenue: {row.get('required_revenue_reason')}")
    elif _absent(row["required_revenue_gap"]):
        notes.append(f"required_revenue_gap: {row.get('required_revenue_gap_reason')}")
    age = row.get("realized_ai_revenue_age_days")
    if not _absent(row.get("realized_ai_revenue")) and not _absent(age) and age > LAB_WINDOW_DAYS:
        notes.append(f"realized_ai_revenue: the oldest lab report used is {int(age)} days old at the month end "
                     f"(newest {row['realized_ai_revenue_as_of']}): no later report in the data")
    if row.get("gpu_vendor_basis") not in (None, "reported") and not _absent(row["required_ai_revenue"]):
        notes.append(f"gpu_spend_run_rate: GPU vendor revenue {row['gpu_vendor_basis']} past the quarter ended "
                     f"{row['gpu_vendor_quarter_end']:%Y-%m-%d}")
    if _absent(row["bubble_bsadf"]):
        stats = next((s for s in results["bubbles"]["statistics"] if s["series"] == BASKET_PS_SERIES), None)
        if stats is None:
            notes.append("bubble_*: basket price-to-sales not tested (see meta.model_runs, model bubbles)")
        else:
            notes.append(f"bubble_*: BSADF starts {stats['min_window'] + stats['lag']} months into the series "
                         f"({stats['first_month']:%Y-%m}): the minimum window")
    return notes


# -- meta.model_runs ---------------------------------------------------------------------------------


def _model_rows(results: dict, assumptions: Assumptions) -> tuple[list[ModelRun], tuple[str, str] | None]:
    warnings = results["warnings"]
    rows = []

    def add(model: str, parameters: dict, diagnostics: dict, status: str = "ok") -> None:
        rows.append(ModelRun(model, status, parameters, diagnostics, tuple(warnings.get(model, []))))

    basket = results["basket"]
    monthly = basket.monthly
    add("basket", {"members": list(results["members"]), "hyperscalers": list(results["hyperscalers"]),
                   "history_start": assumptions.section_dict("estimate")["history_start"],
                   "ragged_edge": assumptions.section_dict("ragged_edge")},
        {"months": len(monthly),
         "first_month": monthly["month"].min() if len(monthly) else None,
         "last_month": monthly["month"].max() if len(monthly) else None,
         "months_by_revenue_basis": monthly["revenue_basis"].value_counts().to_dict() if len(monthly) else {},
         "last_month_detail": _last_month(monthly)},
        status="ok" if "zscore" in results else "skipped")
    if "zscore" not in results:
        return rows, None
    estimate = assumptions.section_dict("estimate")
    z = results["zscore"]
    add("zscore", {"series": "log price_to_sales", "zscore_min_history": estimate["zscore_min_history"]},
        {"months_with_zscore": int(z.zscore.notna().sum()),
         "last": float(z.zscore.dropna().iloc[-1]) if z.zscore.notna().any() else None})
    coint = results.get("coint")
    coint_params = {k: estimate[k] for k in ("ecm_lags", "vecm_max_lags", "lag_criterion", "realtime_min_months")}
    if coint is None:
        add("cointegration", coint_params, {}, status="skipped")
    else:
        eg, jo = coint.engle_granger, coint.johansen
        add("cointegration", coint_params, {
            "estimation_start": coint.estimation_start, "estimation_end": coint.estimation_end,
            "engle_granger": {"adf_t": eg.statistic, "pvalue": eg.pvalue, "critical_values_1_5_10": eg.critical_values,
                              "intercept": eg.intercept, "slope": eg.slope, "ecm_speed": eg.speed,
                              "ecm_speed_t": eg.speed_tstat, "half_life_months": eg.half_life, "ecm_nobs": eg.nobs},
            "johansen": None if jo is None else {
                "k_ar_diff": jo.k_ar_diff, "trace": jo.trace, "trace_cv95": jo.trace_cv95, "max_eig": jo.max_eig,
                "max_eig_cv95": jo.max_eig_cv95, "rank_at_5pct": jo.rank, "beta_revenue": jo.beta_revenue,
                "constant": jo.constant, "alpha_cap": jo.alpha_cap, "alpha_revenue": jo.alpha_revenue,
                "gap_half_life_months": jo.half_life, "nobs": jo.nobs},
        })
    cg = results["capex"].frame
    add("capex_gap", {"hyperscalers": list(results["hyperscalers"]), "ragged_edge": assumptions.section_dict("ragged_edge")},
        {"last": cg.dropna(subset=["capex_gap"]).iloc[-1][["capex_growth_yoy", "hyperscaler_revenue_growth_yoy",
                                                            "capex_gap"]].to_dict()
         if cg["capex_gap"].notna().any() else None})
    rr = results["required"].frame
    add("required_revenue", assumptions.section_dict("required_revenue"),
        {"last": rr.dropna(subset=["required_ai_revenue"]).iloc[-1][
            ["gpu_spend_run_rate", "data_center_spend", "required_ai_revenue", "realized_ai_revenue",
             "required_revenue_gap"]].to_dict() if rr["required_ai_revenue"].notna().any() else None})
    b = results["bubbles"]
    add("bubbles", {**assumptions.section_dict("bubbles"), "kernel_version": bub.KERNEL_VERSION},
        {"series": {s["series"]: {k: s[k] for k in ("observations", "min_window", "gsadf", "gsadf_cv95", "rejects_gsadf",
                                                    "episodes", "cv_source", "cv_key")} for s in b["statistics"]}})
    return rows, (f"{monthly['month'].min():%Y-%m}", f"{monthly['month'].max():%Y-%m}")


def _last_month(monthly: pd.DataFrame) -> dict:
    if monthly.empty:
        return {}
    last = monthly.iloc[-1]
    return {k: last[k] for k in ("month", "members", "price_to_sales", "revenue_basis", "revenue_age_days")
            if k in last}


