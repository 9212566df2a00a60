"""Prefect flows: one per stage, and the daily and monthly parent flows. Each task calls one plain function."""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from warehouse import jobs
from warehouse.load import NetworkUnavailable
from warehouse.settings import Settings, load_settings


class SourceFailed(RuntimeError):
    """Some series of a source failed to load; the task is retried, and the rest of the run goes on."""


def flow_settings(home: str | None, catalog: str | None) -> Settings:
    return load_settings().with_(home=home, catalog=catalog)


def _not_for_retry(task, task_run, state) -> bool:
    """No retries when the network is plainly down: the run should stop at once, not in minutes."""
    try:
        state.result()
    except NetworkUnavailable:
        return False
    except Exception:
        return True
    return True


# Tasks that touch the network retry with growing delays; the others do not retry.
@task(name="preflight", cache_policy=NO_CACHE)
def preflight_task(home: str | None, catalog: str | None, offline: bool) -> dict[str, str]:
    return jobs.preflight_job(flow_settings(home, catalog), catalog, offline=offline)


@task(name="ingest-source", retries=2, retry_delay_seconds=[30, 120], retry_condition_fn=_not_for_retry,
      cache_policy=NO_CACHE)
def ingest_source_task(home: str | None, catalog: str | None, source: str, offline: bool) -> dict:
    report = jobs.ingest_job(flow_settings(home, catalog), catalog, sources={source}, offline=offline)
    summary = {"source": source, "rows_added": report.rows_added,
               "failed": {o.series_id: o.error for o in report.failed}}
    if report.failed:
        raise SourceFailed(f"{source}: {len(report.failed)} series failed: "
                           + "; ".join(f"{k}: {v}" for k, v in list(summary["failed"].items())[:3]))
    return summary


@task(name="build", cache_policy=NO_CACHE)
def build_task(home: str | None, as_of: str | None) -> dict:
    from datetime import datetime

    report = jobs.build_job(flow_settings(home, None), as_of=datetime.fromisoformat(as_of) if as_of else None,
                            publish=False)
    return {"as_of": report.as_of.isoformat(), "marts": report.mart_rows,
            "checks_passed": sum(c.passed for c in report.checks), "checks": len(report.checks)}


@task(name="estimate", cache_policy=NO_CACHE)
def estimate_task(home: str | None) -> dict:
    """The divergence, bubble and cooling-forecast models; Monte Carlo critical values are cached on disk."""
    from warehouse.estimate import estimate_job

    report = estimate_job(flow_settings(home, None), publish=False)
    return {"rows": report.rows, "warnings": len(report.warnings), "seconds": round(report.seconds, 2),
            "forecast": bool(report.forecast)}


@task(name="backtest", cache_policy=NO_CACHE)
def backtest_task(home: str | None) -> dict:
    """The rolling-origin backtest of the cooling forecast (marts.backtest_*), published."""
    from warehouse.backtest import backtest_job

    report = backtest_job(flow_settings(home, None))
    return {"rows": report.rows, "origins": {k: v[2] for k, v in report.origins.items()},
            "statuses": report.statuses, "seconds": round(report.seconds, 1)}


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(home: str | None) -> str:
    return str(jobs.publish_job(flow_settings(home, None)))


@task(name="report", cache_policy=NO_CACHE)
def report_task(home: str | None, month: str | None) -> dict:
    files, _ = jobs.report_job(flow_settings(home, None), month)
    return {"month": files.month, "pdf": str(files.pdf), "html": str(files.html), "csv": str(files.csv),
            "headline": files.rendered.headline_display}


@task(name="send-report", retries=2, retry_delay_seconds=[60, 300], cache_policy=NO_CACHE)
def send_task(home: str | None, month: str | None, force: bool) -> dict:
    files, delivery = jobs.report_job(flow_settings(home, None), month, send=True, force=force)
    return {"month": files.month, "status": delivery.status, "note": delivery.note}


@flow(name="gapcast-ingest")
def ingest_flow(home: str | None = None, catalog: str | None = None, offline: bool = False) -> dict:
    """Preflight, then one task per source; a failing source is retried, then reported, and the others go on."""
    preflight_task(home, catalog, offline)
    results, failed = {}, {}
    for source in jobs.sources_of(flow_settings(home, catalog), catalog):
        state = ingest_source_task(home, catalog, source, offline, return_state=True)
        if state.is_failed():
            failed[source] = str(state.message or "failed")
        else:
            results[source] = state.result()
    return {"sources": results, "failed": failed}


@flow(name="gapcast-build")
def build_flow(home: str | None = None, as_of: str | None = None) -> dict:
    built = build_task(home, as_of)
    estimated = estimate_task(home, return_state=True)
    publish_task(home)  # the marts are published even when the models failed
    if estimated.is_failed():
        estimated.result()  # re-raise: the run is marked failed
    built["estimate"] = estimated.result()
    return built


@flow(name="gapcast-report")
def report_flow(home: str | None = None, month: str | None = None, send: bool = False, force: bool = False) -> dict:
    report = report_task(home, month)
    if send:
        report["delivery"] = send_task(home, month, force)
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


@flow(name="gapcast-daily", on_failure=[_alert_on_failure])
def daily(home: str | None = None, catalog: str | None = None, as_of: str | None = None,
          offline: bool = False) -> dict:
    """Ingest, build, estimate, publish. Fails (after publishing what loaded) when a source failed."""
    ingested = ingest_flow(home, catalog, offline)
    built = build_flow(home, as_of)
    if ingested["failed"]:
        raise SourceFailed("sources failed: " + "; ".join(f"{k}: {v}" for k, v in ingested["failed"].items()))
    return {"ingest": ingested, "build": built}


@flow(name="gapcast-backtest", on_failure=[_alert_on_failure])
def backtest(home: str | None = None) -> dict:
    """Backtest what the warehouse holds; the next forecast's combination rule reads the scores."""
    return backtest_task(home)


@flow(name="gapcast-monthly", on_failure=[_alert_on_failure])
def monthly(home: str | None = None, catalog: str | None = None, month: str | None = None, send: bool = False,
            force: bool = False, offline: bool = False, as_of: str | None = None) -> dict:
    """The daily flow, then the month's report and, with send, its email."""
    state = daily(home, catalog, as_of, offline, return_state=True)
    report = report_flow(home, month, send, force)
    if state.is_failed():
        state.result()  # re-raise: the report went out, but the run is marked failed
    return {"daily": state.result(), "report": report}
