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

from models.cooling import CoolingEvent, CoolingInputError, CoolingSARIMAX, seasonal_factors
from models.regimes import GrowthRegimes, RegimeInputError
from warehouse import db
from warehouse.estimate import _dumps
from warehouse.settings import CATALOG_DIR, Settings

COOLING_PATH = CATALOG_DIR / "cooling.toml"
FORECAST_COLUMNS = ["run_id", "as_of", "target_series", "target_month", "mean", "lo80", "hi80", "lo95", "hi95",
                    "model", "synthetic"]
PROBABILITY_COLUMNS = ["run_id", "as_of", "target_series", "season", "probability", "model", "threshold",
                       "base_rate", "base_seasons", "synthetic"]
REGIME_COLUMNS = ["run_id", "target_series", "month", "p_cooling_regime", "kind", "synthetic"]


class CoolingConfigError(ValueError):
    """catalogs/cooling.toml (or the file given) cannot be used, naming the file and key."""


@dataclass(frozen=True)
class CoolingConfig:
    path: Path
    event: dict
    sarimax: dict
    regimes: dict
    targets: dict  # series id -> {threshold, seasonally_adjusted, why}


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
    if doc["sarimax"].get("future_regressors") != "hold_last":
        raise CoolingConfigError(f"{path}: sarimax.future_regressors: only \"hold_last\" is implemented")
    return CoolingConfig(path, doc["event"], doc["sarimax"], doc["regimes"], doc["targets"])


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
    regressors = divergence.set_index("month")[[c for c in sx.get("regressors", []) if c in divergence.columns]]
    missing_regressors = [c for c in sx.get("regressors", []) if c not in divergence.columns]

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
        # SARIMAX
        model = f"sarimax:{sid}"
        if missing_regressors or regressors.dropna().empty:
            record(model, "skipped", params_common, {},
                   [f"{model}: divergence measures {missing_regressors or sx.get('regressors')} absent or empty in "
                    "marts.divergence_monthly: run gapcast estimate first"])
        else:
            try:
                res = CoolingSARIMAX(
                    sid, level, regressors, threshold, season_year, horizon_end, lag=int(sx["lag"]),
                    seasonally_adjust=adjust, order=tuple(sx["order"]), repetitions=int(sx["repetitions"]),
                    seed=int(sx["seed"]), maxiter=int(sx["maxiter"]), min_months=int(sx["min_months"]),
                    future_regressors=str(sx["future_regressors"])).fit()
            except CoolingInputError as exc:
                record(model, "skipped", params_common, {}, [f"{model}: {exc}"])
            except Exception as exc:  # a fit that breaks is recorded, never raised: the other targets go on
                record(model, "failed", params_common, {}, [f"{model}: {type(exc).__name__}: {exc}"])
            else:
                record(model, res.status, {**params_common, **res.parameters}, res.diagnostics, res.warnings)
                if res.status == "ok":
                    report.probabilities.setdefault(sid, {})[model] = res.probability
                    for r in res.forecast.itertuples(index=False):
                        fc_rows.append({"run_id": run_id, "as_of": as_of, "target_series": sid,
                                        "target_month": r.month, "mean": r.mean, "lo80": r.lo80, "hi80": r.hi80,
                                        "lo95": r.lo95, "hi95": r.hi95, "model": model, "synthetic": synthetic})
                    prob_rows.append({"run_id": run_id, "as_of": as_of, "target_series": sid, "season": label,
                                      "probability": res.probability, "model": model, "threshold": threshold,
                                      "base_rate": res.base_rate, "base_seasons": res.base_seasons,
                                      "synthetic": synthetic})
        # Markov-switching regimes
        model = f"regimes:{sid}"
        try:
            log_level = np.log(level.where(level > 0)).dropna()
            if adjust:
                log_level = log_level - seasonal_factors(log_level).reindex(log_level.index.month).to_numpy()
            reg = GrowthRegimes(sid, log_level, horizon_end, maxiter=int(rg["maxiter"]),
                                min_months=int(rg["min_months"]), search_reps=int(rg["search_reps"]),
                                seed=int(rg["seed"])).fit()
        except (RegimeInputError, CoolingInputError) as exc:
            record(model, "skipped", params_common, {}, [f"{model}: {exc}"])
            continue
        except Exception as exc:
            record(model, "failed", params_common, {}, [f"{model}: {type(exc).__name__}: {exc}"])
            continue
        autumn, spring = CoolingEvent.windows(season_year)
        p_spring = reg.season_probability(spring)
        base_rate, base_seasons = CoolingEvent(threshold).base_rate(np.exp(log_level))
        record(model, reg.status, {**params_common, **reg.parameters, "seasonally_adjusted_first": adjust},
               {**reg.diagnostics, "p_cooling_regime_spring": p_spring}, reg.warnings)
        if reg.status != "ok":
            continue
        report.probabilities.setdefault(sid, {})[model] = p_spring
        regime_rows += [{"run_id": run_id, "target_series": sid, "month": m, "p_cooling_regime": float(p),
                         "kind": "smoothed", "synthetic": synthetic} for m, p in reg.smoothed.items()]
        regime_rows += [{"run_id": run_id, "target_series": sid, "month": m, "p_cooling_regime": float(p),
                         "kind": "forecast", "synthetic": synthetic} for m, p in reg.forecast.items()]
        prob_rows.append({"run_id": run_id, "as_of": as_of, "target_series": sid, "season": label,
                          "probability": p_spring, "model": model, "threshold": threshold, "base_rate": base_rate,
                          "base_seasons": base_seasons, "synthetic": synthetic})

    frames = {
        "cooling_forecast": pd.DataFrame(fc_rows, columns=FORECAST_COLUMNS),
        "cooling_probability": pd.DataFrame(prob_rows, columns=PROBABILITY_COLUMNS),
        "regime_probabilities": pd.DataFrame(regime_rows, columns=REGIME_COLUMNS),
    }
    model_rows = pd.DataFrame(runs)
    with db.transaction(con):
        for table, frame in frames.items():
            con.register(f"{table}_frame", frame)
            try:
                con.execute(db.sql_text(f"forecast/{table}.sql"))
            finally:
                con.unregister(f"{table}_frame")
            report.rows[table] = len(frame)
        con.execute(db.sql_text("forecast/clear_probability_history.sql"), [run_id])
        con.execute(db.sql_text("forecast/record_probability_history.sql"), [db.now_utc(), run_id])
        con.execute(db.sql_text("forecast/clear_model_runs.sql"), [run_id])
        if len(model_rows):
            con.register("model_run_rows", model_rows)
            try:
                con.execute(db.sql_text("forecast/record_model_runs.sql"))
            finally:
                con.unregister("model_run_rows")
        report.rows["model_runs"] = len(model_rows)
    report.seconds = time.perf_counter() - started
    return report
