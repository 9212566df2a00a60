"""Forecast talent-market cooling on the built marts and write the paths, probabilities and regimes, in one transaction."""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from models.backtest import BacktestInputError, baseline_forecasts
from models.cooling import CoolingEvent, CoolingInputError, CoolingSARIMAX, seasonal_factors
from models.nowcast import NowcastInputError, TalentNowcast
from models.regimes import GrowthRegimes, RegimeInputError
from warehouse import db
from warehouse.estimate import _dumps
from warehouse.settings import CATALOG_DIR, Settings

COOLING_PATH = CATALOG_DIR / "cooling.toml"
FORECAST_COLUMNS = ["run_id", "as_of", "target_series", "target_month", "mean", "lo80", "hi80", "lo95", "hi95",
                    "model", "headline", "synthetic"]
PROBABILITY_COLUMNS = ["run_id", "as_of", "target_series", "season", "probability", "model", "threshold",
                       "base_rate", "base_seasons", "headline", "chosen_by", "synthetic"]
NEWS_COLUMNS = ["run_id", "as_of", "origin", "previous_origin", "target_series", "impact_month", "updated_series",
                "update_months", "observed", "forecast_prior", "news", "impact_pct", "previous_level", "revised_level",
                "model", "synthetic"]
REGIME_COLUMNS = ["run_id", "target_series", "month", "p_cooling_regime", "kind", "synthetic"]


BACKTEST_MODELS = ("sarimax", "regimes", "nowcast")
COMBINATION_CANDIDATES = ("sarimax", "nowcast", "random_walk", "drift", "seasonal_naive", "climatology")


class CoolingConfigError(ValueError):
    """catalogs/cooling.toml (or the file given) cannot be used, naming the file and key."""


@dataclass(frozen=True)
class CoolingConfig:
    path: Path
    event: dict
    sarimax: dict
    regimes: dict
    targets: dict  # series id -> {threshold, seasonally_adjusted, publication_lag, why}
    backtest: dict = field(default_factory=dict)
    nowcast: dict = field(default_factory=dict)
    combination: dict = field(default_factory=dict)


