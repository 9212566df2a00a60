"""The warehouse's own jobs over Settings: ingest, build, publish, status and what a run would fetch."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import replace
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from warehouse import db
from warehouse.build import BuildReport, RevenueRules, build, series_status
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
    preflight,
)
from warehouse.sources import ADAPTERS
from warehouse.runs import recorded_run
from warehouse.settings import Settings

SAMPLE_SEED = 20151


def prepare_catalog(settings: Settings, catalog_name: str | None = None) -> Catalog:
    """Load the catalog; for the sample, generate its synthetic files first (deterministic, cached)."""
    catalog = load_catalog(catalog_name or settings.catalog, settings)
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
    parent: str | None = None,
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
        # One source of a run (the flows ingest source by source, after the run's own preflight): an unreachable
        # source is recorded as failed series, not a stop.
        unusable = preflight(catalog, probe_context, offline=offline, stop_when_down=not sources)
        with recorded_run(settings, "ingest", catalog=catalog, parent=parent) as run:
            context = make_context(settings, run.con, client)
            context.yahoo = yahoo
            report = ingest(run.con, catalog, run_id=run.run_id, home=str(settings.home), context=context,
                            only=only, offline=offline, unusable=unusable, on_series=on_series)
            run.status = "failed" if report.failed else "ok"
            run.rows_added, run.message = report.rows_added, _failures_message(report)
            return report


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


def build_job(settings: Settings, *, as_of: datetime | None = None, publish: bool = True,
              parent: str | None = None, revenue_rules: RevenueRules = RevenueRules()) -> BuildReport:
    """Rebuild the marts from raw in one transaction and run the data checks; with ``publish``, publish."""
    with recorded_run(settings, "build", as_of=as_of, parent=parent) as run:
        report = build(run.con, run_id=run.run_id, as_of=as_of, stale_factor=settings.stale_factor,
                       revenue_rules=revenue_rules)
    if publish:
        publish_job(settings)
    return report


def publish_job(settings: Settings) -> Path:
    """Publish the marts and meta of the pipeline's database to analytics.duckdb."""
    con = db.connect_pipeline(settings)
    try:
        db.clean_stale_publish_files(settings)
        return db.publish(con, settings)
    finally:
        con.close()


def sources_of(settings: Settings, catalog_name: str | None = None) -> list[str]:
    """The adapters a catalog uses, in the order its series first name them."""
    catalog = load_catalog(catalog_name or settings.catalog, settings, check_files=False)
    return list(dict.fromkeys(s.adapter for s in catalog.series))


def preflight_job(settings: Settings, catalog_name: str | None = None, *, offline: bool = False,
                  http: HttpClient | None = None) -> dict[str, str]:
    """Why each live source of the catalog cannot be used now; raises NetworkUnavailable if none can."""
    catalog = prepare_catalog(settings, catalog_name)
    with _http_for(settings, catalog, http) as client:
        return preflight(catalog, make_context(settings, None, client), offline=offline)


def write_run_summary(settings: Settings, summary: dict) -> Path:
    """outputs/last_run.json: what the last run loaded, built and published, for schedulers and people."""
    settings.outputs_dir.mkdir(parents=True, exist_ok=True)
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


