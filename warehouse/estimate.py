"""Estimate the divergence models on the built marts and write their results, in one transaction."""

from __future__ import annotations

import json
import math
import os
import time
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

import duckdb
import numpy as np
import pandas as pd

from models import bubbles as bub
from models.basket import AIBasket, RaggedEdge
from models.divergence import (
    Assumption,
    CapexGap,
    CointegrationGap,
    ExpandingZScore,
    RequiredRevenue,
    RequiredRevenueAssumptions,
    recorded_warnings,
)
from warehouse import db
from warehouse.settings import CATALOG_DIR, Settings

ASSUMPTIONS_PATH = CATALOG_DIR / "assumptions.toml"
BUBBLE_SERIES = ("ai_basket_price_to_sales", "ai_basket_price_to_sales_equal_weight", "member_price_to_sales")
BASKET_PS_SERIES = "ai_basket_price_to_sales"

# section -> key -> type of the value; every entry is { value, unit, source }.
_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "required_revenue": {
        "gpu_vendor": str, "cost_multiple": (int, float), "margin_multiple": (int, float),
        "data_center_revenue": dict, "realized_ai_revenue": list,
    },
    "ragged_edge": {"filing_lag_days": int, "method": str, "max_nowcast_quarters": int},
    "estimate": {
        "history_start": str, "output_start": str, "zscore_min_history": int, "ecm_lags": int,
        "vecm_max_lags": int, "lag_criterion": str, "realtime_min_months": int,
    },
    "bubbles": {
        "lag": int, "reps": int, "seed": int, "level": (int, float), "min_observations": int, "series": list,
    },
}
_ENTRY_KEYS = {"value", "unit", "source"}
_REALIZED_KEYS = {"as_of", "value", "unit", "source"}


class AssumptionsError(ValueError):
    """An assumptions file gapcast refuses, naming the file and the key."""


class EstimateError(RuntimeError):
    """The estimate failed; the previous results are unchanged."""


@dataclass(frozen=True)
class Assumptions:
    """The validated contents of catalogs/assumptions.toml."""

    path: Path
    entries: Mapping[str, Mapping[str, Assumption]]
    realized_ai_revenue: tuple[Assumption, ...]

    def value(self, section: str, key: str):
        return self.entries[section][key].value

    @property
    def ragged_edge(self) -> RaggedEdge:
        return RaggedEdge(
            filing_lag_days=int(self.value("ragged_edge", "filing_lag_days")),
            max_nowcast_quarters=int(self.value("ragged_edge", "max_nowcast_quarters")),
            method=str(self.value("ragged_edge", "method")),
        )

    @property
    def required_revenue(self) -> RequiredRevenueAssumptions:
        section = self.entries["required_revenue"]
        return RequiredRevenueAssumptions(
            gpu_vendor=section["gpu_vendor"], cost_multiple=section["cost_multiple"],
            margin_multiple=section["margin_multiple"], data_center_revenue=section["data_center_revenue"],
            realized_ai_revenue=self.realized_ai_revenue,
        )

    def section_dict(self, section: str) -> dict:
        out = {k: {"value": a.value, "unit": a.unit, "source": a.source}
               for k, a in self.entries[section].items()}
        if section == "required_revenue":
            out["realized_ai_revenue"] = [{"as_of": a.key, "value": a.value, "unit": a.unit, "source": a.source}
                                          for a in self.realized_ai_revenue]
        return out

    def as_dict(self) -> dict:
        return {"file": str(self.path), **{s: self.section_dict(s) for s in _SCHEMA}}

    def describe(self) -> str:
        """The assumptions as printed beside the results."""
        lines = [f"assumptions ({self.path}):"]
        for section in _SCHEMA:
            for key, a in self.entries[section].items():
                value = a.value
                if isinstance(value, Mapping):
                    value = ", ".join(f"{k} {v / 1e9:,.3f}bn" if isinstance(v, float) else f"{k} {v}"
                                      for k, v in value.items())
                lines.append(f"  {section}.{key} = {value} [{a.unit}]  source: {a.source}")
            if section == "required_revenue":
                for a in self.realized_ai_revenue:
                    lines.append(f"  required_revenue.realized_ai_revenue from {a.key} = {a.value / 1e9:,.0f}bn "
                                 f"[{a.unit}]  source: {a.source}")
        return "\n".join(lines)


