"""Every model's cooling forecast for one talent target at one origin, and the nowcast of all targets at one
origin: the functions the live forecast and each backtest origin both call, so that what is scored is what is
published.

Frames in, immutable results out. ``forecast_target`` runs climatology, the baselines (random walk, seasonal
naive, drift), SARIMAX with parameter uncertainty and the Markov-switching regimes; ``nowcast_targets`` the
DynamicFactorMQ nowcast. A model that fails is recorded in ``runs`` with its status and message and contributes
no rows; the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from models.baselines import BASELINES, BacktestInputError, baseline_forecasts, mase_scale
from models.cooling import CoolingEvent, CoolingInputError, CoolingSARIMAX, season_year_at, seasonally_adjusted
from models.estimate import ModelRun
from models.regimes import GrowthRegimes, RegimeInputError

PATH_COLUMNS = ["model", "month", "mean", "lo80", "hi80", "lo95", "hi95"]


@dataclass(frozen=True)
class TargetSpec:
    """One talent target as catalogs/cooling.toml declares it."""

    target: str
    threshold: float
    seasonally_adjust: bool  # True when the source does NOT adjust it: month-of-year factors are removed here
    publication_lag: int = 0
    why: str | None = None
    control: bool = False  # a control series (total payrolls), not a tech target
    # other thresholds at which P(cooling) is also reported (the configured one is a choice: say what hangs on it)
    thresholds: tuple[float, ...] = ()


@dataclass(frozen=True)
class ModelSettings:
    """What the live forecast and the backtest may set differently: simulated paths, their seed, and the keyword
    arguments of :class:`models.cooling.CoolingSARIMAX` and :class:`models.regimes.GrowthRegimes` besides the data
    (None leaves that model out)."""

    repetitions: int
    seed: int
    sarimax: Mapping | None = None
    regimes: Mapping | None = None
    # Specifications without the divergence regressors (catalogs/cooling.toml [specifications]): model name ->
    # CoolingSARIMAX's arguments (SARIMAX's own, with a drift or a window where the specification says so)
    variants: Mapping[str, Mapping] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class TargetForecast:
    """One target's forecasts at one origin.

    ``paths``: model, month, mean, lo80, hi80, lo95, hi95 (target units) from each model's first unobserved
    month through ``horizon_end``; ``probabilities``: model, probability of cooling in ``season_year``;
    ``runs``: one record per model (model names without the target; messages without a prefix);
    ``regimes``: month, p_cooling_regime, kind (smoothed or forecast) of the regime model when it fitted.
    """

    target: str
    origin: pd.Timestamp
    season_year: int
    horizon_end: pd.Timestamp
    paths: pd.DataFrame = field(repr=False)
    probabilities: pd.DataFrame = field(repr=False)
    runs: tuple[ModelRun, ...]
    base_rate: float
    base_seasons: int
    scale: float  # the MASE scale of the data known at the origin
    regimes: pd.DataFrame = field(repr=False, default_factory=lambda: pd.DataFrame(
        columns=["month", "p_cooling_regime", "kind"]))
    adjusted: bool = True  # False when the target was too short to adjust seasonally (every model skipped)
    # model -> the seasonal changes its P(cooling) counts (simulated; climatology's: the historical seasons)
    changes: Mapping[str, np.ndarray] = field(repr=False, default_factory=lambda: MappingProxyType({}))

    def run(self, model: str) -> ModelRun | None:
        return next((r for r in self.runs if r.model == model), None)


def forecast_target(spec: TargetSpec, level: pd.Series, regressors: pd.DataFrame, *, origin: pd.Timestamp,
                    season_year: int, horizon_end: pd.Timestamp, settings: ModelSettings) -> TargetForecast:
    """Every model's forecast of one target from the data known at the end of ``origin``.

    ``level``: the target's complete months known then (its vintage at the origin, cut at its publication lag);
    ``regressors``: the SARIMAX regressors through the origin (empty, or ``settings.sarimax`` None, leaves SARIMAX
    out). P(cooling) is about the March-May of ``season_year``; paths run through ``horizon_end``.
    """
    origin = pd.Timestamp(origin)
    level = level.astype(float).dropna().sort_index()
    level = level[level > 0]
    event = CoolingEvent(spec.threshold)
    runs: list[ModelRun] = []
    paths: list[pd.DataFrame] = []
    probs: list[dict] = []
    regimes = pd.DataFrame(columns=["month", "p_cooling_regime", "kind"])
    changes: dict[str, np.ndarray] = {}
    models = ["climatology", *BASELINES] + (["sarimax"] if settings.sarimax is not None else []) \
        + list(settings.variants) + (["regimes"] if settings.regimes is not None else [])

    def result(base_rate=float("nan"), seasons=0, adjusted=True) -> TargetForecast:
        frame = pd.concat(paths, ignore_index=True) if paths else pd.DataFrame(columns=PATH_COLUMNS)
        return TargetForecast(spec.target, origin, season_year, pd.Timestamp(horizon_end), frame[PATH_COLUMNS],
                              pd.DataFrame(probs, columns=["model", "probability"]), tuple(runs), base_rate,
                              seasons, mase_scale(level, 12 if spec.seasonally_adjust else 1), regimes, adjusted,
                              MappingProxyType(changes))

    try:
        factors, adjusted = seasonally_adjusted(np.log(level), spec.seasonally_adjust)
    except CoolingInputError as exc:  # too short to adjust: every model of this origin is skipped, saying why
        runs.extend(ModelRun(m, "skipped", {}, {}, (f"seasonal adjustment at {origin:%Y-%m}: {exc}",))
                    for m in models)
        return result(adjusted=False)
    base_rate, seasons = event.base_rate(np.exp(adjusted))
    if seasons:
        probs.append({"model": "climatology", "probability": base_rate})
        changes["climatology"] = event.changes(np.exp(adjusted)).to_numpy(dtype=float)
        runs.append(ModelRun("climatology", "ok", {}, {}, (f"base rate over {seasons} seasons known at the origin",)))
    else:
        runs.append(ModelRun("climatology", "skipped", {}, {}, ("no fully observed season known at the origin",)))

    try:
        for name, (frame, p, simulated) in baseline_forecasts(level, factors, event, season_year, horizon_end,
                                                              settings.repetitions, settings.seed).items():
            paths.append(frame.assign(model=name))
            probs.append({"model": name, "probability": p})
            changes[name] = simulated
            runs.append(ModelRun(name, "ok", {"baseline": name}, {}, ()))
    except (BacktestInputError, CoolingInputError) as exc:
        runs.extend(ModelRun(name, "skipped", {"baseline": name}, {}, (str(exc),)) for name in BASELINES)

    # sarimax with the divergence regressors; arima and its variants, the same specification without them (does
    # the gap help?), with a drift or on a recent window (which variance does the target show?)
    no_exog = pd.DataFrame(index=level.index)
    # one fit per specification apart from its shocks: name -> shocks kind, simulated from that fit
    fits: dict[tuple, tuple[dict, pd.DataFrame, dict[str, str]]] = {}
    for name, options, exog in [("sarimax", settings.sarimax, regressors),
                                *((n, o, regressors if o.get("regressor_sample") else no_exog)
                                  for n, o in settings.variants.items())]:
        if options is None:
            continue
        if name != "sarimax" and options.get("regressor_sample") and (settings.sarimax is None
                                                                        or regressors.empty):
            runs.append(ModelRun(name, "skipped", {}, {}, (
                f"{name}: fitted on SARIMAX's sample, and SARIMAX has no regressors at this origin",)))
            continue
        rest = {k: v for k, v in options.items() if k != "shocks"}
        key = (exog is regressors, tuple(sorted((k, repr(v)) for k, v in rest.items())))
        fits.setdefault(key, (rest, exog, {}))[2][name] = str(options.get("shocks", "normal"))
    for rest, exog, members in fits.values():
        try:
            results = CoolingSARIMAX(spec.target, level, exog, spec.threshold, season_year, horizon_end,
                                     seasonally_adjust=spec.seasonally_adjust, repetitions=settings.repetitions,
                                     seed=settings.seed, **rest).fit_shocks(members.values())
        except CoolingInputError as exc:
            runs.extend(ModelRun(name, "skipped", {}, {}, (str(exc),)) for name in members)
            continue
        except Exception as exc:  # recorded, never raised: the other models go on
            runs.extend(ModelRun(name, "failed", {}, {}, (f"{type(exc).__name__}: {exc}",)) for name in members)
            continue
        for name, kind in members.items():
            res = results[kind]
            runs.append(ModelRun(name, res.status, res.parameters, res.diagnostics, tuple(res.warnings)))
            if res.status == "ok":
                paths.append(res.forecast.assign(model=name))
                probs.append({"model": name, "probability": res.probability})
                if res.changes is not None:
                    changes[name] = res.changes

    if settings.regimes is not None:
        try:
            reg = GrowthRegimes(spec.target, adjusted, horizon_end, **settings.regimes).fit()
        except RegimeInputError as exc:
            runs.append(ModelRun("regimes", "skipped", {}, {}, (str(exc),)))
        except Exception as exc:
            runs.append(ModelRun("regimes", "failed", {}, {}, (f"{type(exc).__name__}: {exc}",)))
        else:
            _, spring = CoolingEvent.windows(season_year)
            pending = spring[~spring.isin(adjusted.index)]  # the regime model forecasts only unseen months
            p = reg.season_probability(pending) if reg.status == "ok" and len(pending) else float("nan")
            warnings = tuple(reg.warnings)
            if reg.status == "ok" and pd.isna(p):
                warnings += ("no probability: the season's months are all observed or beyond the regime forecast",)
            runs.append(ModelRun("regimes", reg.status,
                                 {**reg.parameters, "seasonally_adjusted_first": spec.seasonally_adjust},
                                 {**reg.diagnostics, "p_cooling_regime_spring": p}, warnings))
            if reg.status == "ok":
                regimes = pd.concat([
                    pd.DataFrame({"month": reg.smoothed.index, "p_cooling_regime": reg.smoothed.to_numpy(float),
                                  "kind": "smoothed"}),
                    pd.DataFrame({"month": reg.forecast.index, "p_cooling_regime": reg.forecast.to_numpy(float),
                                  "kind": "forecast"})], ignore_index=True)
                if pd.notna(p):
                    probs.append({"model": "regimes", "probability": p})
    return result(base_rate, seasons)


@dataclass(frozen=True)
class NowcastForecast:
    """The nowcast of every target at one origin: ``status`` ok, not_converged, skipped or failed; ``error`` the
    exception of a fit that did not run; per target its paths (month, mean, lo80, hi80, lo95, hi95), P(cooling)
    (None without one) and a note; ``results`` the fitted :class:`models.nowcast.NowcastResults` (its news)."""

    origin: pd.Timestamp
    season_year: int
    status: str
    targets: tuple[str, ...]
    absent: tuple[str, ...]  # targets with no data known at the origin
    paths: Mapping[str, pd.DataFrame] = field(repr=False, default_factory=dict)
    probabilities: Mapping[str, float | None] = field(default_factory=dict)
    notes: Mapping[str, str] = field(default_factory=dict)
    error: BaseException | None = None
    results: object | None = field(repr=False, default=None)
    changes: Mapping[str, np.ndarray] = field(repr=False, default_factory=dict)  # simulated seasonal changes


def nowcast_targets(panel: pd.DataFrame, specs: Mapping[str, TargetSpec], *, origin: pd.Timestamp,
                    season_year: int, horizon_end: pd.Timestamp, lags: Mapping[str, int],
                    options: Mapping) -> NowcastForecast:
    """The DynamicFactorMQ nowcast of ``specs``' targets on the monthly ``panel`` (levels), each series cut at its
    publication lag (``lags``) after ``origin``; ``options`` are TalentNowcast's remaining keyword arguments.
    P(cooling) of each target is judged on its own data known at the origin, adjusted as its spec says."""
    from models.nowcast import NowcastInputError, TalentNowcast, known_at

    origin = pd.Timestamp(origin)
    known = known_at(panel, origin, lags)
    absent = tuple(t for t in specs if t not in known.columns or known[t].notna().sum() == 0)
    targets = tuple(t for t in specs if t not in absent)
    if not targets:
        return NowcastForecast(origin, season_year, "skipped", targets, absent)
    try:
        res = TalentNowcast(monthly=panel, targets=targets, origin=origin, horizon_end=horizon_end, lags=lags,
                            seasonally_adjust=tuple(t for t in targets if specs[t].seasonally_adjust),
                            **options).fit()
    except Exception as exc:  # recorded, never raised
        status = "skipped" if isinstance(exc, NowcastInputError) else "failed"
        return NowcastForecast(origin, season_year, status, targets, absent, error=exc)
    if res.status != "ok":
        return NowcastForecast(origin, season_year, res.status, targets, absent, results=res)
    paths, probabilities, notes, changes = {}, {}, {}, {}
    for t in targets:
        spec = specs[t]
        frame = res.forecast[res.forecast["target_series"] == t]
        paths[t] = frame[["month", "mean", "lo80", "hi80", "lo95", "hi95"]].reset_index(drop=True)
        factors, adjusted = seasonally_adjusted(np.log(known[t].dropna()), spec.seasonally_adjust)
        sims = res.paths.get(t)
        probabilities[t], notes[t] = None, ""
        if sims is not None and len(sims):
            sims_sa = sims.div(np.exp(factors.reindex(sims.index.month).to_numpy()), axis=0)
            try:
                event = CoolingEvent(spec.threshold)
                changes[t] = event.simulated_changes(np.exp(adjusted), sims_sa, season_year)
                probabilities[t] = event.share_cooling(changes[t])
            except CoolingInputError as exc:
                notes[t] = f"no P(cooling): {exc}"
    return NowcastForecast(origin, season_year, "ok", targets, absent, MappingProxyType(paths),
                           MappingProxyType(probabilities), MappingProxyType(notes), results=res,
                           changes=MappingProxyType(changes))


def _live_specifications(config) -> tuple[str, ...]:
    """The [specifications] the live forecast fits: every one the combination rule may choose (a candidate or the
    default), so the headline is always the rule's choice and never a model that was not run."""
    rule = config.combination
    wanted = set(rule.get("candidates", ())) | {rule.get("default")}
    return tuple(name for name in config.specifications if name in wanted)


