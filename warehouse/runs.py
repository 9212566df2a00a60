"""Run bookkeeping: every command records itself in meta.runs when it starts, and how it ended."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import duckdb

from warehouse import db
from warehouse.settings import Settings


def new_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass
class Run:
    """The open run: its id and connection; set ``status``, ``rows_added`` or ``message`` to say how it went
    (the default is ok)."""

    run_id: str
    con: duckdb.DuckDBPyConnection
    status: str = "ok"
    rows_added: int | None = None
    message: str | None = None


def start_run(settings: Settings, command: str, *, catalog=None, as_of: datetime | None = None) -> str:
    """Record a run that spans several steps (``gapcast run``) as running; its id."""
    run_id = new_id()
    con = db.connect_pipeline(settings)
    try:
        con.execute(db.sql_text("jobs/start_run.sql"),
                    [run_id, command, catalog.name if catalog else None, as_of, db.now_utc(),
                     catalog.synthetic if catalog else None])
    finally:
        con.close()
    return run_id


def finish_run(settings: Settings, run_id: str, status: str, rows_added: int | None, message: str | None) -> None:
    con = db.connect_pipeline(settings)
    try:
        con.execute(db.sql_text("jobs/finish_run.sql"), [db.now_utc(), status, rows_added, message, run_id])
    finally:
        con.close()


@contextmanager
def recorded_run(settings: Settings, command: str, *, catalog=None, as_of: datetime | None = None,
                 con: duckdb.DuckDBPyConnection | None = None, run_id: str | None = None,
                 parent: str | None = None) -> Iterator[Run]:
    """Open the pipeline database, record the run as running, and on leaving record it ok (or as the body set it),
    or failed with the error's first line; then close the connection. ``catalog``: the catalog run (its name and
    whether it is synthetic are recorded). Given ``con``, the caller owns the connection and the run's record: the
    body runs on it under ``run_id`` and nothing is recorded here."""
    if con is not None:
        yield Run(run_id or new_id(), con)
        return
    if parent is not None:  # a step of a run recorded by start_run / finish_run: its rows carry the run's id
        con = db.connect_pipeline(settings)
        try:
            yield Run(parent, con)
        finally:
            con.close()
        return
    own = True
    con = db.connect_pipeline(settings)
    run = Run(run_id or new_id(), con)
    try:
        con.execute(db.sql_text("jobs/start_run.sql"),
                    [run.run_id, command, catalog.name if catalog else None, as_of, db.now_utc(),
                     catalog.synthetic if catalog else None])
        try:
            yield run
        except BaseException as exc:
            message = str(exc).splitlines()[0] if str(exc) else repr(exc)
            con.execute(db.sql_text("jobs/finish_run.sql"), [db.now_utc(), "failed", None, message, run.run_id])
            raise
        con.execute(db.sql_text("jobs/finish_run.sql"),
                    [db.now_utc(), run.status, run.rows_added, run.message, run.run_id])
    finally:
        if own:
            con.close()