def load_cooling_config(path: Path | str | None = None) -> CoolingConfig:
    """Read and check the cooling configuration; errors name the file and the key."""
    path = Path(path) if path else COOLING_PATH
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CoolingConfigError(f"{path}: not found. To fix: restore catalogs/cooling.toml") from None
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
        if not isinstance(t.get("seasonally_adjusted"), bool):
            raise CoolingConfigError(f"{path}: targets.{sid}.seasonally_adjusted must be true or false")
        lag = t.get("publication_lag", 0)
        if isinstance(lag, bool) or not isinstance(lag, int) or not 0 <= lag <= 12:
            raise CoolingConfigError(f"{path}: targets.{sid}.publication_lag {lag!r} must be whole months, 0 to 12")
    bt = doc.setdefault("backtest", {})
    if not isinstance(bt, dict):
        raise CoolingConfigError(f"{path}: [backtest] must be a table")
    for key, default, low, high in (("horizons", 9, 1, 24), ("repetitions", 1000, 100, 100_000), ("workers", 2, 0, 64),
                                    ("parameter_draws", 50, 0, 10_000),
                                    ("seed", 20270301, 0, 2**32 - 1)):
        value = bt.setdefault(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise CoolingConfigError(f"{path}: backtest.{key} {value!r} must be a whole number from {low} to {high}")
    models = bt.setdefault("models", list(BACKTEST_MODELS))
    if not isinstance(models, list) or not set(models) <= set(BACKTEST_MODELS):
        raise CoolingConfigError(f"{path}: backtest.models {models!r} must be a list drawn from "
                                 f"{list(BACKTEST_MODELS)} (the baselines always run)")
    try:
        bt["first_origin"] = pd.Timestamp(str(bt.setdefault("first_origin", "2019-01")) + "-01").normalize()
    except ValueError:
        raise CoolingConfigError(f"{path}: backtest.first_origin {bt['first_origin']!r} must be a month, YYYY-MM") from None
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
    comb.setdefault("candidates", list(COMBINATION_CANDIDATES))
    comb.setdefault("min_forecasts", 24)
    comb.setdefault("min_seasons", 4)
    comb.setdefault("margin", 0.05)
    if isinstance(comb["margin"], bool) or not isinstance(comb["margin"], (int, float)) or comb["margin"] < 0:
        raise CoolingConfigError(f"{path}: combination.margin {comb['margin']!r} must be a number >= 0")
    unknown = [c for c in [comb["default"], *comb["candidates"]] if c not in COMBINATION_CANDIDATES]
    if unknown:
        raise CoolingConfigError(f"{path}: combination names {unknown}; the candidates are {list(COMBINATION_CANDIDATES)}")
    return CoolingConfig(path, doc["event"], doc["sarimax"], doc["regimes"], doc["targets"], doc["backtest"], nc, comb)


@dataclass
class ForecastReport:
    run_id: str
    data_as_of: datetime | None
    season: str | None = None
    probabilities: dict[str, dict[str, float]] = field(default_factory=dict)  # target -> model -> probability
    statuses: dict[str, str] = field(default_factory=dict)  # model -> status
    rows: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    synthetic: bool | None = None


def _fetch(con, name: str, params=()) -> pd.DataFrame:
    return con.execute(db.sql_text(f"forecast/{name}.sql"), list(params)).df()


def regressor_frame(con, divergence: pd.DataFrame, names: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The SARIMAX regressors by month: columns of marts.divergence_monthly by their name, and macro:<series>,
    layoffs:<tracker> or funding:<series> from the other marts (forecast/other_regressors.sql). Returns the
    frame and the names found nowhere."""
    frame = divergence.set_index("month")[[c for c in names if c in divergence.columns]]
    wanted = [c for c in names if c not in divergence.columns and ":" in c]
    if wanted:
        try:
            other = con.execute(db.sql_text("forecast/other_regressors.sql")).df()
        except duckdb.CatalogException:
            other = pd.DataFrame(columns=["name", "month", "value"])
        other = other[other["name"].isin(wanted)]
        if len(other):
            other["month"] = pd.to_datetime(other["month"])
            wide = other.pivot_table(index="month", columns="name", values="value")
            frame = frame.join(wide, how="outer") if len(frame.columns) else wide
    missing = [c for c in names if c not in frame.columns]
    return frame[[c for c in names if c in frame.columns]].sort_index(), missing


def season_year_for(last_month: pd.Timestamp, configured: int = 0) -> int:
    """The coming March-May: this year's while May is not yet observed, else next year's."""
    if configured:
        return int(configured)
    return last_month.year if last_month.month < 5 else last_month.year + 1


def forecast(con: duckdb.DuckDBPyConnection, *, run_id: str, settings: Settings,
             config_path: Path | None = None) -> ForecastReport:
    """Forecast every talent target's cooling in the coming March-May and write the results.

    Reads marts.hiring_monthly, marts.divergence_monthly and meta.build_context; writes
    marts.cooling_forecast, marts.cooling_probability, marts.regime_probabilities and this run's
    forecast rows of meta.model_runs in one transaction. A model that fails or does not converge is
    recorded there (status, warnings verbatim) and left out of the marts; the others go on.
    ``settings`` is accepted for symmetry with the other jobs; nothing in it is needed yet.
    """
    started = time.perf_counter()
    config = load_cooling_config(config_path)
    as_of_rows = con.execute(db.sql_text("estimate/build_context.sql")).fetchall()
    as_of = as_of_rows[0][0] if as_of_rows else None
    report = ForecastReport(run_id=run_id, data_as_of=as_of)
    targets = _fetch(con, "talent_targets")
    targets["month"] = pd.to_datetime(targets["month"])
    try:
        divergence = _fetch(con, "divergence_measures")
    except duckdb.CatalogException:
        divergence = pd.DataFrame(columns=["month", "synthetic"])
    divergence["month"] = pd.to_datetime(divergence["month"])
    synthetic = bool(targets["synthetic"].any()) if len(targets) else None
    report.synthetic = synthetic

    now = db.now_utc()
    runs, fc_rows, prob_rows, regime_rows = [], [], [], []
    info: dict[str, dict] = {}
    adders: dict = {}

    def record(model, status, parameters, diagnostics, warnings):
        runs.append({"run_id": run_id, "model": model, "data_as_of": as_of, "estimated_at": now, "status": status,
                     "parameters": _dumps(parameters), "diagnostics": _dumps(diagnostics),
                     "warnings": list(warnings), "synthetic": synthetic})
        report.statuses[model] = status
        report.warnings.extend(warnings)

    if targets.empty:
        record("cooling:targets", "skipped", {"config": str(config.path)}, {},
               ["no talent target (marts.hiring_monthly.talent_target) has data: nothing to forecast"])
    last_month = targets["month"].max() if len(targets) else None
    season_year = season_year_for(last_month, int(config.event.get("season_year", 0))) if last_month is not None else None
    if season_year is not None:
        report.season = CoolingEvent.season_label(season_year)
        horizon_end = pd.Timestamp(season_year, int(config.event.get("horizon_end_month", 6)), 1)
    sx, rg = config.sarimax, config.regimes
    regressors, missing_regressors = regressor_frame(con, divergence, list(sx.get("regressors", [])))

    for sid, rows in targets.groupby("series_id", sort=True):
        level = rows.set_index("month")["value"].astype(float)
        spec = config.targets.get(sid)
        label = report.season
        if spec is None:
            reason = (f"{sid}: no threshold configured in {config.path} [targets.{sid}]: add threshold and "
                      "seasonally_adjusted (one threshold cannot serve every target)")
            for kind in ("sarimax", "regimes"):
                record(f"{kind}:{sid}", "skipped", {}, {}, [reason])
            continue
        threshold = float(spec["threshold"])
        adjust = not spec["seasonally_adjusted"]
        params_common = {"threshold": threshold, "why": spec.get("why"), "config": str(config.path)}
        event = CoolingEvent(threshold)
        try:
            log_all = np.log(level.where(level > 0)).dropna()
            factors = seasonal_factors(log_all) if adjust else pd.Series(0.0, index=range(1, 13))
        except CoolingInputError as exc:
            for kind in ("sarimax", "regimes", "baselines"):
                record(f"{kind}:{sid}", "skipped", params_common, {}, [f"{kind}:{sid}: {exc}"])
            continue
        sa_level = np.exp(log_all - factors.reindex(log_all.index.month).to_numpy())
        base_rate_all, base_seasons_all = event.base_rate(sa_level)
        info[sid] = {"level": level, "factors": factors, "threshold": threshold, "sa_level": sa_level,
                     "base_rate": base_rate_all, "base_seasons": base_seasons_all, "adjust": adjust}

        def add(model_name: str, frame: pd.DataFrame | None, probability: float | None, *, sid=sid,
                threshold=threshold, base_rate_all=base_rate_all, base_seasons_all=base_seasons_all) -> None:
            # Bound now (keyword defaults): the nowcast calls these after the loop has moved on.
            if frame is not None:
                for r in frame.itertuples(index=False):
                    fc_rows.append({"run_id": run_id, "as_of": as_of, "target_series": sid, "target_month": r.month,
                                    "mean": r.mean, "lo80": r.lo80, "hi80": r.hi80, "lo95": r.lo95, "hi95": r.hi95,
                                    "model": model_name, "synthetic": synthetic})
            if probability is not None:
                report.probabilities.setdefault(sid, {})[model_name] = probability
                prob_rows.append({"run_id": run_id, "as_of": as_of, "target_series": sid, "season": label,
                                  "probability": probability, "model": model_name, "threshold": threshold,
                                  "base_rate": base_rate_all, "base_seasons": base_seasons_all,
                                  "synthetic": synthetic})

        adders[sid] = add
        # Baselines and climatology: what the models must beat, offered to the combination rule.
        try:
            for name, (frame, p) in baseline_forecasts(level, factors, event, season_year, horizon_end,
                                                       int(sx["repetitions"]), int(sx["seed"])).items():
                add(f"{name}:{sid}", frame, p)
                record(f"{name}:{sid}", "ok", {**params_common, "baseline": name}, {}, [])
        except (BacktestInputError, CoolingInputError) as exc:
            record(f"baselines:{sid}", "skipped", params_common, {}, [f"baselines:{sid}: {exc}"])
        if base_seasons_all:
            add(f"climatology:{sid}", None, base_rate_all)
        # SARIMAX
        model = f"sarimax:{sid}"
        if missing_regressors or regressors.dropna().empty:
            record(model, "skipped", params_common, {},
                   [f"{model}: regressors {missing_regressors or sx.get('regressors')} absent or empty (columns of "
                    "marts.divergence_monthly, or macro:/layoffs:/funding: series): run gapcast estimate first, "
                    f"or correct sarimax.regressors in {config.path}"])
        else:
            try:
                res = CoolingSARIMAX(
                    sid, level, regressors, threshold, season_year, horizon_end, lag=int(sx["lag"]),
                    seasonally_adjust=adjust, order=tuple(sx["order"]), repetitions=int(sx["repetitions"]),
                    seed=int(sx["seed"]), maxiter=int(sx["maxiter"]), min_months=int(sx["min_months"]),
                    future_regressors=str(sx["future_regressors"]),
                    parameter_draws=int(sx.get("parameter_draws", 0))).fit()
            except CoolingInputError as exc:
                record(model, "skipped", params_common, {}, [f"{model}: {exc}"])
            except Exception as exc:  # a fit that breaks is recorded, never raised: the other targets go on
                record(model, "failed", params_common, {}, [f"{model}: {type(exc).__name__}: {exc}"])
            else:
                record(model, res.status, {**params_common, **res.parameters}, res.diagnostics, res.warnings)
                if res.status == "ok":
                    add(model, res.forecast, res.probability)
        # Markov-switching regimes
        model = f"regimes:{sid}"
        try:  # on the level adjusted above (for a target that is not seasonally adjusted)
            reg = GrowthRegimes(sid, np.log(sa_level), horizon_end, maxiter=int(rg["maxiter"]),
                                min_months=int(rg["min_months"]), search_reps=int(rg["search_reps"]),
                                seed=int(rg["seed"])).fit()
        except RegimeInputError as exc:
            record(model, "skipped", params_common, {}, [f"{model}: {exc}"])
            continue
        except Exception as exc:
            record(model, "failed", params_common, {}, [f"{model}: {type(exc).__name__}: {exc}"])
            continue
        _, spring = CoolingEvent.windows(season_year)
        p_spring = reg.season_probability(spring)
        record(model, reg.status, {**params_common, **reg.parameters, "seasonally_adjusted_first": adjust},
               {**reg.diagnostics, "p_cooling_regime_spring": p_spring}, reg.warnings)
        if reg.status != "ok":
            continue
        regime_rows += [{"run_id": run_id, "target_series": sid, "month": m, "p_cooling_regime": float(p),
                         "kind": "smoothed", "synthetic": synthetic} for m, p in reg.smoothed.items()]
        regime_rows += [{"run_id": run_id, "target_series": sid, "month": m, "p_cooling_regime": float(p),
                         "kind": "forecast", "synthetic": synthetic} for m, p in reg.forecast.items()]
        add(model, None, p_spring)

    news_rows: list[dict] = []
    if info and config.nowcast.get("enabled", True):
        news_rows = _nowcast(con, config, info, adders, record, as_of=as_of, run_id=run_id, season_year=season_year,
                             horizon_end=horizon_end, synthetic=synthetic)

    forecasts = pd.DataFrame(fc_rows, columns=FORECAST_COLUMNS)
    probabilities = pd.DataFrame(prob_rows, columns=PROBABILITY_COLUMNS)
    choose_headline(con, config, forecasts, probabilities, synthetic)
    frames = {
        "cooling_forecast": forecasts,
        "cooling_probability": probabilities,
        "regime_probabilities": pd.DataFrame(regime_rows, columns=REGIME_COLUMNS),
        "forecast_news": pd.DataFrame(news_rows, columns=NEWS_COLUMNS),
    }
    model_rows = pd.DataFrame(runs)
    with db.transaction(con):
        for table, frame in frames.items():
            db.write_frame(con, f"forecast/{table}.sql", f"{table}_frame", frame)
            report.rows[table] = len(frame)
        con.execute(db.sql_text("forecast/clear_probability_history.sql"), [run_id])
        con.execute(db.sql_text("forecast/record_probability_history.sql"), [db.now_utc(), run_id])
        con.execute(db.sql_text("forecast/clear_model_runs.sql"), [run_id])
        if len(model_rows):
            db.write_frame(con, "forecast/record_model_runs.sql", "model_run_rows", model_rows)
        report.rows["model_runs"] = len(model_rows)
    report.seconds = time.perf_counter() - started
    return report


def _nowcast(con, config: CoolingConfig, info: dict, adders: dict, record, *, as_of, run_id: str, season_year: int,
             horizon_end: pd.Timestamp, synthetic) -> list[dict]:
    """The DynamicFactorMQ nowcast of every target at once: its paths and P(cooling) go to the targets' rows
    (model nowcast:<target>), its news to the returned forecast_news rows."""
    nc = config.nowcast
    long = con.execute(db.sql_text("forecast/nowcast_panel.sql"),
                       [list(nc["series"]), bool(nc["market_cap"])]).df()
    long["month"] = pd.to_datetime(long["month"])
    panel = long.pivot_table(index="month", columns="series_id", values="value").sort_index().asfreq("MS")
    lags = {sid: int(config.targets[sid].get("publication_lag", 0)) for sid in info}
    lags.update({k: int(v) for k, v in nc["lags"].items()})
    # The origin: the first month-end at which everything held here would have been published, not after as_of.
    ready = max(panel[c].last_valid_index() + pd.DateOffset(months=lags.get(c, 0)) for c in panel.columns
                if panel[c].notna().any())
    origin = min(ready, pd.Timestamp(as_of).to_period("M").to_timestamp()) if as_of is not None else ready
    targets = tuple(sid for sid in info if sid in panel.columns)
    params = {"series": list(panel.columns), "lags": lags, "origin": f"{origin:%Y-%m}", "config": str(config.path)}
    try:
        res = TalentNowcast(
            monthly=panel, targets=targets, origin=origin, horizon_end=horizon_end, lags=lags,
            factors=int(nc["factors"]), factor_order=int(nc["factor_order"]),
            seasonally_adjust=tuple(sid for sid in targets if info[sid]["adjust"]), maxiter=int(nc["maxiter"]),
            repetitions=int(nc["repetitions"]), seed=int(config.sarimax["seed"]),
            min_months=int(nc["min_months"])).fit()
    except NowcastInputError as exc:
        record("nowcast", "skipped", params, {}, [f"nowcast: {exc}"])
        return []
    except Exception as exc:  # recorded, never raised: the other models' rows still publish
        record("nowcast", "failed", params, {}, [f"nowcast: {type(exc).__name__}: {exc}"])
        return []
    record("nowcast", res.status, {**params, **res.parameters}, res.diagnostics, res.warnings)
    if res.status != "ok":
        return []
    for sid in targets:
        t = info[sid]
        frame = res.forecast[res.forecast["target_series"] == sid]
        paths = res.paths.get(sid)
        probability = None
        if paths is not None and len(paths):
            paths_sa = paths.div(np.exp(t["factors"].reindex(paths.index.month).to_numpy()), axis=0)
            try:
                probability = CoolingEvent(t["threshold"]).probability(t["sa_level"], paths_sa, season_year)
            except CoolingInputError as exc:
                probability = None
                record(f"nowcast:{sid}", "skipped", {"config": str(config.path)}, {}, [f"nowcast:{sid}: no P(cooling): {exc}"])
        adders[sid](f"nowcast:{sid}", frame, probability)
    previous_origin = origin - pd.DateOffset(months=1)
    rows = []
    details = res.news
    for r in res.news_level.itertuples(index=False):
        mine = details[(details["target_series"] == r.target_series) & (details["updated_series"] == r.updated_series)]
        months = sorted({pd.Timestamp(m) for m in mine["update_month"]}) if len(mine) else []
        latest = mine[pd.to_datetime(mine["update_month"]) == months[-1]].iloc[0] if months else None
        rows.append({"run_id": run_id, "as_of": as_of, "origin": origin, "previous_origin": previous_origin,
                     "target_series": r.target_series, "impact_month": horizon_end,
                     "updated_series": r.updated_series,
                     "update_months": ", ".join(f"{m:%Y-%m}" for m in months) or None,
                     "observed": None if latest is None else latest["observed"],
                     "forecast_prior": None if latest is None else latest["forecast_prior"],
                     "news": None if latest is None else latest["news"], "impact_pct": r.impact_pct,
                     "previous_level": r.previous_level, "revised_level": r.revised_level,
                     "model": f"nowcast:{r.target_series}", "synthetic": synthetic})
    return rows


def choose_headline(con, config: CoolingConfig, forecasts: pd.DataFrame, probabilities: pd.DataFrame,
                    synthetic: bool | None = None) -> None:
    """The combination rule (catalogs/cooling.toml [combination]), per target: among the candidates that ran this
    month and were backtested with the target's current threshold on the same kind of data, scored on at least
    ``min_forecasts`` forecasts about at least ``min_seasons`` seasons, the one with the highest backtest skill
    -- Brier skill for P(cooling), mean CRPS skill over horizons 1-9 for the paths -- provided it beats the
    default's by more than ``margin``; else the default. Sets ``headline`` (and, on probabilities, ``chosen_by``)
    in place."""
    comb = config.combination
    try:
        skill = con.execute(db.sql_text("forecast/backtest_skill.sql")).df()
    except duckdb.CatalogException:
        skill = pd.DataFrame(columns=["target_series", "model", "brier_skill", "brier_n", "brier_seasons",
                                      "crps_skill", "crps_n", "threshold", "synthetic"])
    minimum, seasons, margin, default = (int(comb["min_forecasts"]), int(comb["min_seasons"]),
                                         float(comb["margin"]), comb["default"])
    forecasts["headline"] = False
    probabilities["headline"] = False
    probabilities["chosen_by"] = None
    for frame, metric, count, what in ((probabilities, "brier_skill", "brier_n", "Brier skill"),
                                       (forecasts, "crps_skill", "crps_n", "CRPS skill")):
        if frame.empty:
            continue
        kinds = frame["model"].str.split(":").str[0]
        for sid in frame["target_series"].unique():
            mine = frame["target_series"] == sid
            ran = set(kinds[mine])
            spec = config.targets.get(sid, {})
            rows = skill[(skill["target_series"] == sid) & skill["model"].isin(comb["candidates"])
                         & skill["model"].isin(ran) & (skill[count].fillna(0) >= minimum)].dropna(subset=[metric])
            rows = rows[(rows["threshold"] - float(spec.get("threshold", np.nan))).abs().fillna(1) < 1e-12]
            if synthetic is not None:
                rows = rows[rows["synthetic"].fillna(False).astype(bool) == bool(synthetic)]
            if metric == "brier_skill":
                rows = rows[rows["brier_seasons"].fillna(0) >= seasons]
            chosen, why = (default, f"the default ({default}): no backtest of {minimum}+ forecasts"
                           + (f" about {seasons}+ seasons" if metric == "brier_skill" else "")
                           + " with this threshold") if default in ran else (None, None)
            if len(rows):
                rows = rows.assign(is_default=rows["model"] == default)
                best = rows.sort_values([metric, "is_default"], ascending=[False, False], kind="stable").iloc[0]
                base = rows.loc[rows["is_default"], metric]
                scored = f"{what} {best[metric]:+.2f} over {int(best[count])} forecasts"
                if best["model"] == default:
                    chosen, why = default, f"the default ({default}) has the highest backtest {scored}"
                elif base.empty or default not in ran:
                    chosen, why = best["model"], f"highest backtest {scored}; the default was not scored or did not run"
                elif best[metric] > float(base.iloc[0]) + margin:
                    chosen, why = best["model"], (f"highest backtest {scored}, beating the default's "
                                                  f"{float(base.iloc[0]):+.2f} by more than {margin}")
                else:
                    why = (f"the default ({default}, {what} {float(base.iloc[0]):+.2f}): {best['model']}'s "
                           f"{best[metric]:+.2f} is not ahead by more than {margin}")
            if chosen is None:
                continue
            pick = mine & (kinds == chosen)
            frame.loc[pick, "headline"] = True
            if "chosen_by" in frame.columns:
                frame.loc[pick, "chosen_by"] = why
