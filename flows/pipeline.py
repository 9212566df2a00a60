"""The Prefect flows: each task wraps one step of flows/steps.py, and the flows only order them.

The order is written once. ``gapcast run`` with GAPCAST_PREFECT=off runs the same flow functions inside
:func:`plain`, where every task and subflow is called as the plain function it wraps (no Prefect API, no retries),
so there is no second copy of the pipeline.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from flows import steps
from warehouse import jobs
from warehouse.load import NetworkUnavailable
from warehouse.settings import Settings, load_settings

_PLAIN: ContextVar[bool] = ContextVar("gapcast_plain", default=False)


class Step:
    """A task or flow of this module with its Prefect options. A plain run calls ``fn``; the Prefect task or flow is
    made when Prefect first uses it, so a run with GAPCAST_PREFECT=off never imports Prefect (0.8 s and 45 MiB of
    every plain run, measured). Where Prefect is already loaded (the CLI under Prefect, Prefect's own engine loading a
    deployment's entrypoint) the decorators below return Prefect's objects themselves."""

    def __init__(self, kind: str, fn, options: dict):
        self.kind, self.fn, self.options, self._prefect = kind, fn, options, None
        functools.update_wrapper(self, fn)

    @property
    def prefect(self):
        if self._prefect is None:
            self._prefect = _make(self.kind, self.fn, self.options)
        return self._prefect

    def __call__(self, *args, **kwargs):
        return self.prefect(*args, **kwargs)

    def __getattr__(self, name: str):  # with_options, to_deployment, ...: Prefect's own
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.prefect, name)


def _make(kind: str, fn, options: dict):
    import prefect

    if kind == "task":
        from prefect.cache_policies import NO_CACHE

        # Every step reads and writes the warehouse: Prefect's input cache must never skip one.
        return prefect.task(cache_policy=NO_CACHE, **options)(fn)
    return prefect.flow(**options)(fn)


def _declare(kind: str, options: dict):
    def wrap(fn):
        return _make(kind, fn, options) if "prefect" in sys.modules else Step(kind, fn, options)

    return wrap


def task(**options):
    return _declare("task", options)


def flow(**options):
    return _declare("flow", options)


class SourceFailed(RuntimeError):
    """Some series of a source failed to load; the task is retried, and the rest of the run goes on."""

    def __init__(self, message: str, result: dict | None = None):
        super().__init__(message)
        self.result = result


class SourceDown(NetworkUnavailable):
    """A source's host could not be reached at all: not retried (the run goes on without it)."""

    def __init__(self, message: str, result: dict | None = None):
        super().__init__(message)
        self.result = result


_INJECTED: ContextVar[dict] = ContextVar("gapcast_injected_clients", default={})
_SETTINGS: ContextVar[Settings | None] = ContextVar("gapcast_settings", default=None)


@contextmanager
def plain(settings: Settings | None = None, **clients) -> Iterator[None]:
    """Within this block the flows call their steps directly, without Prefect (GAPCAST_PREFECT=off). ``settings``
    replace those read from the environment (the flows' parameters still set the home and catalog); ``clients``
    (``http``, ``yahoo``) replace the ingest's own, for tests on recorded responses."""
    token, injected, given = _PLAIN.set(True), _INJECTED.set(clients), _SETTINGS.set(settings)
    try:
        yield
    finally:
        _PLAIN.reset(token)
        _INJECTED.reset(injected)
        _SETTINGS.reset(given)


@dataclass
class Outcome:
    """How a task or subflow ended: its value, or the error it raised."""

    value: object = None
    error: BaseException | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    def result(self):
        if self.error is not None:
            raise self.error
        return self.value


def attempt(step, *args, **kwargs) -> Outcome:
    """Call a task or subflow and say how it ended, under Prefect or (inside :func:`plain`) as a plain call."""
    if _PLAIN.get():
        try:
            return Outcome(step.fn(*args, **kwargs))
        except Exception as exc:
            return Outcome(error=exc)
    state = step(*args, return_state=True, **kwargs)
    if state.is_failed() or state.is_crashed():
        error = state.result(raise_on_failure=False)
        return Outcome(error=error if isinstance(error, BaseException) else RuntimeError(str(state.message)))
    return Outcome(state.result())


def call(step, *args, **kwargs):
    """Call a task or subflow for its value (its error propagates)."""
    return attempt(step, *args, **kwargs).result()


def flow_settings(home: str | None, catalog: str | None = None) -> Settings:
    return (_SETTINGS.get() or load_settings()).with_(home=home, catalog=catalog)


def _not_for_retry(task, task_run, state) -> bool:
    """No retries when the network is plainly down: the run should stop at once, not in minutes."""
    try:
        state.result()
    except NetworkUnavailable:
        return False
    except Exception:
        return True
    return True


# -- tasks: one step each; only those that touch the network retry, with growing delays -----------------------


@task(name="preflight")
def preflight_task(home: str | None, catalog: str | None, offline: bool) -> dict[str, str]:
    return jobs.preflight_job(flow_settings(home, catalog), catalog, offline=offline,
                              http=_INJECTED.get().get("http"))


@task(name="ingest-source", retries=2, retry_delay_seconds=[30, 120], retry_condition_fn=_not_for_retry)
def ingest_source_task(home: str | None, catalog: str | None, source: str, offline: bool,
                       parent: str | None = None) -> dict:
    report = steps.ingest(flow_settings(home, catalog), sources={source}, offline=offline, parent=parent,
                          **_INJECTED.get())
    summary = {"source": source, "rows_added": report.rows_added, "series": len(report.outcomes),
               "changed": sum(1 for o in report.outcomes if o.status == "ok"),
               "skipped": sum(1 for o in report.outcomes if o.status == "skipped"),
               "failed": {o.series_id: o.error for o in report.failed}, "outcomes": report.outcomes}
    if report.failed:
        kind = SourceDown if all(o.unreachable for o in report.failed) else SourceFailed
        raise kind(f"{len(report.failed)} series failed: "
                   + "; ".join(f"{k}: {v}" for k, v in list(summary["failed"].items())[:3]), summary)
    return summary


@task(name="build")
def build_task(home: str | None, as_of: str | None, parent: str | None = None):
    return steps.build(flow_settings(home), as_of=datetime.fromisoformat(as_of) if as_of else None, parent=parent)


@task(name="estimate")
def estimate_task(home: str | None, parent: str | None = None) -> steps.EstimateReport:
    """The divergence measures and bubble tests; Monte Carlo critical values come from the shared cache."""
    return steps.estimate(flow_settings(home), parent=parent)


@task(name="forecast")
def forecast_task(home: str | None, parent: str | None = None, config: str | None = None) -> steps.ForecastReport:
    """The cooling forecast of every talent target, headline by the combination rule (``config``: the cooling
    configuration, default catalogs/cooling.toml)."""
    return steps.forecast(flow_settings(home), parent=parent, config_path=config)


@task(name="thesis")
def thesis_task(home: str | None, parent: str | None = None) -> steps.ThesisReport:
    """The long tech basket and the thesis tests (does the valuation gap lead the talent market?)."""
    return steps.thesis(flow_settings(home), parent=parent)


@flow(name="gapcast-thesis")
def thesis_flow(home: str | None = None) -> dict:
    """`gapcast thesis` (and the monthly flow, before its report): the thesis tests, then publish."""
    report = call(thesis_task, home)
    return {"thesis": report, "published": call(publish_task, home)}


@task(name="publish")
def publish_task(home: str | None) -> str:
    return str(steps.publish(flow_settings(home)))


@task(name="report")
def report_task(home: str | None, month: str | None) -> dict:
    files = steps.report(flow_settings(home), month)
    return {"month": files.month, "pdf": str(files.pdf), "html": str(files.html), "csv": str(files.csv),
            "headline": files.rendered.headline_display}


@task(name="send-report", retries=2, retry_delay_seconds=[60, 300])
def send_task(home: str | None, month: str | None, force: bool) -> dict:
    settings = flow_settings(home)
    files = steps.report(settings, month)
    delivery = steps.send(settings, files, force=force)
    return {"month": files.month, "status": delivery.status, "note": delivery.note,
            "recipients": list(delivery.recipients)}


# -- flows: the order, written once ----------------------------------------------------------------------------


@flow(name="gapcast-ingest")
def ingest_flow(home: str | None = None, catalog: str | None = None, offline: bool = False,
                parent: str | None = None) -> dict:
    """One task per source (after the parent flow's preflight); a failing source is retried, then reported, and
    the others go on."""
    results, failed = {}, {}
    for source in jobs.sources_of(flow_settings(home, catalog), catalog):
        outcome = attempt(ingest_source_task, home, catalog, source, offline, parent)
        if outcome.failed:
            failed[source] = str(outcome.error)
            if getattr(outcome.error, "result", None):
                results[source] = outcome.error.result
        else:
            results[source] = outcome.value
    return {"sources": results, "failed": failed}


@flow(name="gapcast-models")
def models_flow(home: str | None = None, parent: str | None = None) -> dict:
    """Estimate (divergence, bubbles), then forecast; a failure is reported, not raised, so that the marts still
    publish."""
    estimated = attempt(estimate_task, home, parent)
    forecasted = attempt(forecast_task, home, parent) if not estimated.failed else Outcome(error=estimated.error)
    failure = estimated.error or forecasted.error
    return {"estimate": estimated.value, "forecast": forecasted.value,
            "model_error": None if failure is None else
            f"{type(failure).__name__}: {str(failure).splitlines()[0][:300] if str(failure) else ''}",
            "error": failure}


@flow(name="gapcast-estimate")
def estimate_flow(home: str | None = None) -> dict:
    """`gapcast estimate`: the models on the built marts, then publish."""
    fitted = call(models_flow, home)
    fitted["published"] = call(publish_task, home)
    return fitted


@flow(name="gapcast-build")
def build_flow(home: str | None = None, as_of: str | None = None, parent: str | None = None) -> dict:
    """Build, then estimate and forecast: a model step that fails is reported, not raised, so that the marts still
    publish (the parent flow then fails after publishing, saying which)."""
    built = call(build_task, home, as_of, parent)
    fitted = call(models_flow, home, parent)
    return {"as_of": built.as_of.isoformat(), "marts": built.mart_rows,
            "checks_passed": sum(c.passed for c in built.checks), "checks": len(built.checks),
            "estimate": _model_summary(fitted["estimate"]),
            "forecast": _model_summary(fitted["forecast"]), "model_error": fitted["model_error"],
            "reports": {"build": built, "estimate": fitted["estimate"], "forecast": fitted["forecast"]}}


def _model_summary(report) -> dict | None:
    if report is None:
        return None
    return {"rows": report.rows, "warnings": len(report.warnings), "seconds": round(report.seconds, 2),
            "reused": report.reused}


@flow(name="gapcast-report")
def report_flow(home: str | None = None, month: str | None = None, send: bool = False, force: bool = False) -> dict:
    report = call(report_task, home, month)
    if send:
        report["delivery"] = call(send_task, home, month, force)
    return report


def _alert_on_failure(flow, flow_run, state) -> None:
    """A failed scheduled run tells the report's recipients, briefly (if mail is configured)."""
    from dashboards.report.email import send_alert

    home = (flow_run.parameters or {}).get("home")
    try:
        settings = flow_settings(home, None)
        send_alert(settings, f"{flow.name} failed",
                   f"The {flow.name} run {flow_run.name} failed: {state.message}\n"
                   f"See `gapcast status` on the machine that runs gapcast.")
    except Exception:  # an alert must never hide the failure it reports
        pass


class ModelsFailed(RuntimeError):
    """A model step failed after the marts were published."""

    def __init__(self, message: str, result: dict | None = None):
        super().__init__(message)
        self.result = result


@task(name="run-summary")
def summary_task(home: str | None, catalog: str | None, run_id: str, ingested: dict, built: dict) -> str:
    return str(steps.run_summary(flow_settings(home, catalog), catalog, run_id, ingested, built))


@flow(name="gapcast-daily", on_failure=[_alert_on_failure])
def daily(home: str | None = None, catalog: str | None = None, as_of: str | None = None,
          offline: bool = False) -> dict:
    """Ingest, build, estimate, forecast, publish, recorded as one run in meta.runs. Fails (after publishing what
    loaded) when a source or a model failed."""
    call(preflight_task, home, catalog, offline)  # no network at all: stop before anything is written
    run_id = call(start_task, home, catalog, as_of)
    try:
        ingested = call(ingest_flow, home, catalog, offline, run_id)
        built = call(build_flow, home, as_of, run_id)
    except Exception as exc:
        call(finish_task, home, run_id, "failed", None, str(exc).splitlines()[0] if str(exc) else repr(exc))
        raise
    failures = "; ".join(f"{k}: {v}" for k, v in ingested["failed"].items())
    message = "; ".join(m for m in (f"sources failed: {failures}" if failures else "",
                                    f"models failed: {built['model_error']}" if built.get("model_error") else "")
                        if m) or None
    rows = sum(s["rows_added"] for s in ingested["sources"].values())
    reused = [f"{step} reused the results of run {built[step]['reused']} (inputs unchanged)"
              for step in ("estimate", "forecast") if (built.get(step) or {}).get("reused")]
    message = "; ".join(filter(None, [message, *reused])) or None
    status = "failed" if failures or built.get("model_error") else "ok"
    # Recorded before publishing, so that the published meta.runs shows this run as it ended.
    call(finish_task, home, run_id, status, rows, message)
    try:
        built["published"] = call(publish_task, home)
    except Exception as exc:
        call(finish_task, home, run_id, "failed", rows, f"publish failed: {str(exc).splitlines()[0] if str(exc) else exc!r}")
        raise
    result = {"run_id": run_id, "ingest": ingested, "build": built,
              "summary": call(summary_task, home, catalog, run_id, ingested, built)}
    if ingested["failed"]:
        series = {f"{sid} ({source})": why for source, summary in ingested["sources"].items()
                  if source in ingested["failed"] for sid, why in summary.get("failed", {}).items()}
        whole = [source for source in ingested["failed"] if not ingested["sources"].get(source, {}).get("failed")]
        what = ", ".join(filter(None, [f"{len(series)} series" if series else "",
                                        f"source(s) {', '.join(whole)}" if whole else ""]))
        detail = "; ".join([f"{sid}: {why}" for sid, why in series.items()]
                           + [f"{source}: {ingested['failed'][source]}" for source in whole])
        raise SourceFailed(f"{what} failed to load (the rest were built and published; see `gapcast status`): "
                           + detail, result)
    if built.get("model_error"):
        raise ModelsFailed(f"{built['model_error']} (the marts were built and published without fresh model "
                           "results)", result)
    return result


@task(name="start-run")
def start_task(home: str | None, catalog: str | None, as_of: str | None) -> str:
    return steps.start(flow_settings(home, catalog), "run", catalog,
                       datetime.fromisoformat(as_of) if as_of else None)


@task(name="finish-run")
def finish_task(home: str | None, run_id: str, status: str, rows_added: int | None, message: str | None) -> None:
    steps.finish(flow_settings(home), run_id, status, rows_added, message)


@flow(name="gapcast-backtest", on_failure=[_alert_on_failure])
def backtest(home: str | None = None, workers: int | None = None, first: str | None = None, last: str | None = None,
             targets: list[str] | None = None, config: str | None = None, dask: bool = False) -> dict:
    """Backtest what the warehouse holds, on a task runner; then forecast again, so that the combination rule
    picks the headline from these scores, and publish both."""
    settings = flow_settings(home)
    report = call(backtest_task, home, workers, first, last, targets, config, dask, settings.dask_address)
    # The combination rule reads the scores just written: forecast again, so that the published headline is the one
    # these scores choose, never the one chosen before them.
    report.forecast = call(forecast_task, home, None, config)  # with the backtest's configuration
    call(publish_task, home)
    return report


@task(name="backtest")
def backtest_task(home: str | None, workers: int | None, first: str | None, last: str | None,
                  targets: list[str] | None, config: str | None, dask: bool, dask_address: str | None):
    import pandas as pd

    settings = flow_settings(home)
    n = steps.worker_count(workers if workers is not None else _configured_workers(config))
    runner, name = origin_runner(n, dask=dask, address=dask_address)
    return steps.backtest(settings, config_path=config, workers=n, targets=targets,
                          first_origin=pd.Timestamp(f"{first}-01") if first else None,
                          last_origin=pd.Timestamp(f"{last}-01") if last else None,
                          runner=runner, runner_name=name)


def _configured_workers(config: str | None) -> int:
    from flows.config import load_cooling_config

    return int(load_cooling_config(config).backtest["workers"])


BLAS_THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def origin_runner(workers: int | None, *, dask: bool = False, address: str | None = None):
    """How the backtest's origin batches run: on a running dask.distributed scheduler at ``address``
    (GAPCAST_DASK_ADDRESS), or on a Dask LocalCluster of ``workers`` single-threaded processes started for the run
    (``--dask``, or any run with more than one worker); else in this process. The batches are pure functions of
    their data, so the results are the same whichever runs them."""
    if not (address or dask or (workers or 0) > 1):
        return None, "in process"

    def run(units: list[tuple]) -> list[list]:
        import dask.config
        from distributed import Client, LocalCluster

        from models.api import run_origins

        if address:
            with Client(address) as client:
                return client.gather(client.map(run_origins, units, pure=False))
        # One BLAS thread per worker: the workers already fill the cores, and threaded reductions would make a
        # fit's last bits (and so, at the margin, whether the optimizer converges) depend on scheduling.
        with dask.config.set({"distributed.nanny.pre-spawn-environ": BLAS_THREADS}):
            with LocalCluster(n_workers=max(1, workers or 2), threads_per_worker=1, processes=True,
                              dashboard_address=None, silence_logs=50) as cluster, Client(cluster) as client:
                return client.gather(client.map(run_origins, units, pure=False))

    name = f"Dask at {address}" if address else f"Dask LocalCluster ({max(1, workers or 2)} workers)"
    return run, name


@flow(name="gapcast-monthly", on_failure=[_alert_on_failure])
def monthly(home: str | None = None, catalog: str | None = None, month: str | None = None, send: bool = False,
            force: bool = False, offline: bool = False, as_of: str | None = None) -> dict:
    """The daily flow, then the month's report and, with send, its email."""
    ran = attempt(daily, home, catalog, as_of, offline)
    # the thesis tests once a month, before the report (whose section reads them); a failure is reported by
    # `gapcast run` and in the result, not raised: the report still goes out
    thesis = attempt(thesis_flow, home) if not ran.failed else None
    report = call(report_flow, home, month, send, force)
    if ran.failed:  # the report went out, but the run is marked failed (and still says where the report is)
        if getattr(ran.error, "result", None) is not None:
            ran.error.result = {"daily": ran.error.result, "report": report}
        raise ran.error
    return {"daily": ran.value, "report": report,
            "thesis": None if thesis is None else thesis.value if not thesis.failed else
            f"failed: {type(thesis.error).__name__}: {str(thesis.error).splitlines()[0][:300]}"}


@dataclass
class RunReport:
    """What :func:`run_plain` ran: the ingest (every source's series), the build, the models and the publish."""

    run_id: str
    ingest: object  # warehouse.load.IngestReport
    build: object | None
    estimate: object | None
    forecast: object | None
    estimate_error: str | None
    published_to: str | None
    error: BaseException | None = None


def run_plain(settings: Settings, catalog: str | None = None, *, as_of: datetime | None = None,
              offline: bool = False, http=None, yahoo=None) -> RunReport:
    """The daily flow as plain calls (what GAPCAST_PREFECT=off runs), with its reports; for tests and scripts.
    ``http`` and ``yahoo`` replace the ingest's clients."""
    from warehouse.load import IngestReport

    with plain(settings, **{k: v for k, v in (("http", http), ("yahoo", yahoo)) if v is not None}):
        outcome = attempt(daily, str(settings.home), catalog or settings.catalog,
                          as_of.isoformat() if as_of else None, offline)
    result = outcome.value if outcome.error is None else getattr(outcome.error, "result", None)
    if result is None:
        raise outcome.error
    outcomes = [o for s in result["ingest"]["sources"].values() for o in s.get("outcomes", [])]
    built = result["build"]
    reports = built.get("reports", {})
    return RunReport(result["run_id"], IngestReport(result["run_id"], outcomes), reports.get("build"),
                     reports.get("estimate"), reports.get("forecast"), built.get("model_error"),
                     built.get("published"), outcome.error)
