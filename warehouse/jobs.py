"""The jobs gapcast runs (ingest, build, publish, run, status, sql) as plain functions over Settings."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from dataclasses import replace
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from warehouse import db
from warehouse.build import BuildReport, build, series_status
from warehouse.catalog import Catalog, SeriesSpec, load_catalog
from warehouse.http import HttpClient
from warehouse.load import (
    IngestError,
    IngestReport,
    SeriesOutcome,
    dry_run,
    ingest,
    make_context,
    make_http,
    new_id,
    preflight,
    require_adapters,
)
from warehouse.sources import ADAPTERS
from warehouse.settings import Settings

SAMPLE_SEED = 20151


@dataclass
class RunReport:
    run_id: str
    ingest: IngestReport
    build: BuildReport | None
    published_to: str | None
    estimate: object | None = None  # warehouse.estimate.EstimateReport
    estimate_error: str | None = None


def prepare_catalog(settings: Settings, catalog_name: str | None = None) -> Catalog:
    """Load the catalog; for the sample, generate its synthetic files first (deterministic, cached)."""
    catalog = load_catalog(catalog_name or settings.catalog, settings)
    require_adapters(catalog)
    if catalog.synthetic and catalog.root == settings.sample_dir:
        ensure_sample(settings, catalog.sample_end_month)
    return catalog


def ensure_sample(settings: Settings, end_month: str) -> None:
    from warehouse.sample import generate_sample

    marker = settings.sample_dir / ".generated"
    stamp = f"{end_month} {SAMPLE_SEED}"
    if marker.exists() and marker.read_text().strip() == stamp:
        return
    generate_sample(settings.sample_dir, end_month=end_month, seed=SAMPLE_SEED)
    marker.write_text(stamp + "\n")


def _start_run(con, run_id: str, command: str, catalog: Catalog | None, as_of: datetime | None) -> None:
    con.execute(
        db.sql_text("jobs/start_run.sql"),
        [run_id, command, catalog.name if catalog else None, as_of, db.now_utc(),
         catalog.synthetic if catalog else None],
    )


def _finish_run(con, run_id: str, status: str, rows_added: int | None, message: str | None) -> None:
    con.execute(db.sql_text("jobs/finish_run.sql"), [db.now_utc(), status, rows_added, message, run_id])


def ingest_job(
    settings: Settings,
    catalog_name: str | None = None,
    *,
    only: set[str] | None = None,
    sources: set[str] | None = None,
    offline: bool = False,
    on_series: Callable[[SeriesSpec, SeriesOutcome], None] | None = None,
    http: HttpClient | None = None,
    yahoo: object | None = None,
) -> IngestReport:
    """Load the catalog's sources into raw. Stops before writing anything when no live source is usable.

    ``only`` limits the run to some series ids, ``sources`` to some adapters (the flows run one task a source).
    """
    catalog = prepare_catalog(settings, catalog_name)
    if sources:
        catalog = replace(catalog, series=tuple(s for s in catalog.series if s.adapter in sources))
    if only:
        unknown = only - {s.id for s in catalog.series}
        if unknown:
            raise IngestError(f"no series {sorted(unknown)} in catalog {catalog.name!r}; "
                              f"`gapcast catalog {catalog.name}` lists them")
    with _http_for(settings, catalog, http) as client:
        probe_context = make_context(settings, None, client)
        unusable = preflight(catalog, probe_context, offline=offline)
        con = db.connect_pipeline(settings)
        run_id = new_id()
        try:
            _start_run(con, run_id, "ingest", catalog, None)
            context = make_context(settings, con, client)
            context.yahoo = yahoo
            try:
                report = ingest(con, catalog, run_id=run_id, home=str(settings.home), context=context, only=only,
                                offline=offline, unusable=unusable, on_series=on_series)
            except Exception as exc:
                _finish_run(con, run_id, "failed", None, str(exc))
                raise
            status = "failed" if report.failed else "ok"
            _finish_run(con, run_id, status, report.rows_added, _failures_message(report))
            return report
        finally:
            con.close()


@contextmanager
def _http_for(settings: Settings, catalog: Catalog, http: HttpClient | None):
    """The HTTP client for a live catalog (given, or made and closed here); None for files only."""
    if http is not None or not any(ADAPTERS[s.adapter].live for s in catalog.series):
        yield http
        return
    client = make_http(settings)
    try:
        yield client
    finally:
        client.close()


def dry_run_job(settings: Settings, catalog_name: str | None = None, *, only: set[str] | None = None) -> list[dict]:
    """What ingest would fetch and from where; reads the pipeline database only if no one is writing it."""
    catalog = prepare_catalog(settings, catalog_name)
    con = None
    if settings.pipeline_db.exists():
        try:
            con = duckdb.connect(str(settings.pipeline_db), read_only=True)
        except duckdb.IOException:
            con = None
    try:
        return dry_run(catalog, make_context(settings, con, None), only=only)
    finally:
        if con is not None:
            con.close()


def build_job(
    settings: Settings,
    *,
    as_of: datetime | None = None,
    publish: bool = True,
    con: duckdb.DuckDBPyConnection | None = None,
    run_id: str | None = None,
) -> BuildReport:
    own = con is None
    con = con or db.connect_pipeline(settings)
    run_id = run_id or new_id()
    try:
        if own:
            _start_run(con, run_id, "build", None, as_of)
        try:
            report = build(con, run_id=run_id, as_of=as_of, stale_factor=settings.stale_factor)
            if own:
                _finish_run(con, run_id, "ok", None, None)
            if publish:
                db.clean_stale_publish_files(settings)
                db.publish(con, settings)
        except Exception as exc:
            if own:
                _finish_run(con, run_id, "failed", None, str(exc).splitlines()[0])
            raise
        return report
    finally:
        if own:
            con.close()


def run_job(
    settings: Settings,
    catalog_name: str | None = None,
    *,
    as_of: datetime | None = None,
    offline: bool = False,
    on_series: Callable[[SeriesSpec, SeriesOutcome], None] | None = None,
    on_stage: Callable[[str], None] | None = None,
    http: HttpClient | None = None,
    yahoo: object | None = None,
) -> RunReport:
    """Ingest, build and publish. A series that fails to load is recorded; the others still publish.

    With a live catalog and no usable source at all, stops before opening either database.
    """
    catalog = prepare_catalog(settings, catalog_name)
    run_id = new_id()
    with _http_for(settings, catalog, http) as client:
        if on_stage:
            on_stage("preflight")
        unusable = preflight(catalog, make_context(settings, None, client), offline=offline)
        con = db.connect_pipeline(settings)
        try:
            _start_run(con, run_id, "run", catalog, as_of)
            try:
                if on_stage:
                    on_stage("ingest")
                context = make_context(settings, con, client)
                context.yahoo = yahoo
                ingest_report = ingest(con, catalog, run_id=run_id, home=str(settings.home), context=context,
                                       offline=offline, unusable=unusable, on_series=on_series)
                if on_stage:
                    on_stage("build")
                build_report = build(con, run_id=run_id, as_of=as_of, stale_factor=settings.stale_factor)
                if on_stage:
                    on_stage("estimate")
                from warehouse.estimate import estimate

                # The models read the marts; if they fail, the marts are still published and the run says so.
                estimate_report, estimate_error = None, None
                try:
                    estimate_report = estimate(con, run_id=run_id, settings=settings)
                    if on_stage:
                        on_stage("forecast")
                    from warehouse.forecast import forecast

                    estimate_report.forecast = forecast(con, run_id=run_id, settings=settings)
                except Exception as exc:
                    estimate_error = f"estimate failed ({type(exc).__name__}): {str(exc).splitlines()[0][:300]}"
                # Record the outcome before publishing so the published meta.runs shows this run.
                message = "; ".join(m for m in (_failures_message(ingest_report), estimate_error) if m) or None
                status = "failed" if ingest_report.failed or estimate_error else "ok"
                _finish_run(con, run_id, status, ingest_report.rows_added, message)
                if on_stage:
                    on_stage("publish")
                db.clean_stale_publish_files(settings)
                target = db.publish(con, settings)
            except Exception as exc:
                _finish_run(con, run_id, "failed", None, str(exc).splitlines()[0])
                raise
            report = RunReport(run_id, ingest_report, build_report, str(target), estimate_report, estimate_error)
            write_run_summary(settings, catalog, report)
            return report
        finally:
            con.close()


def sources_of(settings: Settings, catalog_name: str | None = None) -> list[str]:
    """The adapters a catalog uses, in the order its series first name them."""
    catalog = load_catalog(catalog_name or settings.catalog, settings, check_files=False)
    return list(dict.fromkeys(s.adapter for s in catalog.series))


def preflight_job(settings: Settings, catalog_name: str | None = None, *, offline: bool = False) -> dict[str, str]:
    """Why each live source of the catalog cannot be used now; raises NetworkUnavailable if none can."""
    catalog = prepare_catalog(settings, catalog_name)
    with _http_for(settings, catalog, None) as client:
        return preflight(catalog, make_context(settings, None, client), offline=offline)


def publish_job(settings: Settings) -> Path:
    """Publish the marts and meta of the pipeline's database to analytics.duckdb."""
    con = db.connect_pipeline(settings)
    try:
        db.clean_stale_publish_files(settings)
        return db.publish(con, settings)
    finally:
        con.close()


