"""The pipeline's steps, one plain function each: ingest, build, estimate, forecast, backtest, publish, report and
send. Each takes Settings and returns a typed report; the Prefect flows (flows/pipeline.py) order them, and
GAPCAST_PREFECT=off calls the same functions in the same order.

This is the one place that composes the warehouse (inputs and results) with the models (pure statistics).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Callable

import pandas as pd

from flows.config import load_assumptions, load_cooling_config
from warehouse import cache, jobs, results
from warehouse.build import BuildReport, RevenueRules
from warehouse.load import IngestReport
from warehouse.runs import recorded_run
from warehouse.settings import Settings


class EstimateError(RuntimeError):
    """The estimate cannot run (the marts are not built); the previous results are unchanged."""


class BacktestError(RuntimeError):
    """The backtest cannot run, saying why and what to do."""


def _code_version(group: str) -> str:
    """The source that makes a result group's tables: the models, this module, warehouse/results.py and the
    group's SQL, so that changed statistics or a changed table never reuse old results."""
    digest = hashlib.sha256()
    import importlib.util

    # found without importing it (and statsmodels with it); a missing package must fail here, not match no file
    models = Path(importlib.util.find_spec("models").submodule_search_locations[0])
    warehouse_root = Path(results.__file__).parent
    for path in [*sorted(models.glob("*.py")), Path(__file__), Path(results.__file__),
                 *sorted((warehouse_root / "sql" / group).glob("*.sql"))]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


# -- ingest, build, publish -------------------------------------------------------------------------------------


def start(settings: Settings, command: str, catalog_name: str | None, as_of: datetime | None) -> str:
    """Record a run of several steps (``gapcast run``) in meta.runs; the id its steps record under."""
    from warehouse.catalog import load_catalog
    from warehouse.runs import start_run

    catalog = load_catalog(catalog_name or settings.catalog, settings, check_files=False)
    return start_run(settings, command, catalog=catalog, as_of=as_of)


def finish(settings: Settings, run_id: str, status: str, rows_added: int | None, message: str | None) -> None:
    """Record how a run of several steps ended."""
    from warehouse.runs import finish_run

    finish_run(settings, run_id, status, rows_added, message)


def ingest(settings: Settings, *, sources: set[str] | None = None, only: set[str] | None = None,
           offline: bool = False, http=None, yahoo=None, on_series=None, parent: str | None = None) -> IngestReport:
    """Load the catalog's sources (or some adapters, or some series) into raw."""
    return jobs.ingest_job(settings, sources=sources, only=only, offline=offline, http=http, yahoo=yahoo,
                           on_series=on_series, parent=parent)


def revenue_rules(assumptions_path: Path | None = None) -> RevenueRules:
    """The build's staleness rules for basket revenue, from catalogs/assumptions.toml [ragged_edge]: the one
    place they are set, for the SQL marts and the models alike."""
    edge = load_assumptions(assumptions_path).ragged_edge
    return RevenueRules(filing_lag_days=edge.filing_lag_days, max_overdue_quarters=edge.max_overdue_quarters)


def build(settings: Settings, *, as_of: datetime | None = None, parent: str | None = None,
          publish: bool = False) -> BuildReport:
    """Rebuild the marts from raw and run the data checks (published by :func:`publish`, or here with
    ``publish``)."""
    return jobs.build_job(settings, as_of=as_of, publish=publish, parent=parent, revenue_rules=revenue_rules())


def publish(settings: Settings) -> Path:
    """Publish the marts and meta to analytics.duckdb (readers keep the previous file until the rename)."""
    return jobs.publish_job(settings)


# -- estimate: the divergence and bubble tests --------------------------------------------------------------------