def gap_decisions(gap: pd.DataFrame | None, synthetic: bool | None, regressors: str, yardstick: str | None
                  ) -> tuple[dict[str, tuple[bool | None, str]], str | None]:
    """target -> (uses the gap, why) from the published gap test (models.backtest.gap_test's uses_gap and decision)
    of the backtest made on the same kind of data (synthetic or not), with these ``regressors``
    (models.combination.regressor_label) and ``yardstick``; a target it did not test is absent. Also the reason a
    published test was ignored (made with other regressors or another yardstick), or None."""
    if gap is None or gap.empty:
        return {}, None
    rows = gap
    if synthetic is not None and "synthetic" in rows.columns:
        rows = rows[rows["synthetic"].fillna(False).astype(bool) == bool(synthetic)]
    same = (rows["regressors"] == regressors) & (rows["yardstick"] == yardstick)
    if len(rows) and not same.any():
        first = rows.iloc[0]
        return {}, (f"the published gap test (marts.backtest_gap_test) tested {first['regressors']} against "
                    f"{first['yardstick']}, not this configuration's {regressors} against {yardstick}: ignored, the "
                    "gap carried untested; run `gapcast backtest` to test it")
    rows = rows[same]
    out = {}
    for sid, g in rows.groupby("target_series", sort=True):
        uses = g["uses_gap"].iloc[0]
        out[str(sid)] = (None if pd.isna(uses) else bool(uses), str(g["decision"].iloc[0]))
    return out, None