def report_job(settings: Settings, month: str | None = None, *, out_dir: Path | None = None, send: bool = False,
               force: bool = False, sleep=None):
    """Write the month's report files; with send, email them once (again only with force)."""
    from dashboards.report import build_report
    from dashboards.report.email import deliver

    files = build_report(settings, month, out_dir)
    delivery = None
    if send:
        con = db.connect_pipeline(settings)
        try:
            delivery = deliver(files, settings, con, force=force, sleep=sleep)
        finally:
            con.close()
    return files, delivery


def write_run_summary(settings: Settings, catalog: Catalog, report: RunReport) -> Path:
    """outputs/last_run.json: what the last run loaded, built and published, for schedulers and people."""
    settings.outputs_dir.mkdir(parents=True, exist_ok=True)
    summary = {
        "label": "SYNTHETIC sample data, not market data" if catalog.synthetic else "real data",
        "synthetic": catalog.synthetic,
        "run_id": report.run_id,
        "catalog": catalog.name,
        "finished_at": db.now_utc().isoformat(timespec="seconds"),
        "as_of": report.build.as_of.isoformat(timespec="seconds") if report.build else None,
        "series": len(report.ingest.outcomes),
        "series_failed": {o.series_id: o.error for o in report.ingest.failed},
        "raw_rows_added": report.ingest.rows_added,
        "mart_rows": report.build.mart_rows if report.build else {},
        "model_rows": report.estimate.rows if report.estimate else {},
        "model_warnings": len(report.estimate.warnings) if report.estimate else 0,
        "checks_passed": sum(c.passed for c in report.build.checks) if report.build else 0,
        "checks": len(report.build.checks) if report.build else 0,
        "analytics_db": report.published_to,
    }
    path = settings.outputs_dir / "last_run.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(summary, indent=2) + "\n")
    tmp.replace(path)
    return path