def critical_values_source(settings: Settings | None, notes: list[str],
                           announce: Callable[[str], None] | None = None, folder: Path | None = None):
    """Monte Carlo critical values from the shared cache (GAPCAST_CACHE_DIR, else the home's cache/), keyed by T,
    window, lag, replications, seed and kernel version; simulated and stored when absent. A cache that cannot be
    read or written is noted, never fatal."""
    from models import api  # statsmodels and scipy load when a model first runs, not for ingest and build

    folder = folder or settings.cache_dir / "bubbles"

    def source(n: int, *, min_window: int | None = None, lag: int = 0, reps: int = api.DEFAULT_REPS,
               seed: int = api.DEFAULT_SEED):
        key = api.cache_key(n, min_window, lag, reps, seed)
        data, problem = cache.read_json(folder, key)
        if data is not None:
            try:
                cv = api.CriticalValues.from_dict(data)
                if cv.key == key:
                    return cv, "cache"
                problem = f"cache {folder / key}.json holds {cv.key}"
            except (ValueError, KeyError, TypeError) as exc:
                problem = f"cache {folder / key}.json unreadable ({exc})"
        if problem:
            notes.append(f"critical-value {problem}; simulated again")
        if announce is not None:
            window = api.psy_min_window(n) if min_window is None else int(min_window)
            seconds = api.estimated_simulation_seconds(n, window, lag, reps)
            if seconds > 5:
                announce(f"simulating critical values for T={n} ({reps:,} replications): about {seconds:,.0f} s "
                         f"of work; cached in {folder} for later runs")
        cv = api.simulate_critical_values(n, min_window=min_window, lag=lag, reps=reps, seed=seed)
        problem = cache.write_json(folder, key, cv.to_dict())
        if problem:
            notes.append(f"critical values {problem}")
        return cv, "simulated"

    return source


@dataclass
class EstimateReport:
    run_id: str
    data_as_of: datetime | None
    rows: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    critical_values: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    months: tuple[str, str] | None = None
    assumptions: object | None = None  # models.config.Assumptions
    synthetic: bool | None = None
    reused: str | None = None  # the run whose results were kept because the inputs had not changed


def estimate(settings: Settings, *, assumptions_path: Path | None = None, con=None, run_id: str | None = None,
             reuse: bool = True, parent: str | None = None) -> EstimateReport:
    """The AI basket, divergence measures and bubble tests on the built marts, written to their marts (reused
    when the inputs, assumptions and models are those of the published results)."""
    from models import api  # statsmodels and scipy load when a model first runs, not for ingest and build

    started = time.perf_counter()
    if con is None and not settings.pipeline_db.exists():
        raise EstimateError(f"{settings.pipeline_db} does not exist: run `gapcast run` (or ingest and build) first")
    assumptions = load_assumptions(assumptions_path)
    with recorded_run(settings, "estimate", con=con, run_id=run_id, parent=parent) as run:
        try:
            results.require_marts(run.con, ["prices_daily", "fundamentals_quarterly", "series"],
                                  str(settings.pipeline_db), "gapcast build")
        except results.ResultsError as exc:
            raise EstimateError(str(exc)) from None
        as_of = results.data_as_of(run.con)
        report = EstimateReport(run_id=run.run_id, data_as_of=as_of, assumptions=assumptions)
        inputs = results.divergence_inputs(run.con, str(assumptions.value("required_revenue", "gpu_vendor")))
        frontier, labs = results.progress_frontier(run.con), results.lab_valuations(run.con)
        fingerprint = results.fingerprint_of(inputs["prices"], inputs["fundamentals"], list(inputs["members"]),
                                             list(inputs["hyperscalers"]), inputs["segments"], inputs["lab_revenue"],
                                             frontier, labs, Path(assumptions.path).read_bytes(),
                                             _code_version("estimate"))
        reused = results.reusable_run(run.con, "estimate", fingerprint) if reuse else None
        if reused:
            report.reused = reused
            run.message = f"reused the results of run {reused}: inputs, assumptions and models unchanged"
            report.seconds = time.perf_counter() - started
            return report
        notes: list[str] = []
        est = api.estimate_divergence(assumptions, inputs["members"], inputs["hyperscalers"], inputs["prices"],
                                      inputs["fundamentals"], critical_values_source(settings, notes),
                                      segments=inputs["segments"], lab_revenue=inputs["lab_revenue"])
        capital = est.tables["divergence_monthly"].reindex(
            columns=["month", "basket_market_cap", "basket_ttm_revenue_filed"]).rename(
            columns={"basket_ttm_revenue_filed": "basket_ttm_revenue"})  # revenue as filed by each month's end
        synthetic = bool(est.synthetic) or bool(frontier["synthetic"].fillna(False).astype(bool).any())
        try:
            progress = api.capital_progress(frontier, capital,
                                            critical_values=critical_values_source(settings, notes),
                                            synthetic=synthetic, labs=labs)
        except Exception as exc:  # a failed progress model is recorded; the divergence results still publish
            progress = api.failed_progress(f"{type(exc).__name__}: {exc}", synthetic=synthetic)
        report.warnings = list(est.warnings) + notes + [f"capital_progress: {w}" for w in progress.warnings]
        report.critical_values, report.months, report.synthetic = dict(est.critical_values), est.months, est.synthetic
        runs = list(est.runs) + [api.progress_model_run(progress)]
        rows = results.model_run_rows(runs, run_id=run.run_id, as_of=as_of, synthetic=est.synthetic)
        tables = {**est.tables, "progress_index_monthly": progress.index.assign(run_id=""),
                  "capital_progress_monthly": progress.capital.assign(run_id=""),
                  "capital_progress_tests": progress.tests.assign(run_id="")}
        report.rows = results.write_results(run.con, "estimate", tables, rows, run_id=run.run_id,
                                            fingerprint=fingerprint)
    report.seconds = time.perf_counter() - started
    return report


