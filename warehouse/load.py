"""Append source payloads to raw, idempotently and with vintages: a payload lands whole or not at all."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from warehouse.catalog import Catalog, SeriesSpec
from warehouse.db import now_utc, sql_text, transaction
from warehouse.sources import adapter_for
from warehouse.sources.base import OBSERVATION_COLUMNS, Payload, PayloadError, Records


class IngestError(RuntimeError):
    """Ingest cannot start (e.g. the catalog names adapters this version lacks)."""


@dataclass
class SeriesOutcome:
    series_id: str
    status: str  # ok | unchanged | failed
    payloads: int = 0
    rows_added: int = 0
    rows_rejected: int = 0
    error: str | None = None


@dataclass
class IngestReport:
    run_id: str
    outcomes: list[SeriesOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[SeriesOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def rows_added(self) -> int:
        return sum(o.rows_added for o in self.outcomes)


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def guard_synthetic(con: duckdb.DuckDBPyConnection, catalog: Catalog, home: str) -> None:
    """A home holds real data or the synthetic sample, never both (series ids would mix)."""
    # fetchall, not fetchone: DuckDB refuses further work while a result is half-read.
    rows = con.execute("SELECT value FROM meta.warehouse WHERE key = 'synthetic'").fetchall()
    row = rows[0] if rows else None
    wanted = "true" if catalog.synthetic else "false"
    if row is None:
        con.execute("INSERT INTO meta.warehouse VALUES ('synthetic', ?)", [wanted])
        return
    if row[0] != wanted:
        held = "the synthetic sample" if row[0] == "true" else "real data"
        raise IngestError(
            f"{home} already holds {held}; catalog {catalog.name!r} is "
            f"{'synthetic' if catalog.synthetic else 'real'}. Use another home for it, e.g. "
            f"--home ./data/{catalog.name}"
        )


def register_catalog(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> None:
    frame = pd.DataFrame(
        [
            {
                "series_id": s.id,
                "ticker": s.symbol,
                "catalog": catalog.name,
                "kind": s.kind,
                "adapter": s.adapter,
                "frequency": s.frequency,
                "unit": s.unit,
                "roles": list(s.roles),
                "name": s.name,
                "description": s.description,
                "synthetic": s.synthetic,
                "updated_at": now_utc(),
            }
            for s in catalog.series
        ]
    )
    con.register("catalog_series", frame)
    try:
        con.execute(sql_text("load/upsert_series.sql"))
    finally:
        con.unregister("catalog_series")


def require_adapters(catalog: Catalog) -> None:
    """Refuse a catalog naming adapters this version lacks, before anything is opened or written."""
    missing = catalog.missing_adapters()
    if missing:
        lines = "; ".join(f"{name} ({len(ids)} series, e.g. {ids[0]})" for name, ids in sorted(missing.items()))
        raise IngestError(
            f"catalog {catalog.name!r} ({catalog.path}) uses adapters this version does not have yet: {lines}. "
            "Run with --catalog snapshot (the real files) or --catalog sample (synthetic) instead"
        )


def ingest(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    *,
    run_id: str,
    home: str,
    only: set[str] | None = None,
    on_series: Callable[[SeriesSpec, SeriesOutcome], None] | None = None,
) -> IngestReport:
    """Load every series of the catalog into raw; a failing series is recorded and the others go on."""
    require_adapters(catalog)
    guard_synthetic(con, catalog, home)
    register_catalog(con, catalog)
    report = IngestReport(run_id=run_id)
    for series in catalog.series:
        if only and series.id not in only:
            continue
        outcome = ingest_series(con, series, run_id=run_id)
        report.outcomes.append(outcome)
        if on_series:
            on_series(series, outcome)
    return report


def ingest_series(con: duckdb.DuckDBPyConnection, series: SeriesSpec, *, run_id: str) -> SeriesOutcome:
    """Fetch and parse every payload of a series, then append them all in one transaction."""
    adapter = adapter_for(series.adapter)
    outcome = SeriesOutcome(series.id, "unchanged")
    try:
        parsed: list[tuple[Payload, Records]] = []
        for query in adapter.queries(series):
            payload = adapter.fetch(query)
            outcome.payloads += 1
            seen = con.execute(sql_text("load/payload_seen.sql"), [series.id, payload.sha256]).fetchall()[0][0]
            if seen:
                continue
            parsed.append((payload, adapter.parse(payload)))
        if parsed:
            with transaction(con):
                for payload, records in parsed:
                    added, rejected = _append(con, series, payload, records, run_id)
                    outcome.rows_added += added
                    outcome.rows_rejected += rejected
            outcome.status = "ok"
    except PayloadError as exc:
        outcome.status = "failed"
        outcome.error = str(exc)
    except Exception as exc:  # an adapter bug must not stop the other series; it is recorded in full
        outcome.status = "failed"
        outcome.error = f"series {series.id}: unexpected {type(exc).__name__}: {exc}"
    con.execute(
        sql_text("load/record_attempt.sql"),
        [run_id, series.id, now_utc(), outcome.status, outcome.payloads, outcome.rows_added, outcome.error],
    )
    return outcome


def _append(
    con: duckdb.DuckDBPyConnection,
    series: SeriesSpec,
    payload: Payload,
    records: Records,
    run_id: str,
) -> tuple[int, int]:
    batch_id = new_id()
    retrieved_at: datetime = payload.retrieved_at
    params = {
        "batch_id": batch_id,
        "source": series.adapter,
        "series_id": series.id,
        "retrieved_at": retrieved_at,
        "synthetic": series.synthetic,
    }
    frame = records.frame
    if records.record_type == "observations":
        incoming = frame[list(OBSERVATION_COLUMNS)].copy()
        incoming["published_at"] = pd.to_datetime(incoming["published_at"]).dt.date
        statement = "load/append_observations.sql"
    else:
        incoming = frame
        statement = "load/append_layoff_events.sql"
    before = _count(con, records.record_type, series.id)
    con.register("incoming", incoming)
    try:
        con.execute(sql_text(statement), params)
    finally:
        con.unregister("incoming")
    added = _count(con, records.record_type, series.id) - before
    if records.rejected:
        rejected = pd.DataFrame(
            [{"line": r.line, "reason": r.reason, "content": r.content} for r in records.rejected]
        )
        con.register("rejected", rejected)
        try:
            con.execute(
                sql_text("load/record_rejected.sql"),
                {"batch_id": batch_id, "series_id": series.id, "origin": payload.origin, "retrieved_at": retrieved_at},
            )
        finally:
            con.unregister("rejected")
    con.execute(
        sql_text("load/record_batch.sql"),
        [
            batch_id,
            run_id,
            series.adapter,
            series.id,
            payload.origin,
            payload.sha256,
            records.record_type,
            retrieved_at,
            now_utc(),
            len(frame),
            added,
            len(records.rejected),
            records.skipped_missing,
            series.synthetic,
        ],
    )
    return added, len(records.rejected)


def _count(con: duckdb.DuckDBPyConnection, record_type: str, series_id: str) -> int:
    statement = "load/count_observations.sql" if record_type == "observations" else "load/count_layoff_events.sql"
    return con.execute(sql_text(statement), [series_id]).fetchall()[0][0]