def _failures_message(report: IngestReport) -> str | None:
    if not report.failed:
        return None
    return f"{len(report.failed)} series failed: " + "; ".join(o.error or o.series_id for o in report.failed)


def deliveries_job(settings: Settings) -> pd.DataFrame:
    """The last report delivery attempts (sent or failed, with the reason), if the pipeline database is free."""
    if not settings.pipeline_db.exists():
        return pd.DataFrame()
    try:
        con = duckdb.connect(str(settings.pipeline_db), read_only=True)
    except duckdb.IOException:
        return pd.DataFrame()
    try:
        return con.execute(db.sql_text("report/last_deliveries.sql")).df()
    except duckdb.CatalogException:
        return pd.DataFrame()
    finally:
        con.close()


def status_job(settings: Settings) -> tuple[pd.DataFrame, str]:
    """Series status, live from the pipeline's database when free, else as last published."""
    if settings.pipeline_db.exists():
        try:
            con = duckdb.connect(str(settings.pipeline_db), read_only=True)
        except duckdb.IOException:
            con = None
        if con is not None:
            try:
                return series_status(con, settings.stale_factor), str(settings.pipeline_db)
            finally:
                con.close()
    con = db.connect_analytics(settings)
    try:
        return con.execute("SELECT * FROM meta.series_status").df(), f"{settings.analytics_db} (as last published)"
    finally:
        con.close()


_WRITE_WORDS = re.compile(
    r"^\s*(insert|update|delete|create|drop|alter|attach|detach|copy|export|import|install|load|"
    r"set|reset|pragma|call|checkpoint|vacuum|begin|commit|rollback|truncate|merge|use)\b",
    re.IGNORECASE,
)


class QueryRefused(ValueError):
    """A query gapcast sql will not run."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple]


def sql_job(settings: Settings, query: str) -> QueryResult:
    """Run one read-only query on analytics.duckdb; writes, file access and extensions are refused."""
    if _WRITE_WORDS.match(_strip_comments(query)):
        word = _WRITE_WORDS.match(_strip_comments(query)).group(1).upper()
        raise QueryRefused(
            f"{word} statements are refused: gapcast sql is read-only on {settings.analytics_db}. "
            "Use SELECT (or WITH ... SELECT, DESCRIBE, SUMMARIZE, SHOW)"
        )
    con = db.connect_analytics(settings)
    try:
        try:
            cursor = con.execute(query)
            if cursor.description is None:
                return QueryResult([], [])
            columns = [d[0] for d in cursor.description]
            return QueryResult(columns, cursor.fetchall())
        except (duckdb.InvalidInputException, duckdb.PermissionException) as exc:
            raise QueryRefused(f"refused: {str(exc).splitlines()[0]} (gapcast sql is read-only)") from None
    finally:
        con.close()


def _strip_comments(query: str) -> str:
    lines = [ln for ln in query.splitlines() if not ln.strip().startswith("--")]
    return re.sub(r"/\*.*?\*/", " ", "\n".join(lines), flags=re.DOTALL)