def load_assumptions(path: Path | str | None = None) -> Assumptions:
    """Read and validate an assumptions file; refuse unknown or missing keys, naming file and key."""
    path = Path(path) if path else ASSUMPTIONS_PATH
    if not path.exists():
        raise AssumptionsError(f"{path}: assumptions file not found. To fix: restore catalogs/assumptions.toml")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise AssumptionsError(f"{path}: not valid TOML ({exc}). To fix: correct the syntax") from None

    def fail(key: str, problem: str, hint: str) -> AssumptionsError:
        return AssumptionsError(f"{path}: {key}: {problem}. To fix: {hint}")

    unknown = set(doc) - set(_SCHEMA)
    if unknown:
        raise fail(f"[{sorted(unknown)[0]}]", f"unknown section(s) {sorted(unknown)}", f"use only {sorted(_SCHEMA)}")
    entries: dict[str, dict[str, Assumption]] = {}
    realized: list[Assumption] = []
    for section, keys in _SCHEMA.items():
        table = doc.get(section)
        if not isinstance(table, dict):
            raise fail(f"[{section}]", "section missing", f"add [{section}] with keys {sorted(keys)}")
        unknown = set(table) - set(keys)
        if unknown:
            raise fail(f"{section}.{sorted(unknown)[0]}", f"unknown key(s) {sorted(unknown)}",
                       f"allowed keys in [{section}]: {sorted(keys)}")
        missing = set(keys) - set(table)
        if missing:
            raise fail(f"{section}.{sorted(missing)[0]}", "missing", f"add {sorted(missing)} with value, unit and source")
        entries[section] = {}
        for key, kind in keys.items():
            name = f"{section}.{key}"
            if key == "realized_ai_revenue":
                realized = _realized(table[key], name, fail)
                continue
            entry = table[key]
            if not isinstance(entry, dict):
                raise fail(name, "must be a table { value, unit, source }", f"write {key} = {{ value = ..., unit = \"...\", source = \"...\" }}")
            bad = set(entry) - _ENTRY_KEYS
            if bad:
                raise fail(f"{name}.{sorted(bad)[0]}", f"unknown key(s) {sorted(bad)}", "use only value, unit and source")
            lacking = _ENTRY_KEYS - set(entry)
            if lacking:
                raise fail(name, f"missing {sorted(lacking)}", "give every assumption a value, a unit and a source")
            value = entry["value"]
            if isinstance(value, bool) or not isinstance(value, kind):
                raise fail(name, f"value {value!r} is not a {getattr(kind, '__name__', kind)}", "correct the value")
            if not str(entry["source"]).strip():
                raise fail(name, "has an empty source", "say where the assumption comes from")
            entries[section][key] = Assumption(name, _freeze(value), str(entry["unit"]), str(entry["source"]))
    _check_values(entries, fail)
    return Assumptions(path=path, entries=MappingProxyType({s: MappingProxyType(e) for s, e in entries.items()}),
                       realized_ai_revenue=tuple(realized))


def _freeze(value):
    if isinstance(value, dict):
        return MappingProxyType(dict(value))
    if isinstance(value, list):
        return tuple(value)
    return value


def _realized(items, name: str, fail) -> list[Assumption]:
    if not isinstance(items, list) or not items:
        raise fail(name, "must be a list of [[required_revenue.realized_ai_revenue]] tables", "add at least one estimate")
    out = []
    for n, item in enumerate(items, start=1):
        label = f"{name}[{n}]"
        if not isinstance(item, dict):
            raise fail(label, "must be a table", "use [[required_revenue.realized_ai_revenue]]")
        bad = set(item) - _REALIZED_KEYS
        if bad:
            raise fail(f"{label}.{sorted(bad)[0]}", f"unknown key(s) {sorted(bad)}", f"use only {sorted(_REALIZED_KEYS)}")
        lacking = _REALIZED_KEYS - set(item)
        if lacking:
            raise fail(label, f"missing {sorted(lacking)}", "give as_of (YYYY-MM), value, unit and source")
        try:
            pd.Timestamp(str(item["as_of"]) + "-01")
        except ValueError:
            raise fail(f"{label}.as_of", f"{item['as_of']!r} is not YYYY-MM", "use YYYY-MM") from None
        if isinstance(item["value"], bool) or not isinstance(item["value"], (int, float)):
            raise fail(f"{label}.value", f"{item['value']!r} is not a number", "give USD a year")
        out.append(Assumption(str(item["as_of"]), float(item["value"]), str(item["unit"]), str(item["source"])))
    return out


