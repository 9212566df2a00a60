"""Append source payloads to raw, idempotently and with vintages: a payload lands whole or not at all."""

from __future__ import annotations

import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from warehouse.catalog import Catalog, SeriesSpec
from warehouse.db import now_utc, registered, sql_text, transaction
from warehouse.faults import crash_point
from warehouse.http import HttpClient, HttpError, HttpPolicy, SourceUnreachable, redact_url
from warehouse.settings import Settings, load_settings
from warehouse.sources import ADAPTERS, adapter_for
from warehouse.sources.base import OBSERVATION_COLUMNS, Payload, PayloadError, Records, SourceContext


class IngestError(RuntimeError):
    """Ingest cannot start (e.g. the catalog names adapters this version lacks)."""


@dataclass
class SeriesOutcome:
    series_id: str
    status: str  # ok | unchanged | skipped | failed
    payloads: int = 0
    rows_added: int = 0
    rows_rejected: int = 0
    error: str | None = None
    source: str = ""
    unreachable: bool = False  # the source's host could not be reached at all


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


class NetworkUnavailable(IngestError):
    """No live source can be reached: the run stops before opening either database."""


def make_context(
    settings: Settings, con: duckdb.DuckDBPyConnection | None = None, http: HttpClient | None = None
) -> SourceContext:
    """What the adapters are handed: settings, the HTTP client, and what raw already holds."""
    last: dict[tuple[str, str], object] = {}
    origins: frozenset[str] = frozenset()
    if con is not None:
        last = {(sid, f): d for sid, f, d in con.execute(sql_text("load/last_observed.sql")).fetchall()}
        origins = frozenset(r[0] for r in con.execute(sql_text("load/loaded_origins.sql")).fetchall())
    return SourceContext(settings=settings, http=http, last_observed=last, loaded_origins=origins)


def make_http(settings: Settings) -> HttpClient:
    policy = HttpPolicy(attempts=settings.http_attempts)
    return HttpClient(policy, cache_path=settings.home / "cache" / "http.sqlite")


def preflight(catalog: Catalog, context: SourceContext, *, offline: bool = False,
              stop_when_down: bool = True) -> dict[str, str]:
    """Per live adapter of the catalog, why it cannot work now (missing settings, host unreachable).

    Raises NetworkUnavailable when no live source can be reached and the catalog has nothing else to
    load, so a run without network stops at once with one line per source and writes nothing.
    """
    live = {s.adapter for s in catalog.series if ADAPTERS[s.adapter].live}
    if offline or not live:
        return {}
    problems: dict[str, str] = {}
    urls: dict[str, str] = {}
    for name in sorted(live):
        adapter = adapter_for(name)
        reason = adapter.probe(context)
        if reason:
            problems[name] = reason
        elif context.http is not None and adapter.preflight_url(context):
            urls[name] = adapter.preflight_url(context)
    if urls:
        with ThreadPoolExecutor(max_workers=min(8, len(urls))) as pool:
            checks = dict(zip(urls, pool.map(context.http.check, urls.values())))
        problems.update({name: reason for name, reason in checks.items() if reason})
    has_files = any(not ADAPTERS[s.adapter].live for s in catalog.series)
    if stop_when_down and problems and set(problems) == live and not has_files:
        lines = "\n".join(f"  {name}: {problems[name]}" for name in sorted(problems))
        raise NetworkUnavailable(
            f"no live source can be used; nothing was fetched or written:\n{lines}\n"
            "Run with --catalog sample (synthetic) or --catalog snapshot (the real files) instead"
        )
    return problems


