"""The dashboard's view of analytics.duckdb: read-only connections for one render, data cached by file identity."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from warehouse import db
from warehouse.settings import Settings, load_settings

SQL_DIR = Path(__file__).resolve().parent / "sql"


@dataclass(frozen=True)
class FileStamp:
    """Which file analytics.duckdb is: a publish renames a new file over it, so the inode and mtime change."""

    inode: int
    mtime_ns: int
    size: int

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.inode, self.mtime_ns, self.size)


def file_stamp(path: Path) -> FileStamp | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return FileStamp(info.st_ino, info.st_mtime_ns, info.st_size)


def sql_text(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def quote_table(name: str) -> str:
    """'marts.x' as a quoted identifier; names come from our own table list, never from the reader."""
    schema, table = name.split(".", 1)
    return ".".join('"' + part.replace('"', '""') + '"' for part in (schema, table))


@st.cache_data(max_entries=512, show_spinner=False)
def _cached_frame(path: str, stamp: tuple[int, int, int], query: str, params: tuple,
                  _source: "Published") -> pd.DataFrame:
    # path and stamp are the cache key: a new publish is a new file, so nothing cached from the old one is reused.
    return _source.connection().execute(query, list(params)).df()


# The one way to open the published file read-only (warehouse.db): a private instance, locked down.
open_read_only = db.open_read_only


class Published:
    """One render's read of the published database.

    The stamp is taken when the render starts and the file is opened after it, on the first cache miss:
    if a publish lands in between, the new file's data is cached under the old stamp, which no later
    render asks for, so nothing stale outlives the render. The connection closes when the render ends
    (:meth:`render`): the dashboard never holds the file between renders.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.path = settings.analytics_db
        self.stamp = file_stamp(self.path)
        self._con: duckdb.DuckDBPyConnection | None = None

    @classmethod
    def from_environment(cls) -> "Published":
        return cls(load_settings())

    @property
    def exists(self) -> bool:
        return self.stamp is not None

    @contextmanager
    def render(self) -> Iterator["Published"]:
        token = _CURRENT.set(self)
        try:
            yield self
        finally:
            _CURRENT.reset(token)
            self.close()

    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            if self.stamp is None or not self.path.exists():
                raise db.WarehouseError(f"{self.path} does not exist yet: nothing has been published. "
                                        "Run `gapcast run` (or ingest then build) first")
            self._con = open_read_only(self.path)
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def query(self, query: str, params: tuple = ()) -> pd.DataFrame:
        """A query's result, read once per published file. A copy: callers may change it."""
        if self.stamp is None:
            raise db.WarehouseError(f"{self.path} does not exist yet: nothing has been published")
        return _cached_frame(str(self.path), self.stamp.key, query, tuple(params), _source=self).copy()

    def tables(self) -> pd.DataFrame:
        """Every published table: schema_name, table_name, name (schema.table), comment."""
        if self.stamp is None:
            return pd.DataFrame(columns=["schema_name", "table_name", "name", "comment"])
        return self.query(sql_text("tables.sql"))

    def row_counts(self) -> pd.DataFrame:
        """name, rows for every published table, counted exactly."""
        names = self.tables()["name"].tolist()
        if not names:
            return pd.DataFrame({"name": pd.Series(dtype=str), "rows": pd.Series(dtype="int64")})
        # One statement over identifiers from duckdb_tables(), quoted; DuckDB takes no identifiers as parameters.
        union = " UNION ALL ".join(f"SELECT ? AS name, count(*) AS rows FROM {quote_table(n)}" for n in names)
        return self.query(union, tuple(names))

    def columns_of_all(self) -> pd.DataFrame:
        """Every published column with its type and comment: the data dictionary."""
        if self.stamp is None:
            return pd.DataFrame(columns=["schema_name", "table_name", "column_name", "data_type", "comment"])
        return self.query(sql_text("columns.sql"))

    def has(self, name: str) -> bool:
        return name in set(self.tables()["name"])

    def columns(self, name: str) -> list[str]:
        schema, table = name.split(".", 1)
        cols = self.columns_of_all()
        return cols.loc[(cols["schema_name"] == schema) & (cols["table_name"] == table), "column_name"].tolist()

    def table(self, name: str) -> pd.DataFrame | None:
        """The whole of a published table, or None when it has not been built."""
        if not self.has(name):
            return None
        return self.query(f"SELECT * FROM {quote_table(name)}")

    def synthetic(self) -> bool:
        """True when the warehouse was built from the synthetic sample."""
        if self.has("meta.warehouse"):
            facts = self.table("meta.warehouse")
            flag = facts.loc[facts["key"] == "synthetic", "value"]
            if not flag.empty:
                return str(flag.iloc[0]).strip().lower() == "true"
        if self.has("marts.series") and "synthetic" in self.columns("marts.series"):
            series = self.table("marts.series")
            return bool(series["synthetic"].fillna(False).astype(bool).any())
        return False


_CURRENT: ContextVar[Published | None] = ContextVar("gapcast_published", default=None)


def current() -> Published:
    """The render's Published, set by app.py around the page it runs."""
    published = _CURRENT.get()
    if published is None:
        raise RuntimeError("dashboard pages run inside dashboards/app.py: `gapcast dashboard` or "
                           "`streamlit run dashboards/app.py`, not a page file on its own")
    return published