def _check_values(entries: dict, fail) -> None:
    for section, key in (("estimate", "history_start"), ("estimate", "output_start")):
        text = entries[section][key].value
        try:
            pd.Timestamp(text + "-01")
        except ValueError:
            raise fail(f"{section}.{key}", f"{text!r} is not YYYY-MM", "use YYYY-MM") from None
    method = entries["ragged_edge"]["method"].value
    if method not in ("nowcast", "carry_forward"):
        raise fail("ragged_edge.method", f"{method!r} is not nowcast or carry_forward", "pick one of those")
    criterion = entries["estimate"]["lag_criterion"].value
    if criterion not in ("aic", "bic", "hqic", "fpe"):
        raise fail("estimate.lag_criterion", f"{criterion!r} is not aic, bic, hqic or fpe", "pick one of those")
    level = float(entries["bubbles"]["level"].value)
    if level not in bub.LEVELS:
        raise fail("bubbles.level", f"{level} has no critical values", f"use one of {bub.LEVELS}")
    series = entries["bubbles"]["series"].value
    unknown = [s for s in series if s not in BUBBLE_SERIES]
    if unknown:
        raise fail("bubbles.series", f"unknown series {unknown}", f"choose from {list(BUBBLE_SERIES)}")
    for key in ("cost_multiple", "margin_multiple"):
        if float(entries["required_revenue"][key].value) <= 0:
            raise fail(f"required_revenue.{key}", "must be positive", "use e.g. 2.0 (Cahn)")
    for fy, value in dict(entries["required_revenue"]["data_center_revenue"].value).items():
        if not str(fy).startswith("FY") or not str(fy)[2:].isdigit():
            raise fail(f"required_revenue.data_center_revenue.{fy}", "keys are fiscal years like FY2025", "rename the key")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise fail(f"required_revenue.data_center_revenue.{fy}", f"{value!r} is not a USD amount", "give USD")


# -- Monte Carlo critical values, cached by key --------------------------------------------------