def dry_run(catalog: Catalog, context: SourceContext, *, only: set[str] | None = None) -> list[dict]:
    """What an ingest would fetch, and from where, without fetching or writing anything."""
    plan = []
    for series in catalog.series:
        if only and series.id not in only:
            continue
        adapter = adapter_for(series.adapter)
        try:
            queries = adapter.queries(series, context)
        except PayloadError as exc:
            plan.append({"series_id": series.id, "adapter": series.adapter, "location": None, "note": str(exc)})
            continue
        for query in queries:
            start = query.params.get("_start") or (query.params.get("_http_params") or {}).get("cosd") \
                or (query.params.get("_http_params") or {}).get("observation_start")
            plan.append({
                "series_id": series.id,
                "adapter": series.adapter,
                "location": redact_url(query.location),
                "note": f"from {start}" if start else ("full history" if adapter.live else "file"),
            })
    return plan


def ingest(
    con: duckdb.DuckDBPyConnection,
    catalog: Catalog,
    *,
    run_id: str,
    home: str,
    context: SourceContext | None = None,
    only: set[str] | None = None,
    offline: bool = False,
    unusable: dict[str, str] | None = None,
    on_series: Callable[[SeriesSpec, SeriesOutcome], None] | None = None,
) -> IngestReport:
    """Load every series of the catalog into raw; a failing series is recorded and the others go on.

    ``offline`` skips live sources (what raw holds is kept); ``unusable`` maps live adapters that the
    preflight found unusable to the reason, and their series fail with it without being tried.
    """
    guard_synthetic(con, catalog, home)
    register_catalog(con, catalog)
    context = context or make_context(load_settings(), con)
    unusable = dict(unusable or {})
    report = IngestReport(run_id=run_id)
    chosen = [s for s in catalog.series if not only or s.id in only]
    by_adapter: dict[str, list[SeriesSpec]] = {}
    for series in chosen:
        by_adapter.setdefault(series.adapter, []).append(series)
    for name, members in by_adapter.items():
        adapter = adapter_for(name)
        if offline and adapter.live or name in unusable:
            continue
        try:
            adapter.prepare(members, context)
        except Exception as exc:  # the adapter's series all fail with this reason, the others go on
            unusable[name] = f"{type(exc).__name__}: {exc}"
    for series in chosen:
        adapter = adapter_for(series.adapter)
        if offline and adapter.live:
            outcome = SeriesOutcome(series.id, "skipped", source=series.adapter)
        elif series.adapter in unusable:
            outcome = SeriesOutcome(series.id, "failed", error=f"{series.adapter}: {unusable[series.adapter]}",
                                    source=series.adapter, unreachable=True)
            _record_attempt(con, run_id, outcome)
        else:
            outcome = ingest_series(con, series, run_id=run_id, context=context)
        report.outcomes.append(outcome)
        if on_series:
            on_series(series, outcome)
    return report


