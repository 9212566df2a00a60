"""`gapcast backtest`: rolling-origin forecasts of the talent targets, each made with only the data known at its
origin, scored against what happened. Writes marts.backtest_forecasts, marts.backtest_scores and
marts.backtest_reliability in one transaction (docs/forecast.md, "The backtest")."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from models.backtest import (
    NowcastTask,
    OriginResult,
    OriginTask,
    forecast_at_origin,
    nowcast_at_origin,
    reliability_table,
    score_paths,
    score_probabilities,
)
from models.cooling import CoolingEvent, seasonal_factors
from warehouse import db
from warehouse.estimate import _dumps
from warehouse.forecast import load_cooling_config, regressor_frame
from warehouse.settings import Settings

FORECAST_COLUMNS = ["run_id", "kind", "target_series", "origin", "model", "horizon", "target_month", "mean", "lo80",
                    "hi80", "lo95", "hi95", "actual", "season", "lead_months", "probability", "cooled", "vintage",
                    "real_time", "synthetic"]
SCORE_COLUMNS = ["run_id", "target_series", "model", "horizon", "metric", "value", "n", "seasons", "threshold",
                 "data_basis", "synthetic"]
RELIABILITY_COLUMNS = ["run_id", "target_series", "model", "bin_low", "bin_high", "forecasts", "mean_probability",
                       "observed_frequency", "synthetic"]


BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class BacktestError(RuntimeError):
    """The backtest cannot run, saying why and what to do."""


@dataclass
class BacktestReport:
    run_id: str
    data_as_of: datetime | None
    origins: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # target -> (first, last, count)
    data_basis: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)  # model -> status -> count
    rows: dict[str, int] = field(default_factory=dict)
    headline: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)
    workers: int = 1
    seconds: float = 0.0
    synthetic: bool | None = None


def _month(ts) -> pd.Timestamp:
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


def _outcomes(final: pd.Series, threshold: float, adjust: bool) -> pd.Series:
    """Whether each fully observed season cooled, on the final (latest) data."""
    log_level = np.log(final)
    if adjust:
        log_level = log_level - seasonal_factors(log_level).reindex(log_level.index.month).to_numpy()
    changes = CoolingEvent(threshold).changes(np.exp(log_level))
    return changes < threshold


def _workers(configured: int) -> int:
    return min(os.cpu_count() or 1, 4) if configured == 0 else configured


def _run_one(task) -> list[OriginResult]:
    """One task's results; an unexpected error becomes a failed result per target instead of ending the pool
    (pool.map would re-raise it and every other origin's results would be lost)."""
    try:
        return nowcast_at_origin(task) if isinstance(task, NowcastTask) else [forecast_at_origin(task)]
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        if isinstance(task, NowcastTask):
            return [OriginResult(t, task.origin, pd.DataFrame(), pd.DataFrame(), float("nan"),
                                 {"nowcast": ("failed", message)}, *task.vintages.get(t, (None, False)))
                    for t in task.targets]
        return [OriginResult(task.target, task.origin, pd.DataFrame(), pd.DataFrame(), float("nan"),
                             {"origin": ("failed", message)}, task.vintage, task.real_time)]


def run_tasks(tasks: list, workers: int) -> list[OriginResult]:
    """forecast_at_origin / nowcast_at_origin over the tasks, in worker processes when ``workers`` > 1 (spawned:
    nothing of this process, its DuckDB connection included, is inherited)."""
    if workers <= 1 or len(tasks) < 2 * workers:
        return [r for t in tasks for r in _run_one(t)]
    # One BLAS thread per worker: the workers already fill the cores, and threaded reductions would make a fit's
    # last bits (and so, at the margin, whether the optimizer converges) depend on scheduling.
    saved = {k: os.environ.get(k) for k in BLAS_THREAD_VARIABLES}
    os.environ.update({k: "1" for k in BLAS_THREAD_VARIABLES})
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            chunks = pool.map(_run_one, tasks, chunksize=max(1, len(tasks) // (workers * 8)))
            return [r for chunk in chunks for r in chunk]
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def backtest(con: duckdb.DuckDBPyConnection, *, run_id: str, settings: Settings, config_path: Path | None = None,
             first_origin: pd.Timestamp | None = None, last_origin: pd.Timestamp | None = None,
             workers: int | None = None, targets: list[str] | None = None) -> BacktestReport:
    """Backtest every talent target with a configured threshold, one origin a month, and write the results.

    ``settings`` is accepted for symmetry with the other jobs. ``first_origin`` / ``last_origin`` (month starts)
    and ``workers`` override catalogs/cooling.toml [backtest]; ``targets`` limits the series.
    """
    started = time.perf_counter()
    config = load_cooling_config(config_path)
    bt, sx, rg = config.backtest, config.sarimax, config.regimes
    as_of_rows = con.execute(db.sql_text("estimate/build_context.sql")).fetchall()
    report = BacktestReport(run_id=run_id, data_as_of=as_of_rows[0][0] if as_of_rows else None)
    report.workers = _workers(int(workers if workers is not None else bt["workers"]))

    vintages = con.execute(db.sql_text("backtest/target_vintages.sql")).df()
    vintages["month"] = pd.to_datetime(vintages["month"])
    vintages["vintage"] = pd.to_datetime(vintages["vintage"])
    final = con.execute(db.sql_text("forecast/talent_targets.sql")).df()
    final["month"] = pd.to_datetime(final["month"])
    try:
        divergence = con.execute(db.sql_text("forecast/divergence_measures.sql")).df()
    except duckdb.CatalogException:
        raise BacktestError("marts.divergence_monthly is not built: run `gapcast estimate` (or `gapcast run`) "
                            "before `gapcast backtest`") from None
    divergence["month"] = pd.to_datetime(divergence["month"])
    regressors, missing = regressor_frame(con, divergence, list(sx.get("regressors", [])))
    if missing:
        raise BacktestError(f"{config.path}: sarimax.regressors {missing} are neither columns of "
                            "marts.divergence_monthly nor macro:/layoffs:/funding: series with data")
    if final.empty:
        raise BacktestError("no talent target (marts.hiring_monthly.talent_target) has data: run `gapcast build`")
    report.synthetic = bool(final["synthetic"].any())

    sarimax_kwargs = {"lag": int(sx["lag"]), "order": tuple(sx["order"]), "maxiter": int(sx["maxiter"]),
                      "min_months": int(sx["min_months"]), "future_regressors": str(sx["future_regressors"]),
                      "parameter_draws": min(int(bt["parameter_draws"]), int(bt["repetitions"]))}
    regime_kwargs = ({"maxiter": int(rg["maxiter"]), "min_months": int(rg["min_months"]),
                      "search_reps": int(rg["search_reps"]), "seed": int(rg["seed"])}
                     if "regimes" in bt["models"] else None)
    first = _month(first_origin) if first_origin is not None else bt["first_origin"]
    unknown = sorted(set(targets or ()) - set(config.targets))
    if unknown:
        raise BacktestError(f"--target {', '.join(unknown)}: not a target of {config.path}; the targets are "
                            f"{', '.join(sorted(config.targets))}")
    tasks = []
    for sid, spec in sorted(config.targets.items()):
        if targets and sid not in targets:
            continue
        mine = vintages[vintages["series_id"] == sid]
        levels = final[final["series_id"] == sid].set_index("month")["value"].astype(float).sort_index()
        if mine.empty or levels.empty:
            report.warnings.append(f"{sid}: configured in {config.path} but has no data: not backtested")
            continue
        lag = int(spec.get("publication_lag", 0))
        start = max(first, levels.index[0] + pd.DateOffset(months=int(sx["min_months"]) + lag))
        stop = levels.index[-1] - pd.DateOffset(months=1)  # the last origin with an outcome one month ahead
        if last_origin is not None:
            stop = min(stop, _month(last_origin))
        origins = pd.date_range(start, stop, freq="MS")
        if len(origins) == 0:
            report.warnings.append(f"{sid}: no origin between {start:%Y-%m} and {stop:%Y-%m}: not backtested")
            continue
        real = 0
        for origin in origins:
            level, vintage, real_time = known_at(mine, origin, lag)
            real += real_time
            tasks.append(OriginTask(
                target=sid, origin=origin, level=level, regressors=regressors.loc[:origin],
                threshold=float(spec["threshold"]), seasonally_adjust=not spec["seasonally_adjusted"],
                horizons=int(bt["horizons"]), repetitions=int(bt["repetitions"]), seed=int(bt["seed"]),
                sarimax=sarimax_kwargs if "sarimax" in bt["models"] else None, regimes=regime_kwargs,
                seasonal_mase=not spec["seasonally_adjusted"], vintage=vintage, real_time=real_time))
        report.origins[sid] = (f"{origins[0]:%Y-%m}", f"{origins[-1]:%Y-%m}", len(origins))
        report.data_basis[sid] = (
            f"{real} of {len(origins)} origins read a vintage retrieved by the origin (real time); "
            f"{len(origins) - real} read the first vintage retrieved after it (revised data: no earlier vintage is "
            f"stored), each cut at a {lag}-month publication lag. Divergence regressors: expanding-window, "
            "revenue as filed by each month's end, prices as last retrieved.")

    if not tasks:
        raise BacktestError("no target has an origin to backtest (" + "; ".join(report.warnings or ["no targets"])
                            + "): nothing written; widen --from/--to or check the targets' data")
    nc = config.nowcast
    if nc.get("enabled", True) and "nowcast" in bt["models"] and report.origins:
        long = con.execute(db.sql_text("forecast/nowcast_panel.sql"),
                           [list(nc["series"]), bool(nc["market_cap"])]).df()
        long["month"] = pd.to_datetime(long["month"])
        panel = long.pivot_table(index="month", columns="series_id", values="value").sort_index().asfreq("MS")
        lags = {sid: int(config.targets[sid].get("publication_lag", 0)) for sid in config.targets}
        lags.update({k: int(v) for k, v in nc["lags"].items()})
        specs = {sid: (float(config.targets[sid]["threshold"]), not config.targets[sid]["seasonally_adjusted"])
                 for sid in report.origins}
        latest = {sid: (pd.Timestamp(v.max()), False) for sid, v in vintages.groupby("series_id")["vintage"]}
        first_nc = min(pd.Timestamp(f"{o[0]}-01") for o in report.origins.values())
        last_nc = max(pd.Timestamp(f"{o[1]}-01") for o in report.origins.values())
        kwargs = {"factors": int(nc["factors"]), "factor_order": int(nc["factor_order"]),
                  "maxiter": int(nc["maxiter"]), "repetitions": int(bt["repetitions"]), "seed": int(bt["seed"]),
                  "min_months": int(nc["min_months"])}
        for origin in pd.date_range(first_nc, last_nc, freq="MS"):
            in_range = {sid: spec for sid, spec in specs.items()
                        if pd.Timestamp(f"{report.origins[sid][0]}-01") <= origin <= pd.Timestamp(f"{report.origins[sid][1]}-01")}
            tasks.append(NowcastTask(origin=origin, panel=panel, targets=in_range, lags=lags,
                                     horizons=int(bt["horizons"]), nowcast=kwargs,
                                     vintages={sid: latest.get(sid, (None, False)) for sid in in_range}))
        for sid in report.origins:
            report.data_basis[sid] += (" The nowcast reads the latest vintage of every panel series (real_time "
                                       "false), cut at each series' publication lag.")

    results = run_tasks(tasks, report.workers)
    # Every model's MASE at an origin divides by the same scale: the target's own task's (its vintage there).
    scales = {(r.target, r.origin): r.scale for r in results if "nowcast" not in r.statuses}

    path_frames, prob_frames = [], []
    finals = {sid: final[final["series_id"] == sid].set_index("month")["value"].astype(float).sort_index()
              for sid in report.origins}
    outcomes = {sid: _outcomes(finals[sid], float(config.targets[sid]["threshold"]),
                               not config.targets[sid]["seasonally_adjusted"]) for sid in report.origins}
    for res in results:
        vintage, real_time = res.vintage, res.real_time
        for model, (status, message) in res.statuses.items():
            report.statuses.setdefault(model, Counter())[status] += 1
            if status not in ("ok",) and message and len(report.warnings) < 50:
                report.warnings.append(f"{model}:{res.target} at {res.origin:%Y-%m}: {status}: {message}")
        common = {"target_series": res.target, "origin": res.origin, "vintage": vintage, "real_time": real_time}
        if len(res.paths):
            p = res.paths.assign(**common, scale=scales.get((res.target, res.origin), res.scale))
            p["actual"] = finals[res.target].reindex(pd.DatetimeIndex(p["target_month"])).to_numpy()
            path_frames.append(p)
        if len(res.probabilities):
            q = res.probabilities.assign(**common)
            season_year = int(q["season"].iloc[0][:4])
            cooled = outcomes[res.target].get(season_year)
            q["cooled"] = cooled if cooled is not None else pd.NA
            prob_frames.append(q)
    report.statuses = {m: dict(c) for m, c in report.statuses.items()}
    paths = pd.concat(path_frames, ignore_index=True) if path_frames else pd.DataFrame(
        columns=["target_series", "origin", "model", "horizon", "target_month", "mean", "lo80", "hi80", "lo95",
                 "hi95", "actual", "scale", "vintage", "real_time"])
    probs = pd.concat(prob_frames, ignore_index=True) if prob_frames else pd.DataFrame(
        columns=["target_series", "origin", "model", "season", "lead", "probability", "cooled", "vintage", "real_time"])
    probs["cooled"] = probs["cooled"].astype("boolean")

    scores = pd.concat([score_paths(paths), score_probabilities(probs)], ignore_index=True)
    scores["data_basis"] = scores["target_series"].map(report.data_basis)
    scores["threshold"] = scores["target_series"].map(
        {sid: float(spec["threshold"]) for sid, spec in config.targets.items()})
    scored_probs = probs.dropna(subset=["cooled"])
    reliability = pd.concat(
        [reliability_table(g, 10).assign(target_series=sid) for sid, g in scored_probs.groupby("target_series")]
        + [reliability_table(scored_probs, 10).assign(target_series="all targets")], ignore_index=True) \
        if len(scored_probs) else pd.DataFrame(columns=RELIABILITY_COLUMNS)

    synthetic = report.synthetic
    forecasts = pd.concat([
        paths.drop(columns=["scale"]).assign(kind="path"),
        probs.rename(columns={"lead": "lead_months"}).assign(kind="probability"),
    ], ignore_index=True).assign(run_id=run_id, synthetic=synthetic).reindex(columns=FORECAST_COLUMNS)
    frames = {
        "backtest_forecasts": forecasts,
        "backtest_scores": scores.assign(run_id=run_id, synthetic=synthetic).reindex(columns=SCORE_COLUMNS),
        "backtest_reliability": reliability.assign(run_id=run_id, synthetic=synthetic).reindex(
            columns=RELIABILITY_COLUMNS),
    }
    report.headline = headline_table(frames["backtest_scores"])
    model_run = pd.DataFrame([{
        "run_id": run_id, "model": "backtest", "data_as_of": report.data_as_of, "estimated_at": db.now_utc(),
        "status": "ok" if len(forecasts) else "skipped",
        "parameters": _dumps({"config": str(config.path), "backtest": bt, "sarimax": sarimax_kwargs,
                              "regimes": regime_kwargs, "workers": report.workers}),
        "diagnostics": _dumps({"origins": report.origins, "data_basis": report.data_basis,
                               "statuses": report.statuses, "seconds": time.perf_counter() - started}),
        "warnings": report.warnings[:50], "synthetic": synthetic}])
    with db.transaction(con):
        for table, frame in frames.items():
            db.write_frame(con, f"backtest/{table}.sql", f"{table}_frame", frame)
            report.rows[table] = len(frame)
        con.execute(db.sql_text("backtest/clear_model_run.sql"), [run_id])
        db.write_frame(con, "forecast/record_model_runs.sql", "model_run_rows", model_run)
    report.seconds = time.perf_counter() - started
    return report


def headline_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Per target and model: relative MASE (against the random walk) at horizons 1, 3, 6 and 9, and the
    Brier score over all leads beside the climatological base rate's."""
    if scores.empty:
        return pd.DataFrame()
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
        rows.append(row)
    return pd.DataFrame(rows)


def backtest_job(settings: Settings, *, config_path: Path | None = None, first_origin=None, last_origin=None,
                 workers: int | None = None, targets: list[str] | None = None, publish: bool = True) -> BacktestReport:
    """`gapcast backtest`: backtest on the pipeline database, record the run in meta.runs, publish."""
    from warehouse.load import new_id

    if not settings.pipeline_db.exists():
        raise BacktestError(f"{settings.pipeline_db} does not exist: run `gapcast run` first")
    con = db.connect_pipeline(settings)
    run_id = new_id()
    try:
        missing = [t for (t,) in con.execute(db.sql_text("backtest/missing_marts.sql")).fetchall()]
        if missing:
            raise BacktestError(f"marts {missing} are not built in {settings.pipeline_db}: run `gapcast run` first")
        as_of = con.execute(db.sql_text("estimate/build_context.sql")).fetchall()[0][0]
        con.execute(db.sql_text("jobs/start_run.sql"), [run_id, "backtest", None, as_of, db.now_utc(), None])
        try:
            report = backtest(con, run_id=run_id, settings=settings, config_path=config_path,
                              first_origin=first_origin, last_origin=last_origin, workers=workers, targets=targets)
        except Exception as exc:
            con.execute(db.sql_text("jobs/finish_run.sql"),
                        [db.now_utc(), "failed", None, str(exc).splitlines()[0] if str(exc) else repr(exc), run_id])
            raise
        con.execute(db.sql_text("jobs/finish_run.sql"),
                    [db.now_utc(), "ok", sum(report.rows.values()), None, run_id])
        if publish:
            db.clean_stale_publish_files(settings)
            db.publish(con, settings)
        return report
    finally:
        con.close()
