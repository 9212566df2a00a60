"""The only place that opens DuckDB: the pipeline's database, migrations, and publishing to analysts."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse.faults import crash_point
from warehouse.settings import Settings

SQL_DIR = Path(__file__).resolve().parent / "sql"
PUBLISHED_SCHEMAS = ("marts", "meta")

# Connections analysts get: read-only, no file system, no extensions, and no way to change that.
READ_ONLY_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


class WarehouseError(RuntimeError):
    """A database problem stated with where it happened and what to do."""


def sql_text(relative: str) -> str:
    """The text of a .sql file under warehouse/sql/ (read once a process: the files are code, not data)."""
    return _read_sql(SQL_DIR / relative)


@functools.lru_cache(maxsize=None)
def _read_sql(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def sql_files(folder: str) -> list[Path]:
    return sorted((SQL_DIR / folder).glob("*.sql"))


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def connect_pipeline(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open the pipeline's database read-write and bring its schema up to date."""
    settings.home.mkdir(parents=True, exist_ok=True)
    path = settings.pipeline_db
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseError(
                f"{path} is in use by another process (another gapcast run, or a client holding it open). "
                "Wait for it to finish, or close that client; analysts should open analytics.duckdb instead"
            ) from None
        raise WarehouseError(f"cannot open {path}: {exc}") from None
    migrate(con)
    return con


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply schema files in order, once each; record them in meta.schema_migrations."""
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(sql_text("migrations.sql"))
    applied = {row[0]: row[1] for row in con.execute("SELECT version, checksum FROM meta.schema_migrations").fetchall()}
    done = []
    for path in sql_files("schema"):
        version = path.stem
        text = path.read_text(encoding="utf-8")
        checksum = hashlib.sha256(text.encode()).hexdigest()
        if version in applied:
            if applied[version] != checksum:
                raise WarehouseError(
                    f"schema file {path.name} changed after it was applied to this database. "
                    "Add a new numbered schema file for the change instead of editing an applied one"
                )
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(text)
            con.execute("INSERT INTO meta.schema_migrations VALUES (?, ?, ?)", [version, checksum, now_utc()])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        done.append(version)
    return done


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection):
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def write_frame(con: duckdb.DuckDBPyConnection, sql_file: str, frame_name: str, frame) -> None:
    """Run ``sql/<sql_file>`` with a pandas frame registered as ``frame_name`` (the name the file reads), and
    unregister it whatever happens. Callers wrap their writes in :func:`transaction`."""
    with registered(con, frame_name, frame):
        con.execute(sql_text(sql_file))


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame):
    """``frame`` registered as the view ``name`` within the block, unregistered after it. When the block fails inside
    a transaction, DuckDB refuses every statement until the rollback, unregistering included: that refusal must not
    replace the error that says what went wrong."""
    con.register(name, frame)
    try:
        yield
    except BaseException:
        try:
            con.unregister(name)
        except duckdb.Error:
            pass  # the view goes with the connection or the rollback; the original error is the one to see
        raise
    con.unregister(name)


# READ_ONLY_CONFIG in two steps: these two would forbid the ATTACH itself, so they are set after it.
_AFTER_ATTACH = ("enable_external_access", "lock_configuration")


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A published file read-only, in a private in-memory instance locked down as READ_ONLY_CONFIG.

    Not duckdb.connect(path): DuckDB shares one instance per path within a process, so while any
    connection to the previous file is open, a new connection by path would read that previous file
    after a publish renamed a new one over it. An ATTACH in a fresh instance opens the file at the path now.
    """
    early = {k: v for k, v in READ_ONLY_CONFIG.items() if k not in _AFTER_ATTACH}
    con = duckdb.connect(":memory:", config=early)
    try:
        con.execute("ATTACH ? AS analytics (READ_ONLY)", [str(path)])
        con.execute("USE analytics")
        # Fixed settings, not input; SET takes no parameters. Order matters: the lock comes last.
        for key in _AFTER_ATTACH:
            con.execute(f"SET {key} = {'true' if READ_ONLY_CONFIG[key] else 'false'}")
    except BaseException:
        con.close()
        raise
    return con


def connect_analytics(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open the published analysts' database read-only, with file access and extensions locked out."""
    path = settings.analytics_db
    if not path.exists():
        raise WarehouseError(
            f"{path} does not exist yet: nothing has been published. Run `gapcast run` (or ingest then build) first"
        )
    return open_read_only(path)


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _write_published(con: duckdb.DuckDBPyConnection, tmp: Path, tables, columns) -> None:
    """Copy marts and meta, with their comments, into a new database file at ``tmp``, checkpointed whole."""
    con.execute("ATTACH ? AS publish_target", [str(tmp)])
    crash_point("publish.after_attach")
    try:
        # DDL cannot take identifiers or comments as parameters; both come from our own catalog,
        # quoted, never from outside input.
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"CREATE SCHEMA publish_target.{_quote_ident(schema)}")
        for schema, table, comment in tables:
            name = f"{_quote_ident(schema)}.{_quote_ident(table)}"
            con.execute(f"CREATE TABLE publish_target.{name} AS SELECT * FROM {name}")
            crash_point("publish.table")
            if comment:
                con.execute(f"COMMENT ON TABLE publish_target.{name} IS {_quote_literal(comment)}")
        for schema, table, column, comment in columns:
            name = f"publish_target.{_quote_ident(schema)}.{_quote_ident(table)}.{_quote_ident(column)}"
            con.execute(f"COMMENT ON COLUMN {name} IS {_quote_literal(comment)}")
        con.execute("CHECKPOINT publish_target")
    finally:
        con.execute("DETACH publish_target")