def target_specs(config) -> dict[str, TargetSpec]:
    """The talent targets of a :class:`models.config.CoolingConfig`, by series id."""
    return {sid: TargetSpec(sid, float(t["threshold"]), not t["seasonally_adjusted"], int(t.get("publication_lag", 0)),
                            t.get("why"), bool(t.get("control", False)),
                            tuple(float(v) for v in t.get("thresholds", ())))
            for sid, t in config.targets.items()}


# -- the live forecast ---------------------------------------------------------------------------------------

FORECAST_COLUMNS = ["run_id", "as_of", "target_series", "target_month", "mean", "lo80", "hi80", "lo95", "hi95",
                    "model", "headline", "synthetic"]
PROBABILITY_COLUMNS = ["run_id", "as_of", "target_series", "season", "probability", "model", "threshold",
                       "base_rate", "base_seasons", "headline", "chosen_by", "synthetic"]
NEWS_COLUMNS = ["run_id", "as_of", "origin", "previous_origin", "target_series", "impact_month", "updated_series",
                "update_months", "observed", "forecast_prior", "news", "impact_pct", "previous_level", "revised_level",
                "model", "synthetic"]
REGIME_COLUMNS = ["run_id", "target_series", "month", "p_cooling_regime", "kind", "synthetic"]
THRESHOLD_COLUMNS = ["run_id", "as_of", "target_series", "season", "model", "threshold", "configured", "probability",
                     "headline", "synthetic"]