TECH_BASKET = "tech_basket:"  # a SARIMAX regressor from the long tech basket (models.thesis.long_basket)


def sarimax_regressors(con, names: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The SARIMAX regressors by month: ``tech_basket:<column>`` from the long tech basket computed here from its
    members' prices and filed revenue (the thesis's gap, known at each month's end: no other step needs to have
    run), the others as the warehouse holds them (:func:`warehouse.results.regressors`). Returns the frame in
    the order of ``names`` and the names found nowhere."""
    from models import api

    basket_names = [n for n in names if n.startswith(TECH_BASKET)]
    frame, missing = results.regressors(con, [n for n in names if n not in basket_names])
    if basket_names:
        inputs = results.tech_basket_inputs(con)
        try:
            monthly = api.long_basket(inputs["members"], inputs["prices"], inputs["fundamentals"],
                                      ragged_edge=load_assumptions().ragged_edge).monthly
        except api.ThesisInputError:
            missing += basket_names
        else:
            monthly = monthly.set_index(pd.DatetimeIndex(monthly["month"]))
            for name in basket_names:
                column = name[len(TECH_BASKET):]
                if column in monthly.columns and monthly[column].notna().any():
                    frame = frame.join(monthly[column].astype(float).rename(name), how="outer") \
                        if len(frame.columns) else monthly[[column]].astype(float).rename(columns={column: name})
                else:
                    missing.append(name)
    return frame[[n for n in names if n in frame.columns]].sort_index(), [n for n in names if n in missing]


# -- forecast: P(cooling) in the coming March-May ------------------------------------------------------------------


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
    reused: str | None = None


def forecast(settings: Settings, *, config_path: Path | None = None, con=None, run_id: str | None = None,
             reuse: bool = True, parent: str | None = None) -> ForecastReport:
    """Every talent target's cooling forecast (paths, P(cooling), regimes, the nowcast and its news), with the
    headline chosen by the combination rule from the published backtest."""
    from models import api  # statsmodels and scipy load when a model first runs, not for ingest and build

    started = time.perf_counter()
    config = load_cooling_config(config_path)
    with recorded_run(settings, "forecast", con=con, run_id=run_id, parent=parent) as run:
        as_of = results.data_as_of(run.con)
        report = ForecastReport(run_id=run.run_id, data_as_of=as_of)
        targets = results.talent_targets(run.con)
        regressors, missing = sarimax_regressors(run.con, list(config.sarimax.get("regressors", [])))
        nc = config.nowcast
        panel = results.nowcast_panel(run.con, list(nc["series"]), bool(nc["market_cap"])) \
            if nc.get("enabled", True) and len(targets) else None
        skill = results.backtest_skill(run.con)
        gap = results.published_gap_test(run.con)
        if results.backtest_outdated(run.con):
            report.warnings.append("the published backtest predates this version's live-lead scores, so no model "
                                   "but the default can be chosen: run `gapcast backtest` again")
        as_of_month = pd.Timestamp(as_of).to_period("M").to_timestamp() if as_of is not None else None
        fingerprint = results.fingerprint_of(targets, regressors, missing, panel if panel is not None else "none",
                                             skill, gap, as_of_month, Path(config.path).read_bytes(),
                                             _code_version("forecast"))
        reused = results.reusable_run(run.con, "forecast", fingerprint) if reuse else None
        if reused:
            report.reused = reused
            run.message = f"reused the results of run {reused}: inputs, configuration and models unchanged"
            report.seconds = time.perf_counter() - started
            return report
        live = api.live_forecast(config, targets, regressors, missing, panel, skill, as_of, gap)
        report.season, report.synthetic = live.season, live.synthetic
        report.probabilities = {k: dict(v) for k, v in live.probabilities.items()}
        for r in live.runs:
            report.statuses[r.model] = r.status
            report.warnings.extend(r.warnings)
        rows = results.model_run_rows(live.runs, run_id=run.run_id, as_of=as_of, synthetic=live.synthetic)
        report.rows = results.write_results(run.con, "forecast", live.tables, rows, run_id=run.run_id,
                                            fingerprint=fingerprint)
    report.seconds = time.perf_counter() - started
    return report


# -- backtest ---------------------------------------------------------------------------------------------------


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
    runner: str = "in process"
    seconds: float = 0.0
    synthetic: bool | None = None
    forecast: ForecastReport | None = None  # the forecast the backtest flow re-ran on these scores


def worker_count(configured: int) -> int:
    """Workers for the backtest's origins: 0 means one per CPU, at most 4."""
    return max(1, min(4, os.cpu_count() or 1) if int(configured) == 0 else int(configured))