def cached_critical_values(cache_dir: Path | None, n: int, *, min_window: int | None = None, lag: int = 0,
                           reps: int = bub.DEFAULT_REPS, seed: int = bub.DEFAULT_SEED,
                           notes: list[str] | None = None,
                           announce: Callable[[str], None] | None = None) -> tuple[bub.CriticalValues, str]:
    """Critical values from ``cache_dir`` (one JSON file per key) or simulated and cached atomically.

    Returns the values and ``"cache"`` or ``"simulated"``. A cache that cannot be read or written
    is noted in ``notes`` and the values are simulated; the estimate never fails over its cache.
    """
    key = bub.cache_key(n, min_window, lag, reps, seed)
    path = cache_dir / f"{key}.json" if cache_dir else None
    if path is not None and path.exists():
        try:
            cv = bub.CriticalValues.from_dict(json.loads(path.read_text(encoding="utf-8")))
            if cv.key == key:
                return cv, "cache"
            raise ValueError(f"holds {cv.key}")
        except (ValueError, KeyError, TypeError) as exc:
            if notes is not None:
                notes.append(f"critical-value cache {path} unreadable ({exc}); simulated again")
    if announce is not None:
        window = bub.psy_min_window(n) if min_window is None else int(min_window)
        seconds = bub.estimated_simulation_seconds(n, window, lag, reps)
        if seconds > 5:
            announce(f"simulating critical values for T={n} ({reps:,} replications): about {seconds:,.0f} s "
                     f"of work; cached{' in ' + str(cache_dir) if cache_dir else ''} for later runs")
    cv = bub.simulate_critical_values(n, min_window=min_window, lag=lag, reps=reps, seed=seed)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(cv.to_dict(), fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            if notes is not None:
                notes.append(f"critical values not cached at {path}: {exc}")
    return cv, "simulated"


# -- the estimate --------------------------------------------------------------------------------


@dataclass
class EstimateReport:
    run_id: str
    data_as_of: datetime | None
    rows: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    critical_values: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    months: tuple[str, str] | None = None
    assumptions: Assumptions | None = None
    synthetic: bool | None = None
    forecast: object | None = None  # warehouse.forecast.ForecastReport, when the cooling forecast ran too


def _fetch(con: duckdb.DuckDBPyConnection, name: str, params=()) -> pd.DataFrame:
    return con.execute(db.sql_text(f"estimate/{name}.sql"), list(params)).df()


def estimate(con: duckdb.DuckDBPyConnection, *, run_id: str, settings: Settings,
             assumptions_path: Path | None = None) -> EstimateReport:
    """Run the basket, divergence and bubble models on the built marts and write their results.

    Reads marts.series, marts.prices_daily, marts.fundamentals_quarterly and meta.build_context;
    writes marts.divergence_monthly, marts.bubble_statistics, marts.bubble_episodes,
    marts.bubble_sequence and appends to meta.model_runs, all in one transaction: a failure leaves
    the previous results. Critical values are cached under ``settings.cache_dir / "bubbles"``.
    """
    started = time.perf_counter()
    assumptions = load_assumptions(assumptions_path)
    as_of_rows = con.execute(db.sql_text("estimate/build_context.sql")).fetchall()
    as_of = as_of_rows[0][0] if as_of_rows else None
    report = EstimateReport(run_id=run_id, data_as_of=as_of, assumptions=assumptions)
    members = tuple(_fetch(con, "basket_tickers", ["price", "ai_basket"])["ticker"])
    hyperscalers = tuple(_fetch(con, "basket_tickers", ["fundamentals", "hyperscaler"])["ticker"])
    vendor = str(assumptions.value("required_revenue", "gpu_vendor"))
    prices = _fetch(con, "member_prices", [list(members)])
    fundamentals = _fetch(con, "member_fundamentals", [sorted(set(members) | set(hyperscalers) | {vendor})])

    results = _run_models(assumptions, members, hyperscalers, prices, fundamentals, settings, report)
    frames = _frames(results, assumptions, run_id)
    model_rows = _model_rows(results, assumptions, run_id, as_of, report)
    report.synthetic = results.get("synthetic")

    with db.transaction(con):
        for table, frame_name in (("divergence_monthly", "divergence_frame"),
                                  ("bubble_statistics", "bubble_statistics_frame"),
                                  ("bubble_episodes", "bubble_episodes_frame"),
                                  ("bubble_sequence", "bubble_sequence_frame")):
            db.write_frame(con, f"estimate/{table}.sql", frame_name, frames[table])
            report.rows[table] = len(frames[table])
        con.execute(db.sql_text("estimate/clear_model_runs.sql"), [run_id])
        db.write_frame(con, "estimate/record_model_runs.sql", "model_run_rows", model_rows)
        report.rows["model_runs"] = len(model_rows)
    report.seconds = time.perf_counter() - started
    return report


def _run_models(assumptions: Assumptions, members, hyperscalers, prices, fundamentals, settings,
                report: EstimateReport) -> dict:
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
        report.warnings.extend(out["warnings"]["basket"])
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
                                   assumptions.required_revenue, assumptions.ragged_edge).fit()
    out["required"] = required
    out["warnings"]["required_revenue"] = list(required.warnings) + required_notes
    out["bubbles"] = _bubble_tests(basket, assumptions, settings, out)
    for notes in out["warnings"].values():
        report.warnings.extend(notes)
    report.critical_values = {r["series"]: r["cv_source"] for r in out["bubbles"]["statistics"]}
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


