"""Configuration of the models: catalogs/assumptions.toml (divergence, bubbles) and catalogs/cooling.toml (the
cooling event, its forecast, backtest and combination rule), parsed from TOML text and validated.

The one place these files' rules live. Parsing text is not I/O: ``flows.config`` reads the files and calls
:func:`parse_assumptions` and :func:`parse_cooling_config`; every error names the file (``source``) and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import pandas as pd

from models import bubbles as bub
from models.basket import RaggedEdge
from models.cooling import SHOCKS as SHOCK_KINDS
from models.divergence import Assumption, RequiredRevenueAssumptions

BUBBLE_SERIES = ("ai_basket_price_to_sales", "ai_basket_price_to_sales_equal_weight", "member_price_to_sales")
BASKET_PS_SERIES = "ai_basket_price_to_sales"

# section -> key -> type of the value; every entry is { value, unit, source }.
_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "required_revenue": {
        "gpu_vendor": str, "cost_multiple": (int, float), "margin_multiple": (int, float),
        "data_center_revenue": dict, "realized_ai_revenue": list,
    },
    "ragged_edge": {"filing_lag_days": int, "method": str, "max_nowcast_quarters": int, "max_overdue_quarters": int},
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


@dataclass(frozen=True)
class Assumptions:
    """The validated contents of catalogs/assumptions.toml."""

    path: str  # where the text came from (a file's path), named in every message
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
            max_overdue_quarters=int(self.value("ragged_edge", "max_overdue_quarters")),
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


def parse_assumptions(text: str, path: str) -> Assumptions:
    """Validate the text of an assumptions file read from ``path``; refuse unknown or missing keys, naming file
    and key."""
    try:
        doc = tomllib.loads(text)
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


BACKTEST_MODELS = ("sarimax", "regimes", "nowcast")  # and the [specifications] (SARIMAX without regressors)
COMBINATION_CANDIDATES = ("sarimax", "nowcast", "random_walk", "drift", "seasonal_naive", "climatology")
# meta.model_runs names the estimate, the backtest and the forecast already use (a specification may not take one)
RESERVED_MODEL_NAMES = ("basket", "zscore", "cointegration", "capex_gap", "required_revenue", "bubbles", "backtest",
                        "cooling", "baselines", "divergence", "thesis", "progress")
HEADLINE_MODEL = "headline"  # the backtest's nested combination rule, scored like a model (never a candidate)
SPECIFICATION_KEYS = {"drift": bool, "window": int, "order": list, "outliers": float, "shocks": str,
                      "regressor_sample": bool}
DEFAULT_SPECIFICATIONS = {"arima": {}}


class CoolingConfigError(ValueError):
    """catalogs/cooling.toml (or the file given) cannot be used, naming the file and key."""


@dataclass(frozen=True)
class CoolingConfig:
    path: str  # where the text came from
    event: dict
    sarimax: dict
    regimes: dict
    targets: dict  # series id -> {threshold, seasonally_adjusted, publication_lag, why}
    backtest: dict = field(default_factory=dict)
    nowcast: dict = field(default_factory=dict)
    combination: dict = field(default_factory=dict)
    # name -> {drift, window}: SARIMAX's order and calendar dummies without the divergence regressors
    specifications: dict = field(default_factory=lambda: {k: dict(v) for k, v in DEFAULT_SPECIFICATIONS.items()})


def _specifications(doc: dict, path: str, min_months: int) -> dict:
    specs = doc.setdefault("specifications", {k: dict(v) for k, v in DEFAULT_SPECIFICATIONS.items()})
    if not isinstance(specs, dict):
        raise CoolingConfigError(f"{path}: [specifications] must be a table of name = {{ drift, window, order, "
                                 "outliers, shocks }}")
    reserved = set(BACKTEST_MODELS) | set(COMBINATION_CANDIDATES) | {HEADLINE_MODEL} | set(RESERVED_MODEL_NAMES)
    for name, spec in specs.items():
        if name in reserved or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise CoolingConfigError(f"{path}: specifications.{name}: the name is taken or not a plain word; use "
                                     f"lower-case ASCII letters, digits and _, starting with a letter, and none of "
                                     f"{sorted(reserved)}")
        if not isinstance(spec, dict):
            raise CoolingConfigError(f"{path}: specifications.{name} must be a table {{ drift = ..., window = ..., "
                                     "order = ..., outliers = ... }}")
        unknown = set(spec) - set(SPECIFICATION_KEYS)
        if unknown:
            raise CoolingConfigError(f"{path}: specifications.{name}: unknown key(s) {sorted(unknown)}; the keys "
                                     f"are {sorted(SPECIFICATION_KEYS)}")
        drift, window = spec.setdefault("drift", False), spec.setdefault("window", 0)
        if "order" in spec:
            order = spec["order"]
            if (not isinstance(order, (list, tuple)) or len(order) != 3
                    or any(isinstance(v, bool) or not isinstance(v, int) for v in order)
                    or not (0 <= order[0] <= 12 and 0 <= order[1] <= 2 and 0 <= order[2] <= 2)):
                raise CoolingConfigError(f"{path}: specifications.{name}.order {order!r} must be [p, d, q]: whole "
                                         "numbers, p 0-12, d 0-2, q 0-2 (an MA part simulates draw by draw, slower)")
            spec["order"] = tuple(order)
        outliers = spec.setdefault("outliers", 0)
        if isinstance(outliers, bool) or not isinstance(outliers, (int, float)) or not (
                outliers == 0 or 3 <= outliers <= 10):
            raise CoolingConfigError(f"{path}: specifications.{name}.outliers {outliers!r} must be 0 (none) or the "
                                     "robust standard deviations beyond which a month is an additive outlier, 3-10")
        spec["outliers"] = float(outliers)
        if outliers and tuple(spec.get("order", (0, 0, 0)))[2]:
            raise CoolingConfigError(f"{path}: specifications.{name}: outliers need an order without MA terms "
                                     "(q = 0): the outlier statistic reads the residuals through phi(B)(1 - B)^d")
        shocks = spec.setdefault("shocks", "normal")
        if shocks not in SHOCK_KINDS:
            raise CoolingConfigError(f"{path}: specifications.{name}.shocks {shocks!r} must be one of "
                                     f"{list(SHOCK_KINDS)}: Gaussian innovations, the fit's own residuals resampled, or "
                                     "Gaussian at the scale of the last five years' residuals")
        if shocks != "normal" and tuple(spec.get("order", (0, 0, 0)))[2]:
            raise CoolingConfigError(f"{path}: specifications.{name}: shocks = {shocks!r} needs an order without MA "
                                     "terms (q = 0): it is simulated by the batched AR recursion")
        if not isinstance(drift, bool):
            raise CoolingConfigError(f"{path}: specifications.{name}.drift {drift!r} must be true or false")
        if not isinstance(spec.setdefault("regressor_sample", False), bool):
            raise CoolingConfigError(f"{path}: specifications.{name}.regressor_sample {spec['regressor_sample']!r} "
                                     "must be true (fit on the months where SARIMAX's lagged regressors exist, "
                                     "without them: the gap test's yardstick) or false")
        if isinstance(window, bool) or not isinstance(window, int) or not (window == 0 or window >= min_months):
            raise CoolingConfigError(f"{path}: specifications.{name}.window {window!r} must be 0 (the whole sample) "
                                     f"or whole months, at least sarimax.min_months ({min_months})")
    return specs


def parse_cooling_config(text: str, path: str) -> CoolingConfig:
    """Check the text of a cooling configuration read from ``path``; errors name the file and the key."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CoolingConfigError(f"{path}: not valid TOML ({exc})") from None
    for section in ("event", "sarimax", "regimes", "targets"):
        if not isinstance(doc.get(section), dict):
            raise CoolingConfigError(f"{path}: [{section}] missing")
    for sid, t in doc["targets"].items():
        th = t.get("threshold")
        if isinstance(th, bool) or not isinstance(th, (int, float)) or not -1 < th < 0:
            raise CoolingConfigError(f"{path}: targets.{sid}.threshold {th!r} must be a fraction between -1 and 0 "
                                     "(e.g. -0.10 for more than 10% lower)")
        grid = t.setdefault("thresholds", [v for v in (th / 2, th, th * 2) if -1 < v <= 0])
        if not isinstance(grid, list) or not grid or any(
                isinstance(v, bool) or not isinstance(v, (int, float)) or not -1 < v <= 0 for v in grid):
            raise CoolingConfigError(f"{path}: targets.{sid}.thresholds {grid!r} must be a list of fractions between "
                                     "-1 and 0 (0: any fall), the other thresholds P(cooling) is reported at")
        if not isinstance(t.get("seasonally_adjusted"), bool):
            raise CoolingConfigError(f"{path}: targets.{sid}.seasonally_adjusted must be true or false")
        lag = t.get("publication_lag", 0)
        if isinstance(lag, bool) or not isinstance(lag, int) or not 0 <= lag <= 12:
            raise CoolingConfigError(f"{path}: targets.{sid}.publication_lag {lag!r} must be whole months, 0 to 12")
        if not isinstance(t.setdefault("control", False), bool):
            raise CoolingConfigError(f"{path}: targets.{sid}.control {t['control']!r} must be true or false (true: "
                                     "a control series, not a tech target)")
        if "first_origin" in t:  # this target's backtest starts here instead of at backtest.first_origin
            try:
                t["first_origin"] = pd.Timestamp(str(t["first_origin"]) + "-01").normalize()
            except ValueError:
                raise CoolingConfigError(f"{path}: targets.{sid}.first_origin {t['first_origin']!r} must be a month, "
                                         "YYYY-MM") from None
    bt = doc.setdefault("backtest", {})
    if not isinstance(bt, dict):
        raise CoolingConfigError(f"{path}: [backtest] must be a table")
    for key, default, low, high in (("horizons", 9, 1, 24), ("repetitions", 1000, 100, 100_000), ("workers", 2, 0, 64),
                                    ("parameter_draws", 50, 0, 10_000),
                                    ("seed", 20270301, 0, 2**32 - 1)):
        value = bt.setdefault(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise CoolingConfigError(f"{path}: backtest.{key} {value!r} must be a whole number from {low} to {high}")
    specs = _specifications(doc, path, int(doc["sarimax"].get("min_months", 36)))
    models = bt.setdefault("models", [*BACKTEST_MODELS, *specs])
    if not isinstance(models, list) or not set(models) <= set(BACKTEST_MODELS) | set(specs):
        raise CoolingConfigError(f"{path}: backtest.models {models!r} must be a list drawn from "
                                 f"{[*BACKTEST_MODELS, *specs]} (the baselines always run; the others are the "
                                 "[specifications])")
    bt.setdefault("first_origin", "2019-01")
    bt.setdefault("nowcast_first_origin", bt["first_origin"])  # the nowcast starts with the others unless told
    for key in ("first_origin", "nowcast_first_origin"):
        try:
            bt[key] = pd.Timestamp(str(bt[key]) + "-01").normalize()
        except ValueError:
            raise CoolingConfigError(f"{path}: backtest.{key} {bt[key]!r} must be a month, YYYY-MM") from None
    if doc["sarimax"].get("future_regressors") != "hold_last":
        raise CoolingConfigError(f"{path}: sarimax.future_regressors: only \"hold_last\" is implemented")
    nc = doc.setdefault("nowcast", {})
    if not isinstance(nc.setdefault("series", []), list) or not isinstance(nc.setdefault("lags", {}), dict):
        raise CoolingConfigError(f"{path}: nowcast.series must be a list of series ids and nowcast.lags a table")
    for key, default in (("factors", 1), ("factor_order", 2), ("maxiter", 200), ("repetitions", 2000),
                         ("min_months", 36)):
        value = nc.setdefault(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise CoolingConfigError(f"{path}: nowcast.{key} {value!r} must be a positive whole number")
    nc.setdefault("market_cap", True)
    nc.setdefault("enabled", True)
    comb = doc.setdefault("combination", {})
    comb.setdefault("default", "sarimax")
    def scored(c: str) -> bool:  # a baseline always runs; a model or specification only when backtested
        return c not in {*BACKTEST_MODELS, *specs} or (c in models and (c != "nowcast" or nc["enabled"]))

    # by default every backtested model but the base rate itself (a constant is the yardstick, not a forecast)
    # (a specification fitted on SARIMAX's sample is the gap test's yardstick, not a forecast of its own)
    comb.setdefault("candidates", [c for c in ("sarimax", *(n for n, sp in specs.items()
                                                            if not sp.get("regressor_sample")),
                                               "nowcast", "random_walk", "drift", "seasonal_naive") if scored(c)])
    comb.setdefault("min_forecasts", 24)
    comb.setdefault("min_seasons", 4)
    comb.setdefault("margin", 0.05)
    if isinstance(comb["margin"], bool) or not isinstance(comb["margin"], (int, float)) or comb["margin"] < 0:
        raise CoolingConfigError(f"{path}: combination.margin {comb['margin']!r} must be a number >= 0")
    allowed = [*COMBINATION_CANDIDATES, *specs]
    unknown = [c for c in [comb["default"], *comb["candidates"]] if c not in allowed]
    if unknown:
        raise CoolingConfigError(f"{path}: combination names {unknown}; the candidates are {allowed} (the "
                                 "[specifications] included)")
    unscored = [c for c in comb["candidates"] if not scored(c)]
    if unscored:
        raise CoolingConfigError(f"{path}: combination.candidates {unscored} are not in backtest.models {models}, so "
                                 "no backtest scores them (the nowcast also needs nowcast.enabled) and the rule "
                                 "could never choose them: add them to backtest.models or drop them from the "
                                 "candidates")
    # The gap test (models.backtest.gap_test): SARIMAX against the same fit without its regressors on the same
    # months (a specification with regressor_sample = true); where it does not show that they help a target, that
    # target's default is without_gap instead (docs/forecast.md, "Does the gap help?").
    yardsticks = [n for n, sp in specs.items() if sp.get("regressor_sample")]
    comb.setdefault("gap_yardstick", next((n for n in yardsticks if n in models), None))
    comb.setdefault("without_gap", "arima" if "arima" in specs else None)
    for key in ("gap_yardstick", "without_gap"):  # false: no gap test (the gap is carried wherever it is configured)
        if comb[key] is False:
            comb[key] = None
        elif comb[key] is not None and not isinstance(comb[key], str):
            raise CoolingConfigError(f"{path}: combination.{key} {comb[key]!r} must be a model name or false")
    yardstick, without = comb["gap_yardstick"], comb["without_gap"]
    if yardstick is not None:
        if yardstick not in yardsticks:
            raise CoolingConfigError(f"{path}: combination.gap_yardstick {yardstick!r} must be a [specifications] "
                                     "entry with regressor_sample = true (SARIMAX without its regressors on their "
                                     f"months); the specifications with it: {yardsticks or 'none'}")
        neutral = {"drift": False, "window": 0, "outliers": 0.0}  # the defaults: SARIMAX's own specification
        extra = {k for k, v in specs[yardstick].items()
                 if k not in ("regressor_sample", "shocks") and neutral.get(k, object()) != v}
        if extra:
            raise CoolingConfigError(f"{path}: specifications.{yardstick}: the gap test's yardstick must be SARIMAX's "
                                     f"own specification less the regressors; {sorted(extra)} would change the model "
                                     "as well, so the test would not be of the gap alone: remove them")
        if yardstick not in models:
            raise CoolingConfigError(f"{path}: combination.gap_yardstick {yardstick!r} is not in backtest.models "
                                     f"{models}: add it there, or set gap_yardstick = false (no gap test)")
        if "sarimax" not in models:
            raise CoolingConfigError(f"{path}: combination.gap_yardstick is set but backtest.models {models} has no "
                                     "sarimax, the model it is the yardstick of: add sarimax, or set "
                                     "gap_yardstick = false")
        if without is None:
            raise CoolingConfigError(f"{path}: combination.gap_yardstick is set, so combination.without_gap must name "
                                     "the default where the gap is left out (e.g. \"arima\")")
        if yardstick == comb["default"] or yardstick in comb["candidates"]:
            raise CoolingConfigError(f"{path}: combination: the gap test's yardstick {yardstick!r} is fitted on "
                                     "SARIMAX's months only and is never a forecast of its own: remove it from "
                                     "default and candidates")
    if without is not None:
        if without == "sarimax" or without not in comb["candidates"]:
            raise CoolingConfigError(f"{path}: combination.without_gap {without!r} must be one of the candidates "
                                     f"{comb['candidates']} other than sarimax (which carries the gap): the default "
                                     "where the gap is left out")
        if without in specs and specs[without].get("regressor_sample"):
            raise CoolingConfigError(f"{path}: combination.without_gap {without!r} is fitted on SARIMAX's "
                                     "sample: name a specification over the target's whole history (e.g. arima)")
    return CoolingConfig(path, doc["event"], doc["sarimax"], doc["regimes"], doc["targets"], doc["backtest"], nc, comb,
                         specs)