def ingest_series(
    con: duckdb.DuckDBPyConnection, series: SeriesSpec, *, run_id: str, context: SourceContext | None = None
) -> SeriesOutcome:
    """Fetch, parse and append each payload of a series, each payload in its own transaction.

    A payload lands whole or not at all; a failure stops the series, and what its earlier payloads
    added stays (a rerun skips them: same bytes, or a data set already loaded). Each payload is parsed on a
    worker thread while the one before it is written (DuckDB releases the interpreter while it writes), one
    payload ahead at most; payloads still land one by one, in order.
    """
    adapter = adapter_for(series.adapter)
    outcome = SeriesOutcome(series.id, "unchanged", source=series.adapter)

    landed: set[str] = set()  # the payloads this call wrote (the pipeline lock keeps other writers out)

    def check(payload: Payload, parsed: Future) -> Records | None:
        """The parsed records of a payload about to land, or None when an earlier payload of this run had the same
        bytes; raises for a vintage conflict or a parse error (the series stops there). It was not loaded before
        this call began (it would not be parsing), so only what this call wrote can have the same bytes."""
        if payload.sha256 in landed:
            return None
        pinned = payload.query.retrieved_at is not None  # the catalog names this payload's retrieval time
        conflict = pinned and con.execute(
            sql_text("load/vintage_conflict.sql"), [series.id, payload.origin, payload.retrieved_at, payload.sha256]
        ).fetchall()[0][0]
        if conflict:
            # A vintage is known by its retrieval time: two different files cannot both be it.
            raise payload.error(
                f"the file changed since it was loaded as the vintage retrieved {payload.retrieved_at:%Y-%m-%d %H:%M}",
                hint="give the corrected file a new retrieved_at in the catalog, so both vintages are kept",
            )
        return parsed.result()

    def write(payload: Payload, records: Records | None) -> None:
        if records is None:
            return
        crash_point("ingest.before_append")
        with transaction(con):
            added, rejected = _append(con, series, payload, records, run_id)
            crash_point("ingest.in_transaction")
        crash_point("ingest.after_commit")
        landed.add(payload.sha256)
        outcome.rows_added += added
        outcome.rows_rejected += rejected
        outcome.status = "ok"

    end = object()
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gapcast-parse") as parser:
            queries = iter(adapter.queries(series, context))
            ahead: tuple[Payload, Future] | None = None  # fetched, parsing on the worker
            while True:
                # Payload i is checked (parsed, no conflict) before payload i+1 is fetched, so a doomed payload stops
                # the series without another request; i+1 then parses on the worker while i is written.
                ready = None
                if ahead is not None:
                    previous, ahead = ahead, None
                    ready = (previous[0], check(*previous))
                try:
                    query = next(queries, end)
                    payload = None if query is end else adapter.fetch(query, context)
                except Exception:
                    if ready is not None:  # the payload before a failed fetch still lands, as it would have
                        write(*ready)
                    raise
                if payload is not None:
                    outcome.payloads += 1
                    if not _seen(con, series, payload):
                        ahead = (payload, parser.submit(adapter.parse, payload))
                if ready is not None:
                    write(*ready)
                if query is end:
                    break
    except PayloadError as exc:
        outcome.status = "failed"
        outcome.error = str(exc)
    except HttpError as exc:
        outcome.status = "failed"
        outcome.error = f"series {series.id}: {exc}"
        outcome.unreachable = isinstance(exc, SourceUnreachable)
    except Exception as exc:  # an adapter bug must not stop the other series; it is recorded in full
        outcome.status = "failed"
        outcome.error = f"series {series.id}: unexpected {type(exc).__name__}: {exc}"
    _record_attempt(con, run_id, outcome)
    return outcome


def _seen(con: duckdb.DuckDBPyConnection, series: SeriesSpec, payload: Payload) -> bool:
    return con.execute(sql_text("load/payload_seen.sql"), [series.id, payload.sha256]).fetchall()[0][0]


def _record_attempt(con: duckdb.DuckDBPyConnection, run_id: str, outcome: SeriesOutcome) -> None:
    con.execute(
        sql_text("load/record_attempt.sql"),
        [run_id, outcome.series_id, now_utc(), outcome.status, outcome.payloads, outcome.rows_added, outcome.error],
    )


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
        # A series' first payload has no earlier vintage to compare with: every row is new (a plain insert).
        first = not con.execute(sql_text("load/series_loaded_before.sql"), [series.id, retrieved_at]).fetchall()[0][0]
        statement = "load/insert_observations.sql" if first else "load/append_observations.sql"
    else:
        incoming = frame
        statement = "load/append_layoff_events.sql"
    with registered(con, "incoming", incoming):
        added = con.execute(sql_text(statement), params).fetchall()[0][0]  # DuckDB's INSERT returns its row count
    if records.rejected:
        rejected = pd.DataFrame(
            [{"line": r.line, "reason": r.reason, "content": r.content} for r in records.rejected]
        )
        with registered(con, "rejected", rejected):
            con.execute(
                sql_text("load/record_rejected.sql"),
                {"batch_id": batch_id, "series_id": series.id, "origin": payload.origin, "retrieved_at": retrieved_at},
            )
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