def _bubble_tests(basket, assumptions: Assumptions, settings: Settings, out: dict) -> dict:
    value = assumptions.value
    lag, reps, seed = int(value("bubbles", "lag")), int(value("bubbles", "reps")), int(value("bubbles", "seed"))
    level, min_obs = float(value("bubbles", "level")), int(value("bubbles", "min_observations"))
    notes: list[str] = []
    statistics, episodes, sequences, fits = [], [], [], {}
    cache = settings.cache_dir / "bubbles"
    for name, description, series, basis in _bubble_series(basket, tuple(value("bubbles", "series"))):
        n = len(series)
        if n < max(min_obs, bub.required_observations(lag)):
            notes.append(f"{name}: {n} months, fewer than bubbles.min_observations {min_obs}: not tested")
            continue
        window = bub.psy_min_window(n)
        try:
            with recorded_warnings(notes, name):
                cv, source = cached_critical_values(cache, n, min_window=window, lag=lag, reps=reps, seed=seed,
                                                    notes=notes)
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
    "log_price_to_sales", "ps_zscore", "ps_zscore_history_months", "coint_gap_eg", "coint_gap_eg_realtime",
    "coint_gap_johansen", "coint_in_sample", "eg_speed", "eg_half_life_months", "eg_pvalue", "johansen_alpha_cap",
    "johansen_half_life_months", "hyperscaler_members", "hyperscaler_tickers", "hyperscaler_ttm_capex",
    "hyperscaler_ttm_revenue", "hyperscaler_capex_to_revenue", "hyperscaler_basis", "capex_growth_yoy",
    "hyperscaler_revenue_growth_yoy", "capex_gap", "gpu_vendor_quarter_end", "gpu_vendor_basis",
    "data_center_share", "data_center_share_fiscal_year", "gpu_spend_run_rate", "data_center_spend",
    "required_ai_revenue", "realized_ai_revenue", "realized_ai_revenue_as_of", "required_revenue_gap",
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


def _frames(results: dict, assumptions: Assumptions, run_id: str) -> dict[str, pd.DataFrame]:
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


def _jsonable(value):
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _dumps(value) -> str:
    return json.dumps(_jsonable(value), sort_keys=True, allow_nan=False)


def _model_rows(results: dict, assumptions: Assumptions, run_id: str, as_of, report: EstimateReport) -> pd.DataFrame:
    now = db.now_utc()
    warnings = results["warnings"]
    rows = []

    def add(model: str, parameters: dict, diagnostics: dict, status: str = "ok") -> None:
        rows.append({
            "run_id": run_id, "model": model, "data_as_of": as_of, "estimated_at": now, "status": status,
            "parameters": _dumps(parameters), "diagnostics": _dumps(diagnostics),
            "warnings": list(warnings.get(model, [])), "synthetic": results.get("synthetic"),
        })

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
        return pd.DataFrame(rows)
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
    report.months = (f"{monthly['month'].min():%Y-%m}", f"{monthly['month'].max():%Y-%m}")
    return pd.DataFrame(rows)


def _last_month(monthly: pd.DataFrame) -> dict:
    if monthly.empty:
        return {}
    last = monthly.iloc[-1]
    return {k: last[k] for k in ("month", "members", "price_to_sales", "revenue_basis", "revenue_age_days")
            if k in last}


# -- the job ---------------------------------------------------------------------------------------


def estimate_job(settings: Settings, *, assumptions_path: Path | None = None, publish: bool = True) -> EstimateReport:
    """`gapcast estimate`: estimate on the pipeline database's marts, record the run, publish."""
    from warehouse.load import new_id

    if not settings.pipeline_db.exists():
        raise EstimateError(f"{settings.pipeline_db} does not exist: run `gapcast run` (or ingest and build) first")
    con = db.connect_pipeline(settings)
    run_id = new_id()
    try:
        missing = [t for (t,) in con.execute(
            "SELECT t FROM (VALUES ('prices_daily'), ('fundamentals_quarterly'), ('series')) v(t) "
            "WHERE t NOT IN (SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts')").fetchall()]
        if missing:
            raise EstimateError(f"marts {missing} are not built in {settings.pipeline_db}: run `gapcast build` first")
        as_of = con.execute(db.sql_text("estimate/build_context.sql")).fetchall()[0][0]
        con.execute(db.sql_text("jobs/start_run.sql"), [run_id, "estimate", None, as_of, db.now_utc(), None])
        try:
            report = estimate(con, run_id=run_id, settings=settings, assumptions_path=assumptions_path)
            from warehouse.forecast import forecast

            report.forecast = forecast(con, run_id=run_id, settings=settings)
        except Exception as exc:
            con.execute(db.sql_text("jobs/finish_run.sql"), [db.now_utc(), "failed", None, str(exc).splitlines()[0], run_id])
            raise
        con.execute(db.sql_text("jobs/finish_run.sql"), [db.now_utc(), "ok", None, None, run_id])
        if publish:
            db.clean_stale_publish_files(settings)
            db.publish(con, settings)
        return report
    finally:
        con.close()
