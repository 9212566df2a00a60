"""Compare the published tables of two gapcast homes: same data, up to float noise and run bookkeeping?

What it is for: checking that a code change (a refactor, a faster kernel, a new DuckDB) leaves what gapcast
publishes unchanged. Build one home before and one after the change (e.g. `gapcast run --catalog snapshot`
then `gapcast backtest --catalog snapshot`, each with its own --home), then

    uv run python bench/compare_homes.py HOME_A HOME_B [--db analytics|pipeline] [--rtol 1e-9]
                                         [--ignore-columns col,...] [--tables schema.table,...]

Every table of the schemas marts and meta of the chosen database (analytics.duckdb, the default, or the
pipeline database gapcast.duckdb) is compared table by table. Per table it prints the rows in A and in B and
"same", or "differs" with the rows only in A, only in B, the matched rows whose values differ, the columns
that differ with their largest relative difference, and up to 3 example rows of each kind.

Rules:
- Run bookkeeping is not compared: run ids, ids of load batches and deliveries, the moments things ran, and
  durations (DEFAULT_IGNORED below, printed at the top). The same names are dropped inside JSON text and
  structs. --ignore-columns adds names (a bare column name, table.column or schema.table.column);
  --no-default-ignore compares everything, e.g. two homes built with the same explicit --as-of.
- JSON text columns (VARCHAR whose every value is a JSON object or array, such as meta.model_runs.parameters
  and diagnostics) are compared parsed, numbers within rtol.
- Rows are matched on a key: the table's primary key when it has one (without its ignored columns), else
  every compared column that holds no floats and no JSON. Rows sharing a key value are sorted by all compared
  columns and matched in order; what is left over counts as only in A or only in B.
- Floats are equal when both are NaN/NULL or |a - b| <= max(rtol * max(|a|, |b|), 1e-12); other values must
  be equal exactly; lists and structs are compared element by element with the same rule.

Exit code 0 when every table is the same, 1 otherwise, 2 on a usage error. Databases are opened read-only;
one locked by a running gapcast is copied to a temporary folder first. Imports nothing from gapcast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import math
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

SCHEMAS = ("marts", "meta")
DATABASES = {"analytics": "analytics.duckdb", "pipeline": "gapcast.duckdb"}
ABS_FLOOR = 1e-12
EXAMPLES = 3

# Run bookkeeping in gapcast's marts and meta schemas (names matched exactly, and any name ending in
# "_run_id" or "_seconds"). Chosen from the schemas of a snapshot home:
DEFAULT_IGNORED = (
    # ids of runs and of things a run created (random per run)
    "run_id",              # marts.*, meta.runs/model_runs/check_results/ingest_attempts/load_batches/...
    "batch_id",            # meta.load_batches, meta.rejected_rows: a random id per loaded payload
    "message_id",          # meta.report_deliveries: the mail server's id of a delivery
    # when something ran
    "started_at", "finished_at",   # meta.runs
    "estimated_at",                # meta.model_runs
    "built_at",                    # meta.build_context
    "checked_at",                  # meta.check_results
    "recorded_at",                 # meta.cooling_probability_history
    "attempted_at",                # meta.ingest_attempts, meta.report_deliveries
    "loaded_at",                   # meta.load_batches
    "applied_at",                  # meta.schema_migrations
    "updated_at",                  # meta.series_catalog
    "last_attempt", "last_success",  # meta.series_status: when ingest last tried / succeeded
    "created_at",
    # the data cut-off, which is the moment of the run unless --as-of was given
    "as_of",               # meta.build_context, meta.runs, marts.cooling_*, marts.forecast_news, ...
    "data_as_of",          # meta.model_runs
    # durations of runs (in meta.model_runs diagnostics: seconds, fit_seconds, news_seconds, simulate_seconds)
    "seconds",
    # where the run's checkout was: meta.model_runs parameters.config is the path of catalogs/cooling.toml
    "config",
)
IGNORED_SUFFIXES = ("_run_id", "_seconds")


# ----------------------------------------------------------------------------------------------- ignoring

@dataclass(frozen=True)
class Ignore:
    names: frozenset[str]              # bare names: columns anywhere, keys inside JSON and structs
    qualified: frozenset[str]          # table.column or schema.table.column
    suffixes: tuple[str, ...]

    def name(self, name: str) -> bool:
        name = str(name).lower()
        return name in self.names or name.endswith(self.suffixes)

    def column(self, schema: str, table: str, column: str) -> bool:
        qualified = {f"{table}.{column}".lower(), f"{schema}.{table}.{column}".lower()}
        return self.name(column) or bool(qualified & self.qualified)

    def describe(self) -> str:
        parts = sorted(self.names) + [f"*{s}" for s in self.suffixes] + sorted(self.qualified)
        return ", ".join(parts) if parts else "(none)"


def make_ignore(extra: list[str], defaults: bool) -> Ignore:
    names = set(DEFAULT_IGNORED) if defaults else set()
    qualified = set()
    for item in extra:
        (qualified if "." in item else names).add(item.lower())
    return Ignore(frozenset(names), frozenset(qualified), IGNORED_SUFFIXES if defaults else ())


# ------------------------------------------------------------------------------------------------- values

def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def is_number(value) -> bool:
    return isinstance(value, (int, float, decimal.Decimal, np.number)) and not isinstance(value, bool)


def strip_ignored(value, ignore: Ignore):
    """Drop ignored keys from dicts (parsed JSON, structs), at any depth."""
    if isinstance(value, dict):
        return {k: strip_ignored(v, ignore) for k, v in value.items() if not ignore.name(k)}
    if isinstance(value, (list, tuple)):
        return [strip_ignored(v, ignore) for v in value]
    return value


def first_difference(a, b, rtol: float, path: str = ""):
    """None when a and b are equal under the float rule, else (path, a part, b part) of the first difference."""
    if is_missing(a) or is_missing(b):
        return None if is_missing(a) and is_missing(b) else (path, a, b)
    if is_number(a) and is_number(b):
        if isinstance(a, (int, np.integer)) and isinstance(b, (int, np.integer)):
            return None if a == b else (path, a, b)
        x, y = float(a), float(b)
        if x == y or abs(x - y) <= max(rtol * max(abs(x), abs(y)), ABS_FLOOR):
            return None
        return (path, a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return (path, sorted(map(str, a.keys())), sorted(map(str, b.keys())))
        for key in a:
            found = first_difference(a[key], b[key], rtol, f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, (list, tuple, np.ndarray)) and isinstance(b, (list, tuple, np.ndarray)):
        if len(a) != len(b):
            return (f"{path} (length)", len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, rtol, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if type(a) is type(b) and a == b else (path, a, b)


def freeze(value):
    """A hashable stand-in for a key value (lists and structs included)."""
    try:
        hash(value)
        return value
    except TypeError:
        pass
    if is_missing(value):
        return None
    if isinstance(value, dict):
        return tuple((k, freeze(v)) for k, v in sorted(value.items()))
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(freeze(v) for v in value)
    return value


def order_key(value):
    """A sort key that orders any mix of NULLs, numbers, text, dates, lists and structs."""
    if is_missing(value):
        return (0,)
    if isinstance(value, bool) or is_number(value):
        return (1, float(value))
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return (3, str(value))
    if isinstance(value, dict):
        return (5, tuple((str(k), order_key(v)) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))))
    if isinstance(value, (list, tuple, np.ndarray)):
        return (4, tuple(order_key(v) for v in value))
    return (6, repr(value))


def show(value, limit: int = 80) -> str:
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, (dt.date, dt.datetime)):
        text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, default=str, sort_keys=True)
    else:
        text = str(value) if value is not None else "NULL"
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ------------------------------------------------------------------------------------------------- tables

def open_database(path: Path, scratch: Path) -> duckdb.DuckDBPyConnection:
    """Open read-only; if a running gapcast holds the file's lock, open a copy in ``scratch`` instead."""
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
    copy_dir = Path(tempfile.mkdtemp(dir=scratch))
    for source in (path, path.with_name(path.name + ".wal")):
        if source.exists():
            shutil.copy2(source, copy_dir / source.name)
    print(f"note: {path} is locked by another process; comparing a copy taken now ({copy_dir / path.name})")
    return duckdb.connect(str(copy_dir / path.name), read_only=True)