@dataclass(frozen=True)
class LiveForecast:
    """The month's forecast of every target: the marts' tables (run_id empty), one record per model for
    meta.model_runs, and P(cooling) by target and model."""

    season: str | None
    tables: Mapping[str, pd.DataFrame] = field(repr=False)
    runs: tuple[ModelRun, ...]
    probabilities: Mapping[str, Mapping[str, float]]
    synthetic: bool | None


def live_forecast(config, targets: pd.DataFrame, regressors: pd.DataFrame, missing_regressors: list[str],
                  panel: pd.DataFrame | None, skill: pd.DataFrame, as_of,
                  gap: pd.DataFrame | None = None) -> LiveForecast:
    """Forecast every configured talent target's cooling in the coming March-May from all the data held.

    ``targets``: series_id, month, value, synthetic (complete months of each target); ``regressors``: the SARIMAX
    regressors by month (``missing_regressors`` those found nowhere); ``panel``: the nowcast's monthly panel (None
    leaves it out); ``skill``: the backtest's skill by target and model (the combination rule's input); ``gap``: the
    published backtest's gap test (marts.backtest_gap_test: target_series, uses_gap, decision, regressors, yardstick,
    synthetic; :func:`gap_decisions`): where it
    says the gap does not help a target, SARIMAX (which carries it) is not fitted for that target, the run says
    why, and the combination rule's default there is ``combination.without_gap``.
    """
    from models.combination import choose_headline, regressor_label

    synthetic = bool(targets["synthetic"].any()) if len(targets) else None
    runs: list[ModelRun] = []
    fc_rows, prob_rows, regime_rows, threshold_rows = [], [], [], []
    probabilities: dict[str, dict[str, float]] = {}
    sx, rg = config.sarimax, config.regimes
    path = str(config.path)
    if targets.empty:
        runs.append(ModelRun("cooling:targets", "skipped", {"config": path}, {},
                             ("no talent target (marts.hiring_monthly.talent_target) has data: nothing to forecast",)))
    last_month = targets["month"].max() if len(targets) else None
    season_year = label = horizon_end = None
    if last_month is not None:
        season_year = season_year_at(last_month, int(config.event.get("season_year", 0)))
        label = CoolingEvent.season_label(season_year)
        horizon_end = pd.Timestamp(season_year, int(config.event.get("horizon_end_month", 6)), 1)
    sarimax = {"lag": int(sx["lag"]), "order": tuple(sx["order"]), "maxiter": int(sx["maxiter"]),
               "min_months": int(sx["min_months"]), "future_regressors": str(sx["future_regressors"]),
               "parameter_draws": int(sx.get("parameter_draws", 0))}
    settings = ModelSettings(int(sx["repetitions"]), int(sx["seed"]), sarimax,
                             {"maxiter": int(rg["maxiter"]), "min_months": int(rg["min_months"]),
                              "search_reps": int(rg["search_reps"]), "seed": int(rg["seed"])})
    no_regressors = bool(missing_regressors) or regressors.dropna().empty
    specs = target_specs(config)
    tested = regressor_label(sx.get("regressors", []), int(sx["lag"]))
    decisions, ignored = gap_decisions(gap, synthetic, tested, config.combination.get("gap_yardstick")) \
        if config.combination.get("without_gap") else ({}, None)
    if ignored:
        runs.append(ModelRun("cooling:gap_test", "skipped", {"config": path}, {}, (ignored,)))
    without_gap = {sid: why for sid, (uses, why) in decisions.items() if uses is not True}
    fitted: dict[str, TargetForecast] = {}

    def add(sid: str, model: str, frame: pd.DataFrame | None, probability: float | None, fc: TargetForecast):
        if frame is not None:
            for r in frame.itertuples(index=False):
                fc_rows.append({"as_of": as_of, "target_series": sid, "target_month": r.month, "mean": r.mean,
                                "lo80": r.lo80, "hi80": r.hi80, "lo95": r.lo95, "hi95": r.hi95, "model": model,
                                "synthetic": synthetic})
        if probability is not None:
            probabilities.setdefault(sid, {})[model] = probability
            prob_rows.append({"as_of": as_of, "target_series": sid, "season": label, "probability": probability,
                              "model": model, "threshold": specs[sid].threshold, "base_rate": fc.base_rate,
                              "base_seasons": fc.base_seasons, "synthetic": synthetic})

    def add_grid(sid: str, model: str, changes: np.ndarray) -> None:
        """P(cooling) of ``model`` at each of the target's thresholds: the share of its changes below each."""
        spec = specs[sid]
        for t in sorted({spec.threshold, *spec.thresholds}, reverse=True):
            threshold_rows.append({"as_of": as_of, "target_series": sid, "season": label, "model": model,
                                   "threshold": t, "configured": t == spec.threshold,
                                   "probability": CoolingEvent(t).share_cooling(changes) if len(changes) else None,
                                   "synthetic": synthetic})

    for sid, rows in targets.groupby("series_id", sort=True):
        spec = specs.get(sid)
        if spec is None:
            reason = (f"{sid}: no threshold configured in {path} [targets.{sid}]: add threshold and "
                      "seasonally_adjusted (one threshold cannot serve every target)")
            runs.extend(ModelRun(f"{kind}:{sid}", "skipped", {}, {}, (reason,)) for kind in ("sarimax", "regimes"))
            continue
        common = {"threshold": spec.threshold, "why": spec.why, "config": path}
        level = rows.set_index("month")["value"].astype(float)
        origin = level.index.max()
        variants = MappingProxyType({name: MappingProxyType({**sarimax, **config.specifications[name]})
                                     for name in _live_specifications(config)})
        left_out = without_gap.get(sid) if not no_regressors else None
        fc = forecast_target(spec, level, regressors, origin=origin, season_year=season_year,
                             horizon_end=horizon_end,
                             settings=ModelSettings(settings.repetitions, settings.seed,
                                                    None if no_regressors or left_out else settings.sarimax,
                                                    settings.regimes, variants))
        fitted[sid] = fc
        if left_out:
            runs.append(ModelRun(f"sarimax:{sid}", "skipped", common, {"gap_test": left_out}, (
                f"sarimax:{sid}: not fitted: {left_out} (marts.backtest_gap_test); the default is "
                f"{config.combination['without_gap']} instead, over the target's whole history (the test compared "
                f"SARIMAX with the same fit on the gap's months, {config.combination.get('gap_yardstick')})",)))
        if no_regressors:
            runs.append(ModelRun(f"sarimax:{sid}", "skipped", common, {}, (
                f"sarimax:{sid}: regressors {missing_regressors or sx.get('regressors')} absent or empty "
                "(tech_basket:<column> of the long tech basket, columns of marts.divergence_monthly, or "
                "macro:/layoffs:/funding: series): run gapcast build (and gapcast estimate) first, "
                f"or correct sarimax.regressors in {path}",)))
        for run in fc.runs:
            if run.model == "climatology":
                continue
            name = f"{run.model}:{sid}"
            warnings = run.warnings if run.status not in ("skipped", "failed") else tuple(
                f"{name}: {w}" for w in run.warnings)
            parameters = {**common, **run.parameters}
            if run.model == "sarimax" and sid in decisions:  # why it carries the gap (or carries it untested)
                parameters["gap_test"] = decisions[sid][1]
            runs.append(ModelRun(name, run.status, parameters, run.diagnostics, warnings))
        for model in ("random_walk", "seasonal_naive", "drift"):
            if (fc.run(model) or ModelRun("", "", {}, {})).status == "ok":
                add(sid, f"{model}:{sid}", fc.paths[fc.paths["model"] == model],
                    _probability(fc, model), fc)
        if fc.base_seasons:
            add(sid, f"climatology:{sid}", None, fc.base_rate, fc)
        if (fc.run("sarimax") or ModelRun("", "", {}, {})).status == "ok":
            add(sid, f"sarimax:{sid}", fc.paths[fc.paths["model"] == "sarimax"], _probability(fc, "sarimax"), fc)
        for name in variants:
            if (fc.run(name) or ModelRun("", "", {}, {})).status == "ok":
                add(sid, f"{name}:{sid}", fc.paths[fc.paths["model"] == name], _probability(fc, name), fc)
        for model, simulated in fc.changes.items():
            add_grid(sid, f"{model}:{sid}", simulated)
        if (fc.run("regimes") or ModelRun("", "", {}, {})).status == "ok":
            regime_rows += [{"target_series": sid, "month": r.month, "p_cooling_regime": float(r.p_cooling_regime),
                             "kind": r.kind, "synthetic": synthetic} for r in fc.regimes.itertuples(index=False)]
            add(sid, f"regimes:{sid}", None, _probability(fc, "regimes", nan_ok=True), fc)

    news_rows: list[dict] = []
    if fitted and panel is not None and config.nowcast.get("enabled", True):
        # A target too short to adjust seasonally stays out: the nowcast would refuse the whole panel for it.
        news_rows = _live_nowcast(config, panel, {sid: specs[sid] for sid, fc in fitted.items() if fc.adjusted},
                                  fitted, runs, add, add_grid,
                                  as_of=as_of, season_year=season_year, horizon_end=horizon_end, synthetic=synthetic)

    forecasts = pd.DataFrame(fc_rows, columns=FORECAST_COLUMNS)
    probs = pd.DataFrame(prob_rows, columns=PROBABILITY_COLUMNS)
    choose_headline(config.combination, {sid: s.threshold for sid, s in specs.items()}, skill, forecasts, probs,
                    synthetic, without_gap={sid: why for sid, why in without_gap.items() if sid in fitted})
    thresholds = pd.DataFrame(threshold_rows, columns=THRESHOLD_COLUMNS)
    chosen = set(probs.loc[probs["headline"].astype(bool), "model"]) if len(probs) else set()
    thresholds["headline"] = thresholds["model"].isin(chosen)
    tables = {
        "cooling_forecast": forecasts,
        "cooling_probability": probs,
        "cooling_thresholds": thresholds,
        "regime_probabilities": pd.DataFrame(regime_rows, columns=REGIME_COLUMNS),
        "forecast_news": pd.DataFrame(news_rows, columns=NEWS_COLUMNS),
    }
    return LiveForecast(label, MappingProxyType(tables), tuple(runs), probabilities, synthetic)