def publish(con: duckdb.DuckDBPyConnection, settings: Settings) -> Path:
    """Write marts and meta to a new file and rename it over analytics.duckdb in one step.

    Readers holding the old file keep reading it; new readers see the new one; the pipeline never
    opens analytics.duckdb, so no reader can block it.
    """
    target = settings.analytics_db
    tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.tmp.duckdb")
    tables = con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name IN ('marts', 'meta') AND NOT temporary "
        "ORDER BY schema_name, table_name"
    ).fetchall()
    columns = con.execute(
        "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name IN ('marts', 'meta') AND comment IS NOT NULL"
    ).fetchall()
    try:
        _write_published(con, tmp, tables, columns)
    except (OSError, duckdb.Error) as exc:
        # A full disk (or a quota, or a file-size limit) mid-write: the half-written file goes, the published one
        # was never touched and stays readable; the error says so in one line.
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        reason = " ".join(str(exc).split())[:300]
        raise WarehouseError(
            f"publish failed writing {tmp.name} in {target.parent} ({reason}); the previous {target.name} is "
            "untouched and still readable. To fix: free space on that disk (or raise its quota), then run "
            "`gapcast run` again"
        ) from None
    crash_point("publish.before_rename")
    # A write-ahead log beside the published file can only be left by someone who opened it read-write and died
    # (gapcast only reads it): renamed over, the new file would meet that log, and DuckDB would refuse every reader
    # ("WAL does not match database file"). The new file is checkpointed whole, so a log beside it is never its own.
    stale_wal = target.with_name(target.name + ".wal")
    try:
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        stale_wal.unlink(missing_ok=True)
        os.replace(tmp, target)
        stale_wal.unlink(missing_ok=True)  # one written between the two steps by the same kind of opener
        crash_point("publish.after_rename")
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def clean_stale_publish_files(settings: Settings) -> None:
    """Remove half-written publish files a killed run left behind."""
    for stale in settings.home.glob(".analytics.*.tmp.duckdb*"):
        stale.unlink(missing_ok=True)


# -- gapcast sql: one read-only query ---------------------------------------------------------------

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
    truncated: bool = False  # the result had more rows than the row limit; ``rows`` holds the first ``limit``


SQL_ROW_LIMIT = 100_000  # rows `gapcast sql` and the dashboard fetch at most (a bigger result is cut, and says so)
SQL_TIMEOUT_S = 60.0  # seconds a query may run before it is interrupted


def sql_job(settings: Settings, query: str, *, row_limit: int | None = SQL_ROW_LIMIT,
            timeout: float | None = SQL_TIMEOUT_S) -> QueryResult:
    """Run one read-only query on analytics.duckdb; writes, file access and extensions are refused. At most
    ``row_limit`` rows are fetched (the result says when there were more); a query running longer than ``timeout``
    seconds is interrupted and refused in one line. None: no limit."""
    if _WRITE_WORDS.match(_strip_comments(query)):
        word = _WRITE_WORDS.match(_strip_comments(query)).group(1).upper()
        raise QueryRefused(
            f"{word} statements are refused: gapcast sql is read-only on {settings.analytics_db}. "
            "Use SELECT (or WITH ... SELECT, DESCRIBE, SUMMARIZE, SHOW)"
        )
    con = connect_analytics(settings)
    try:
        try:
            statements = con.extract_statements(query)
        except duckdb.ParserException:
            statements = [query]  # the query's own error is reported when it runs, below
        if len(statements) > 1:
            writes = sorted({st.type.name for st in statements if st.type.name != "SELECT"})
            if writes:  # a write smuggled after a SELECT: the read-only refusal, named
                raise QueryRefused(f"{', '.join(writes)} statements are refused: gapcast sql is read-only (the "
                                   "database is attached in read-only mode) and runs one SELECT at a time")
            raise QueryRefused(f"gapcast sql runs one statement at a time; this query has {len(statements)} "
                               "(separated by ';'): run them one by one")
        timer = threading.Timer(timeout, con.interrupt) if timeout else None
        if timer is not None:
            timer.daemon = True
            timer.start()
        try:
            cursor = con.execute(query)
            if cursor.description is None:
                return QueryResult([], [])
            columns = [d[0] for d in cursor.description]
            if row_limit is None:
                return QueryResult(columns, cursor.fetchall())
            rows = cursor.fetchmany(row_limit + 1)
            return QueryResult(columns, rows[:row_limit], truncated=len(rows) > row_limit)
        except duckdb.InterruptException:
            raise QueryRefused(f"the query ran longer than {timeout:g} s and was stopped: narrow it (a WHERE, a "
                               "LIMIT, fewer joins), or allow more time with --timeout") from None
        except (duckdb.InvalidInputException, duckdb.PermissionException) as exc:
            raise QueryRefused(f"refused: {str(exc).splitlines()[0]} (gapcast sql is read-only)") from None
        finally:
            if timer is not None:
                timer.cancel()
    finally:
        con.close()


def _strip_comments(query: str) -> str:
    lines = [ln for ln in query.splitlines() if not ln.strip().startswith("--")]
    return re.sub(r"/\*.*?\*/", " ", "\n".join(lines), flags=re.DOTALL)