@dataclass
class Table:
    columns: dict[str, str]            # name -> DuckDB type, in table order
    primary_key: list[str]
    frame: pd.DataFrame | None = None  # loaded on demand


def list_tables(con) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    rows = con.execute(
        "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema IN ('marts', 'meta') "
        "ORDER BY table_schema, table_name, ordinal_position"
    ).fetchall()
    for schema, table, column, data_type in rows:
        tables.setdefault(f"{schema}.{table}", Table({}, [])).columns[column] = data_type
    keys = con.execute(
        "SELECT schema_name, table_name, constraint_column_names FROM duckdb_constraints() "
        "WHERE database_name = current_database() AND constraint_type = 'PRIMARY KEY'"
    ).fetchall()
    for schema, table, columns in keys:
        if f"{schema}.{table}" in tables:
            tables[f"{schema}.{table}"].primary_key = list(columns)
    return tables


def count_rows(con, name: str) -> int:
    schema, bare = name.split(".", 1)
    return con.execute(f'SELECT count(*) FROM "{schema}"."{bare}"').fetchone()[0]


def load(con, name: str, table: Table) -> pd.DataFrame:
    schema, bare = name.split(".", 1)
    result = con.execute(f'SELECT * FROM "{schema}"."{bare}"')
    # dtype=object keeps each value as DuckDB's Python value: exact integers, lists, dicts, datetimes.
    return pd.DataFrame(result.fetchall(), columns=list(table.columns), dtype=object)