def batches(tasks: tuple, workers: int) -> list[tuple]:
    """The origin tasks in batches, about eight per worker, in order: the units a task runner ships."""
    if not tasks:
        return []
    size = max(1, len(tasks) // max(1, workers * 8))
    return [tuple(tasks[i:i + size]) for i in range(0, len(tasks), size)]


def in_process(units: list[tuple]) -> list[list]:
    """Run the batches here, one after another (the runner of GAPCAST_PREFECT=off and of one worker)."""
    from models import api

    return [api.run_origins(unit) for unit in units]


def backtest(settings: Settings, *, config_path: Path | None = None, first_origin=None, last_origin=None,
             workers: int | None = None, targets: list[str] | None = None,
             runner: Callable[[list[tuple]], list[list]] | None = None, runner_name: str = "in process",
             ) -> BacktestReport:
    """Rolling-origin forecasts of every talent target, each with only the data known at its origin, scored against
    what happened, into marts.backtest_*. ``runner`` maps :func:`models.api.run_origins` over batches of origins
    (flows.pipeline gives a Prefect task runner: a local process pool or Dask)."""
    from models import api  # statsmodels and scipy load when a model first runs, not for ingest and build

    started = time.perf_counter()
    if not settings.pipeline_db.exists():
        raise BacktestError(f"{settings.pipeline_db} does not exist: run `gapcast run` first")
    config = load_cooling_config(config_path)
    bt, nc = config.backtest, config.nowcast
    with recorded_run(settings, "backtest") as run:
        try:
            results.require_marts(run.con, ["divergence_monthly", "hiring_monthly"], str(settings.pipeline_db),
                                  "gapcast run")
        except results.ResultsError as exc:
            raise BacktestError(str(exc)) from None
        as_of = results.data_as_of(run.con)
        report = BacktestReport(run_id=run.run_id, data_as_of=as_of)
        report.workers = worker_count(int(workers if workers is not None else bt["workers"]))
        vintages = results.target_vintages(run.con, list(nc["series"]))
        final = results.talent_targets(run.con)
        regressors, missing = sarimax_regressors(run.con, list(config.sarimax.get("regressors", [])))
        if missing:
            raise BacktestError(f"{config.path}: sarimax.regressors {missing} are neither columns of "
                                "marts.divergence_monthly nor tech_basket:/macro:/layoffs:/funding: series with data")
        if final.empty:
            raise BacktestError("no talent target (marts.hiring_monthly.talent_target) has data: run `gapcast build`")
        report.synthetic = bool(final["synthetic"].any())
        panel = results.nowcast_panel(run.con, list(nc["series"]), bool(nc["market_cap"])) \
            if nc.get("enabled", True) and "nowcast" in bt["models"] else None
        try:
            plan = api.plan_backtest(config, vintages, final, regressors, panel, first_origin=first_origin,
                                     last_origin=last_origin, targets=targets)
        except api.BacktestPlanError as exc:
            raise BacktestError(str(exc)) from None
        report.origins, report.data_basis = dict(plan.origins), dict(plan.data_basis)
        units = batches(plan.tasks, report.workers)
        if runner is None or report.workers <= 1:
            outcome, report.runner = in_process(units), "in process"
        else:
            outcome, report.runner = runner(units), runner_name
        tables = api.backtest_tables(plan, [r for chunk in outcome for r in chunk], final, report.synthetic)
        report.statuses, report.warnings, report.headline = tables.statuses, list(tables.warnings), tables.headline
        record = api.ModelRun("backtest", "ok" if len(tables.tables["backtest_forecasts"]) else "skipped",
                              {"config": str(config.path), "backtest": bt, "sarimax": plan.settings.sarimax,
                               "regimes": plan.settings.regimes, "workers": report.workers,
                               "runner": report.runner},
                              {"origins": report.origins, "data_basis": report.data_basis,
                               "statuses": report.statuses, "seconds": time.perf_counter() - started},
                              tuple(report.warnings[:50]))
        rows = results.model_run_rows([record], run_id=run.run_id, as_of=as_of, synthetic=report.synthetic)
        report.rows = results.write_results(run.con, "backtest", tables.tables, rows, run_id=run.run_id)
        report.rows.pop("model_runs", None)
        run.rows_added = sum(report.rows.values())
    report.seconds = time.perf_counter() - started
    return report


# -- report and send ---------------------------------------------------------------------------------------------


def report(settings: Settings, month: str | None = None, *, out_dir: Path | None = None):
    """Write the month's report files (HTML, text, PDF, CSV) from analytics.duckdb."""
    from dashboards.report import build_report

    return build_report(settings, month, out_dir)


def send(settings: Settings, files, *, force: bool = False, sleep=None):
    """Email the month's report once (again only with ``force``); every attempt is recorded."""
    from dashboards.report.email import deliver
    from warehouse import db

    con = db.connect_pipeline(settings)
    try:
        return deliver(files, settings, con, force=force, sleep=sleep)
    finally:
        con.close()


def run_summary(settings: Settings, catalog_name: str | None, run_id: str, ingested: dict, built: dict) -> Path:
    """outputs/last_run.json for schedulers and people: what the run loaded, built, estimated and published."""
    from warehouse.catalog import load_catalog

    catalog = load_catalog(catalog_name or settings.catalog, settings, check_files=False)
    sources = ingested.get("sources", {})
    estimated = built.get("estimate") or {}
    return jobs.write_run_summary(settings, {
        "label": "SYNTHETIC sample data, not market data" if catalog.synthetic else "real data",
        "synthetic": catalog.synthetic,
        "run_id": run_id,
        "catalog": catalog.name,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "as_of": built.get("as_of"),
        "series": sum(s["series"] for s in sources.values()),
        "series_failed": {k: v for s in sources.values() for k, v in s.get("failed", {}).items()},
        "sources_failed": ingested.get("failed", {}),
        "raw_rows_added": sum(s["rows_added"] for s in sources.values()),
        "mart_rows": built.get("marts", {}),
        "model_rows": estimated.get("rows", {}),
        "model_warnings": estimated.get("warnings", 0),
        "models_reused": bool(estimated.get("reused")),
        "model_error": built.get("model_error"),
        "checks_passed": built.get("checks_passed", 0),
        "checks": built.get("checks", 0),
        "analytics_db": built.get("published"),
    })


# -- thesis: does the valuation gap lead the talent market? -------------------------------------------------------


@dataclass
class ThesisReport:
    run_id: str
    data_as_of: datetime | None
    verdicts: list[str] = field(default_factory=list)
    basket: dict[str, object] = field(default_factory=dict)  # what the long basket shows (peak, latest, episodes)
    rows: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    synthetic: bool | None = None
    reused: str | None = None  # the run whose published results were reused (inputs and models unchanged)


class ThesisError(RuntimeError):
    """The thesis tests cannot run (the marts are not built, or no tech_basket member); the previous results stay."""


def thesis(settings: Settings, *, config_path: Path | None = None, assumptions_path: Path | None = None, con=None,
           run_id: str | None = None, parent: str | None = None, reuse: bool = True) -> ThesisReport:
    """The long tech basket and the thesis tests (models/thesis.py) on the built marts, written to
    marts.tech_basket_monthly and marts.thesis_tests (docs/thesis.md); reused when the inputs, configuration and
    models are those of the published results (the tests are the same numbers then: their null draws are seeded)."""
    from models import api  # statsmodels and scipy load when a model first runs, not for ingest and build

    started = time.perf_counter()
    config = load_cooling_config(config_path)
    assumptions = load_assumptions(assumptions_path)
    lags = {sid: int(t.get("publication_lag", 1)) for sid, t in config.targets.items()}
    with recorded_run(settings, "thesis", con=con, run_id=run_id, parent=parent) as run:
        try:
            results.require_marts(run.con, ["prices_daily", "fundamentals_quarterly", "series", "hiring_monthly",
                                            "macro_monthly"], str(settings.pipeline_db), "gapcast build")
        except results.ResultsError as exc:
            raise ThesisError(str(exc)) from None
        as_of = results.data_as_of(run.con)
        report = ThesisReport(run_id=run.run_id, data_as_of=as_of)
        inputs = results.thesis_inputs(run.con, sorted(lags))
        fingerprint = results.fingerprint_of(list(inputs["members"]), inputs["prices"], inputs["fundamentals"],
                                             inputs["targets"], inputs["macro"],
                                             inputs["ai"] if inputs["ai"] is not None else "no AI measures",
                                             Path(config.path).read_bytes(),
                                             Path(assumptions.path).read_bytes(), _code_version("thesis"))
        reused = results.reusable_run(run.con, "thesis", fingerprint) if reuse else None
        record = results.model_run_record(run.con, reused, "thesis") if reused else None
        if record is not None and record["status"] == "ok":
            report.reused = reused
            report.basket = dict(record["diagnostics"].get("basket", {}))
            report.verdicts = list(record["diagnostics"].get("verdicts", []))
            report.warnings, report.synthetic = list(record["warnings"]), record["synthetic"]
            run.message = f"reused the results of run {reused}: inputs, configuration and models unchanged"
            report.seconds = time.perf_counter() - started
            return report
        try:
            basket = api.long_basket(inputs["members"], inputs["prices"], inputs["fundamentals"],
                                     ragged_edge=assumptions.ragged_edge)
        except api.ThesisInputError as exc:
            raise ThesisError(f"{exc} ({settings.pipeline_db})") from None
        notes: list[str] = list(basket.warnings)
        monthly = basket.monthly
        ps = monthly.set_index(pd.DatetimeIndex(monthly["month"]))["price_to_sales"].rename("tech_basket_ps")
        fit, why = api.bubble_episodes(ps, critical_values_source(settings, notes))
        if fit is None:
            notes.append(f"long basket bubble test not run: {why}")
            monthly = monthly.assign(in_bubble_episode=None)
            episodes = []
        else:
            episodes = [(e.start, e.peak, e.end) for e in fit.episodes]
            inside = pd.Series(False, index=ps.index)
            for start, _, end in episodes:
                inside.loc[start:(end if end is not None else ps.index[-1])] = True
            monthly = monthly.assign(in_bubble_episode=inside.to_numpy())
        try:
            out = api.run_thesis(monthly, inputs["targets"], inputs["macro"], lags, not_adjusted=frozenset(
                sid for sid, t in config.targets.items() if not t.get("seasonally_adjusted", True)),
                ai=inputs["ai"])
        except api.ThesisInputError as exc:
            raise ThesisError(f"{exc} ({settings.pipeline_db})") from None
        synthetic = bool(monthly["synthetic"].any() or inputs["targets"]["synthetic"].any())
        report.synthetic, report.verdicts = synthetic, list(out.verdicts)
        report.warnings = notes + list(out.warnings)
        window = ps.loc["1998":"2001"]
        report.basket = {
            "first_month": f"{ps.index[0]:%Y-%m}", "last_month": f"{ps.index[-1]:%Y-%m}",
            "peak_1998_2001": [f"{window.idxmax():%Y-%m}", round(float(window.max()), 2)] if len(window) else None,
            "latest": [f"{ps.index[-1]:%Y-%m}", round(float(ps.iloc[-1]), 2)],  # lists: as JSON gives them back
            "episodes": [f"{s:%Y-%m}..{'ongoing' if e is None else f'{e:%Y-%m}'} (peak {p:%Y-%m})"
                         for s, p, e in episodes],
        }
        tables = {"tech_basket_monthly": monthly.assign(synthetic=synthetic, run_id=run.run_id),
                  "thesis_tests": out.tests.assign(synthetic=synthetic, run_id=run.run_id)}
        record = api.ModelRun("thesis", "ok", dict(out.settings), {"basket": report.basket,
                                                                    "verdicts": report.verdicts},
                              tuple(report.warnings))
        rows = results.model_run_rows([record], run_id=run.run_id, as_of=as_of, synthetic=synthetic)
        report.rows = results.write_results(run.con, "thesis", tables, rows, run_id=run.run_id,
                                            fingerprint=fingerprint)
    report.seconds = time.perf_counter() - started
    return report