def _probability(fc: TargetForecast, model: str, nan_ok: bool = False) -> float | None:
    values = fc.probabilities.loc[fc.probabilities["model"] == model, "probability"]
    if values.empty:
        return float("nan") if nan_ok else None
    return float(values.iloc[0])


def _live_nowcast(config, panel: pd.DataFrame, specs: dict[str, TargetSpec], fitted: dict, runs: list, add, add_grid,
                  *,
                  as_of, season_year: int, horizon_end: pd.Timestamp, synthetic) -> list[dict]:
    """The nowcast of every target at once, at the first month-end at which everything held had been published
    (not after as_of): its paths and P(cooling) go to the targets' rows (model nowcast:<target>), its news to
    the returned forecast_news rows."""
    nc = config.nowcast
    lags = {sid: s.publication_lag for sid, s in specs.items()}
    lags.update({k: int(v) for k, v in nc["lags"].items()})
    ready = max(panel[c].last_valid_index() + pd.DateOffset(months=lags.get(c, 0)) for c in panel.columns
                if panel[c].notna().any())
    origin = min(ready, pd.Timestamp(as_of).to_period("M").to_timestamp()) if as_of is not None else ready
    targets = {sid: spec for sid, spec in specs.items() if sid in panel.columns}
    params = {"series": list(panel.columns), "lags": lags, "origin": f"{origin:%Y-%m}", "config": str(config.path)}
    options = {"factors": int(nc["factors"]), "factor_order": int(nc["factor_order"]), "maxiter": int(nc["maxiter"]),
               "repetitions": int(nc["repetitions"]), "seed": int(config.sarimax["seed"]),
               "min_months": int(nc["min_months"])}
    res = nowcast_targets(panel, targets, origin=origin, season_year=season_year, horizon_end=horizon_end,
                          lags=lags, options=options)
    if res.error is not None:
        what = "" if res.status == "skipped" else f"{type(res.error).__name__}: "
        runs.append(ModelRun("nowcast", res.status, params, {}, (f"nowcast: {what}{res.error}",)))
        return []
    if res.results is None:  # no target had data known at the origin
        runs.append(ModelRun("nowcast", "skipped", params, {}, ("nowcast: no target has data known at the origin",)))
        return []
    fit = res.results
    runs.append(ModelRun("nowcast", fit.status, {**params, **fit.parameters}, fit.diagnostics, tuple(fit.warnings)))
    if res.status != "ok":
        return []
    for sid in res.targets:
        if res.notes.get(sid):
            runs.append(ModelRun(f"nowcast:{sid}", "skipped", {"config": str(config.path)}, {},
                                 (f"nowcast:{sid}: {res.notes[sid]}",)))
        frame = res.paths[sid]
        add(sid, f"nowcast:{sid}", frame, res.probabilities.get(sid), fitted[sid])
        if res.probabilities.get(sid) is not None and sid in res.changes:
            add_grid(sid, f"nowcast:{sid}", res.changes[sid])
    previous_origin = origin - pd.DateOffset(months=1)
    rows = []
    details = fit.news
    for r in fit.news_level.itertuples(index=False):
        mine = details[(details["target_series"] == r.target_series) & (details["updated_series"] == r.updated_series)]
        months = sorted({pd.Timestamp(m) for m in mine["update_month"]}) if len(mine) else []
        latest = mine[pd.to_datetime(mine["update_month"]) == months[-1]].iloc[0] if months else None
        rows.append({"as_of": as_of, "origin": origin, "previous_origin": previous_origin,
                     "target_series": r.target_series, "impact_month": horizon_end,
                     "updated_series": r.updated_series,
                     "update_months": ", ".join(f"{m:%Y-%m}" for m in months) or None,
                     "observed": None if latest is None else latest["observed"],
                     "forecast_prior": None if latest is None else latest["forecast_prior"],
                     "news": None if latest is None else latest["news"], "impact_pct": r.impact_pct,
                     "previous_level": r.previous_level, "revised_level": r.revised_level,
                     "model": f"nowcast:{r.target_series}", "synthetic": synthetic})
    return rows