def holds_floats(data_type: str) -> bool:
    return any(word in data_type.upper() for word in ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMERIC"))


def is_scalar_float(data_type: str) -> bool:
    return data_type.upper().split("(")[0] in ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMERIC")


def is_scalar_number(data_type: str) -> bool:
    return is_scalar_float(data_type) or data_type.upper() in (
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
        "UHUGEINT")


def is_json_column(*series: pd.Series) -> bool:
    values = [v for s in series for v in s if v is not None]
    if not values:
        return False
    for value in values:
        if not isinstance(value, str) or value.lstrip()[:1] not in ("{", "["):
            return False
        try:
            json.loads(value)
        except ValueError:
            return False
    return True


# --------------------------------------------------------------------------------------------- comparison

@dataclass
class Result:
    name: str
    rows_a: int | None
    rows_b: int | None
    notes: list[str] = field(default_factory=list)       # printed under the verdict line
    problems: list[str] = field(default_factory=list)    # anything that makes the table differ
    only_a: int = 0
    only_b: int = 0
    value_diffs: int = 0
    column_diffs: dict[str, str] = field(default_factory=dict)   # column -> "n rows, max rel diff ..."
    examples: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not (self.problems or self.only_a or self.only_b or self.value_diffs)


def float_array(values: list) -> np.ndarray:
    return np.array(values, dtype=float)   # None becomes NaN


def float_equal(a: np.ndarray, b: np.ndarray, rtol: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        close = np.abs(a - b) <= np.maximum(rtol * np.maximum(np.abs(a), np.abs(b)), ABS_FLOOR)
    return (np.isnan(a) & np.isnan(b)) | (a == b) | close


def relative_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.maximum(np.abs(a), np.abs(b))
        return np.where(scale > 0, np.abs(a - b) / scale, 0.0)


def match_rows(a: pd.DataFrame, b: pd.DataFrame, key: list[str], compared: list[str]):
    """Pair the rows of a and b with equal keys; rows sharing a key are paired in sorted order.

    Returns (pairs as two index lists, rows only in a, rows only in b, whether the key was unique)."""
    def groups(frame: pd.DataFrame) -> dict:
        out: dict = {}
        key_values = zip(*(frame[c].tolist() for c in key)) if key else ((),) * len(frame)
        for position, value in enumerate(key_values):
            out.setdefault(freeze(value), []).append(position)
        return out

    def sort(frame: pd.DataFrame, positions: list[int]) -> list[int]:
        return sorted(positions, key=lambda p: tuple(order_key(frame[c].iat[p]) for c in compared))

    ga, gb = groups(a), groups(b)
    unique = all(len(p) == 1 for p in ga.values()) and all(len(p) == 1 for p in gb.values())
    pair_a, pair_b, only_a, only_b = [], [], [], []
    for k, positions_a in ga.items():
        positions_b = gb.get(k, [])
        if len(positions_a) > 1 or len(positions_b) > 1:
            positions_a, positions_b = sort(a, positions_a), sort(b, positions_b)
        n = min(len(positions_a), len(positions_b))
        pair_a += positions_a[:n]
        pair_b += positions_b[:n]
        only_a += positions_a[n:]
        only_b += positions_b[n:]
    for k, positions_b in gb.items():
        if k not in ga:
            only_b += positions_b
    return (pair_a, pair_b), sorted(only_a), sorted(only_b), unique


def describe_row(frame: pd.DataFrame, position: int, columns: list[str], limit: int = 240) -> str:
    text = ", ".join(f"{c}={show(frame[c].iat[position], 40)}" for c in columns)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def column_differences(data_type: str, xs: list, ys: list, rtol: float):
    """Which matched rows differ in one column: (mask, summary or "", {row: (path, a value, b value)})."""
    if is_scalar_number(data_type):
        x, y = float_array(xs), float_array(ys)
        if is_scalar_float(data_type):
            bad = ~float_equal(x, y, rtol)
        else:   # integers: exact, on the Python values (no rounding through float)
            bad = np.array([p != q for p, q in zip(xs, ys)], dtype=bool)
        if not bad.any():
            return bad, "", {}
        summary = f"{int(bad.sum())} rows"
        rel = relative_difference(x[bad], y[bad])
        if np.isfinite(rel).any():
            summary += f", max rel diff {rel[np.isfinite(rel)].max():.3g}"
        nulls = int((np.isnan(x[bad]) != np.isnan(y[bad])).sum())
        if nulls:
            summary += f" ({nulls} NULL/NaN against a value)"
        return bad, summary, {i: ("", xs[i], ys[i]) for i in np.flatnonzero(bad)[:EXAMPLES]}
    # Exactly equal values need no closer look; the rest (NaN, floats in lists or JSON) get one.
    found = {i: first_difference(p, q, rtol)
             for i, (p, q) in enumerate(zip(xs, ys)) if not (p == q and type(p) is type(q))}
    found = {i: f for i, f in found.items() if f is not None}
    bad = np.zeros(len(xs), dtype=bool)
    bad[list(found)] = True
    if not found:
        return bad, "", {}
    return bad, f"{len(found)} rows", {i: found[i] for i in sorted(found)[:EXAMPLES]}


def compare_table(name: str, con_a, con_b, ta: Table, tb: Table, ignore: Ignore, rtol: float) -> Result:
    schema, bare = name.split(".", 1)
    a, b = load(con_a, name, ta), load(con_b, name, tb)
    result = Result(name, len(a), len(b))

    ignored = [c for c in ta.columns if ignore.column(schema, bare, c)]
    ignored += [c for c in tb.columns if ignore.column(schema, bare, c) and c not in ignored]
    if ignored:
        result.notes.append("ignored: " + ", ".join(ignored))
    only_cols_a = [c for c in ta.columns if c not in tb.columns and c not in ignored]
    only_cols_b = [c for c in tb.columns if c not in ta.columns and c not in ignored]
    if only_cols_a:
        result.problems.append("columns only in A: " + ", ".join(only_cols_a))
    if only_cols_b:
        result.problems.append("columns only in B: " + ", ".join(only_cols_b))
    compared = [c for c in ta.columns if c in tb.columns and c not in ignored]
    for c in compared:
        if ta.columns[c] != tb.columns[c]:
            result.problems.append(f"column {c} is {ta.columns[c]} in A, {tb.columns[c]} in B")
    if not compared:
        result.notes.append("no compared columns: only the row counts are compared")
        if len(a) != len(b):
            result.problems.append("row counts differ")
        return result

    # JSON text and structs: parse, drop ignored keys, then compare like any nested value.
    json_columns = [c for c in compared
                    if ta.columns[c].upper() in ("VARCHAR", "JSON") and is_json_column(a[c], b[c])]
    for frame in (a, b):
        for c in json_columns:
            frame[c] = [strip_ignored(json.loads(v), ignore) if v is not None else None for v in frame[c]]
        for c in compared:
            if "STRUCT" in ta.columns[c].upper() or ta.columns[c].upper().startswith("MAP"):
                frame[c] = [strip_ignored(v, ignore) for v in frame[c]]
    if json_columns:
        result.notes.append("compared as JSON: " + ", ".join(json_columns))

    # The key: the primary key without its ignored columns, else every column without floats or JSON.
    key = [c for c in ta.primary_key if c in compared]
    source = "primary key"
    if not key:
        key = [c for c in compared if not holds_floats(ta.columns[c]) and c not in json_columns]
        source = "columns without floats"
    (pair_a, pair_b), only_a, only_b, unique = match_rows(a, b, key, compared)
    result.notes.append(f"key ({source}): {', '.join(key) if key else '(none)'}"
                        + ("" if unique else "; not unique, rows sharing a key matched in sorted order"))
    result.only_a, result.only_b = len(only_a), len(only_b)

    ma = a.iloc[pair_a].reset_index(drop=True)
    mb = b.iloc[pair_b].reset_index(drop=True)
    row_differs = np.zeros(len(ma), dtype=bool)
    firsts: dict[str, dict[int, tuple]] = {}
    for c in compared:
        bad, summary, first = column_differences(ta.columns[c], ma[c].tolist(), mb[c].tolist(), rtol)
        if summary:
            result.column_diffs[c], firsts[c] = summary, first
        row_differs |= bad
    result.value_diffs = int(row_differs.sum())

    shown_key = key or compared[:4]
    for i in np.flatnonzero(row_differs)[:EXAMPLES]:
        parts = []
        for c, rows in firsts.items():
            if i in rows:
                path, x, y = rows[i]
                parts.append(f"{c}{path}: A={show(x, 60)} B={show(y, 60)}")
        result.examples.append(f"values differ at {describe_row(ma, i, shown_key, 120)}: " + "; ".join(parts))
    for label, frame, positions in (("only in A", a, only_a), ("only in B", b, only_b)):
        for p in positions[:EXAMPLES]:
            result.examples.append(f"{label}: {describe_row(frame, p, compared)}")
    return result


# ----------------------------------------------------------------------------------------------------- main

def database_path(home: str, db: str) -> Path:
    path = Path(home)
    return path if path.is_file() else path / DATABASES[db]


def report(result: Result, width: int) -> None:
    def count(n):
        return "-" if n is None else str(n)
    if result.same:
        verdict = "same"
    elif result.rows_a is None or result.rows_b is None:
        verdict = "differs: " + "; ".join(result.problems)
    else:
        verdict = (f"differs: {result.only_a} only in A, {result.only_b} only in B, "
                   f"{result.value_diffs} matched rows with differing values")
    print(f"{result.name:<{width}}  A {count(result.rows_a):>7}  B {count(result.rows_b):>7}  {verdict}")
    if result.same:
        return
    for note in result.notes:
        print(f"    {note}")
    if result.rows_a is not None and result.rows_b is not None:
        for problem in result.problems:
            print(f"    {problem}")
    for column, text in result.column_diffs.items():
        print(f"    column {column}: {text}")
    for example in result.examples:
        print(f"    e.g. {example}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home_a", help="first gapcast home (folder), or a .duckdb file")
    parser.add_argument("home_b", help="second gapcast home (folder), or a .duckdb file")
    parser.add_argument("--db", choices=sorted(DATABASES), default="analytics",
                        help="analytics.duckdb (default) or the pipeline database gapcast.duckdb")
    parser.add_argument("--rtol", type=float, default=1e-9, help="relative tolerance for floats (default 1e-9)")
    parser.add_argument("--ignore-columns", default="", help="more columns to ignore, comma separated "
                        "(name, table.name or schema.table.name); names apply inside JSON too")
    parser.add_argument("--no-default-ignore", action="store_true",
                        help="compare the run bookkeeping columns too")
    parser.add_argument("--tables", default="", help="only these tables, comma separated schema.table")
    args = parser.parse_args(argv)

    path_a, path_b = database_path(args.home_a, args.db), database_path(args.home_b, args.db)
    for path in (path_a, path_b):
        if not path.exists():
            parser.error(f"{path} does not exist")
    ignore = make_ignore([c.strip() for c in args.ignore_columns.split(",") if c.strip()],
                         defaults=not args.no_default_ignore)
    print(f"A: {path_a}")
    print(f"B: {path_b}")
    print(f"rtol {args.rtol:g} (absolute floor {ABS_FLOOR:g})")
    print(f"ignored columns (and keys inside JSON/structs): {ignore.describe()}")
    print()

    with tempfile.TemporaryDirectory(prefix="compare_homes_") as scratch:
        con_a, con_b = open_database(path_a, Path(scratch)), open_database(path_b, Path(scratch))
        try:
            tables_a, tables_b = list_tables(con_a), list_tables(con_b)
            names = sorted(set(tables_a) | set(tables_b))
            if args.tables:
                wanted = [t.strip() for t in args.tables.split(",") if t.strip()]
                names = [n for n in names if n in wanted] + [w for w in wanted if w not in names]
            results = []
            for name in names:
                if name in tables_a and name in tables_b:
                    results.append(compare_table(name, con_a, con_b, tables_a[name], tables_b[name], ignore,
                                                 args.rtol))
                elif name in tables_a:
                    results.append(Result(name, count_rows(con_a, name), None,
                                          problems=["table only in A"]))
                elif name in tables_b:
                    results.append(Result(name, None, count_rows(con_b, name),
                                          problems=["table only in B"]))
                else:
                    results.append(Result(name, None, None, problems=["table in neither home"]))
        finally:
            con_a.close()
            con_b.close()

    width = max((len(r.name) for r in results), default=10)
    for result in results:
        report(result, width)
    differing = [r.name for r in results if not r.same]
    print()
    print(f"{len(results)} tables: {len(results) - len(differing)} same, {len(differing)} differ"
          + (f" ({', '.join(differing)})" if differing else ""))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
