"""The models' side of the warehouse: read their inputs from the marts, and write their result frames and
meta.model_runs in one transaction (a failure leaves the previous results)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime

import duckdb
import numpy as np
import pandas as pd

from warehouse import db

# result group -> its marts (each written by sql/<group>/<table>.sql from a frame named <table>_frame)
TABLES = {
    "estimate": ("divergence_monthly", "bubble_statistics", "bubble_episodes", "bubble_sequence",
                 "progress_index_monthly", "capital_progress_monthly", "capital_progress_tests"),
    "forecast": ("cooling_forecast", "cooling_probability", "cooling_thresholds", "regime_probabilities",
                 "forecast_news"),
    "backtest": ("backtest_forecasts", "backtest_scores", "backtest_reliability", "backtest_headline",
                 "backtest_pit", "backtest_gap_test"),
    "thesis": ("tech_basket_monthly", "thesis_tests"),
}
_FRAME_NAMES = {"divergence_monthly": "divergence_frame"}
MODEL_RUN_COLUMNS = ["run_id", "model", "data_as_of", "estimated_at", "status", "parameters", "diagnostics",
                     "warnings", "synthetic"]


class ResultsError(RuntimeError):
    """The marts a model needs are not built, saying what to run first."""


def _query(con: duckdb.DuckDBPyConnection, name: str, params=()) -> pd.DataFrame:
    return con.execute(db.sql_text(name), list(params)).df()


def _months(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def data_as_of(con: duckdb.DuckDBPyConnection):
    """The as-of time of the marts being read (None before any build)."""
    rows = con.execute(db.sql_text("estimate/build_context.sql")).fetchall()
    return rows[0][0] if rows else None


def require_marts(con: duckdb.DuckDBPyConnection, tables: list[str], where: str, then: str) -> None:
    missing = [t for t in tables if t not in {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'").fetchall()}]
    if missing:
        raise ResultsError(f"marts {missing} are not built in {where}: run `{then}` first")


# -- inputs ------------------------------------------------------------------------------------------------------


def divergence_inputs(con: duckdb.DuckDBPyConnection, gpu_vendor: str) -> dict:
    """The AI basket's members and hyperscalers, their prices and fundamentals (and the GPU vendor's)."""
    members = tuple(_query(con, "estimate/basket_tickers.sql", ["price", "ai_basket"])["ticker"])
    hyperscalers = tuple(_query(con, "estimate/basket_tickers.sql", ["fundamentals", "hyperscaler"])["ticker"])
    prices = _query(con, "estimate/member_prices.sql", [list(members)])
    fundamentals = _query(con, "estimate/member_fundamentals.sql",
                          [sorted(set(members) | set(hyperscalers) | {gpu_vendor})])
    return {"members": members, "hyperscalers": hyperscalers, "prices": prices, "fundamentals": fundamentals,
            "segments": _optional(con, "estimate/vendor_segments.sql", [gpu_vendor]),
            "lab_revenue": _optional(con, "estimate/lab_revenue.sql")}


def progress_frontier(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The monthly frontier of each technical-progress measure (empty when marts.progress_monthly is absent)."""
    frame = _optional(con, "estimate/progress_frontier.sql")
    if frame is None:
        return pd.DataFrame(columns=["measure", "month", "frontier_level", "frontier_value", "synthetic"])
    return _months(frame, "month")


def lab_valuations(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The AI labs' summed post-money valuations by month (empty when the mart is absent)."""
    frame = _optional(con, "estimate/lab_valuations.sql")
    if frame is None:
        return pd.DataFrame(columns=["month", "valuation_post_usd", "companies"])
    return _months(frame, "month")


def tech_basket_inputs(con: duckdb.DuckDBPyConnection) -> dict:
    """The long tech basket's members (catalog role tech_basket) with their prices and fundamentals (no members
    while the marts are not built)."""
    try:
        members = tuple(_query(con, "estimate/basket_tickers.sql", ["price", "tech_basket"])["ticker"])
    except duckdb.CatalogException:
        members = ()
    return {"members": members,
            "prices": _query(con, "estimate/member_prices.sql", [list(members)]),
            "fundamentals": _query(con, "estimate/member_fundamentals.sql", [list(members)])}


def thesis_inputs(con: duckdb.DuckDBPyConnection, targets: list[str]) -> dict:
    """The long tech basket's inputs (:func:`tech_basket_inputs`), the talent ``targets`` by month, the macro
    controls, and the AI basket's own measures (None before `gapcast estimate`)."""
    ai = _optional(con, "thesis/ai_measures.sql")
    return {**tech_basket_inputs(con),
            "targets": _months(_query(con, "thesis/thesis_targets.sql", [list(targets)]), "month"),
            "macro": _months(_query(con, "thesis/thesis_macro.sql"), "month"),
            "ai": _months(ai, "month") if ai is not None else None}


def _optional(con: duckdb.DuckDBPyConnection, name: str, params=()) -> pd.DataFrame | None:
    """A query of a mart that a catalog without such series does not build: None when the mart is absent."""
    try:
        return _query(con, name, params)
    except duckdb.CatalogException:
        return None


def talent_targets(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Complete months of every talent target (latest data): series_id, month, value, synthetic."""
    return _months(_query(con, "forecast/talent_targets.sql"), "month")


def target_vintages(con: duckdb.DuckDBPyConnection, others: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """Every stored vintage of the talent targets and of the ``others`` hiring series: series_id, vintage, month,
    value, partial."""
    return _months(_query(con, "backtest/target_vintages.sql", [list(others)]), "month", "vintage")


def regressors(con: duckdb.DuckDBPyConnection, names: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The SARIMAX regressors by month: columns of marts.divergence_monthly by their name, and macro:<series>,
    layoffs:<tracker> or funding:<series> from the other marts (forecast/other_regressors.sql). Returns the
    frame and the names found nowhere."""
    try:
        divergence = _months(_query(con, "forecast/divergence_measures.sql"), "month")
    except duckdb.CatalogException:
        divergence = pd.DataFrame(columns=["month", "synthetic"])
        divergence["month"] = pd.to_datetime(divergence["month"])
    frame = divergence.set_index("month")[[c for c in names if c in divergence.columns]]
    wanted = [c for c in names if c not in divergence.columns and ":" in c]
    if wanted:
        try:
            other = con.execute(db.sql_text("forecast/other_regressors.sql")).df()
        except duckdb.CatalogException:
            other = pd.DataFrame(columns=["name", "month", "value"])
        other = other[other["name"].isin(wanted)]
        if len(other):
            other["month"] = pd.to_datetime(other["month"])
            wide = other.pivot_table(index="month", columns="name", values="value")
            frame = frame.join(wide, how="outer") if len(frame.columns) else wide
    missing = [c for c in names if c not in frame.columns]
    return frame[[c for c in names if c in frame.columns]].sort_index(), missing


def nowcast_panel(con: duckdb.DuckDBPyConnection, series: list[str], market_cap: bool) -> pd.DataFrame:
    """The nowcast's monthly panel of levels (month-start index, one column per series)."""
    long = _months(con.execute(db.sql_text("forecast/nowcast_panel.sql"), [list(series), bool(market_cap)]).df(),
                   "month")
    return long.pivot_table(index="month", columns="series_id", values="value").sort_index().asfreq("MS")


BACKTEST_SCORE_COLUMNS = ("origins", "lo90")  # what forecast/backtest_skill.sql reads beyond the older columns


def backtest_outdated(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the published backtest predates the live-lead scores (its table lacks their columns): its scores
    cannot be read, and `gapcast backtest` must run again."""
    have = {r[0] for r in con.execute(db.sql_text("status/table_columns.sql"), ["marts", "backtest_scores"]).fetchall()}
    return bool(have) and not set(BACKTEST_SCORE_COLUMNS) <= have


def backtest_skill(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The published backtest's skill by target and model (empty before any backtest, or when it is outdated)."""
    if backtest_outdated(con):
        return pd.DataFrame()
    try:
        return con.execute(db.sql_text("forecast/backtest_skill.sql")).df()
    except duckdb.CatalogException:  # no backtest yet
        return pd.DataFrame()


def published_gap_test(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The published backtest's gap test by target (uses_gap, decision, synthetic); empty before a backtest that
    made one."""
    try:
        return con.execute(db.sql_text("forecast/backtest_gap_test.sql")).df()
    except duckdb.CatalogException:  # no backtest yet, or one from before the gap test
        return pd.DataFrame(columns=["target_series", "uses_gap", "decision", "regressors", "yardstick", "synthetic"])


# -- results -----------------------------------------------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def to_json(value) -> str:
    """Parameters and diagnostics as JSON text: dates in ISO form, NaN and infinity as null, keys sorted."""
    return json.dumps(_jsonable(value), sort_keys=True, allow_nan=False)


def model_run_rows(runs, *, run_id: str, as_of, synthetic) -> pd.DataFrame:
    """meta.model_runs rows of model records (objects with model, status, parameters, diagnostics, warnings)."""
    now = db.now_utc()
    return pd.DataFrame([{
        "run_id": run_id, "model": r.model, "data_as_of": as_of, "estimated_at": now, "status": r.status,
        "parameters": to_json(r.parameters), "diagnostics": to_json(r.diagnostics), "warnings": list(r.warnings),
        "synthetic": synthetic} for r in runs], columns=MODEL_RUN_COLUMNS)


def write_results(con: duckdb.DuckDBPyConnection, group: str, tables: Mapping[str, pd.DataFrame],
                  model_runs: pd.DataFrame, *, run_id: str, fingerprint: str | None = None) -> dict[str, int]:
    """Replace a result group's marts (``TABLES[group]``) and this run's meta.model_runs rows of the group, in one
    transaction with the fingerprint of their inputs (when given); the forecast also appends its P(cooling) to
    meta.cooling_probability_history. Returns rows by table."""
    rows = {}
    with db.transaction(con):
        for table in TABLES[group]:
            frame = tables[table].assign(run_id=run_id) if "run_id" in tables[table].columns else tables[table]
            db.write_frame(con, f"{group}/{table}.sql", _FRAME_NAMES.get(table, f"{table}_frame"), frame)
            rows[table] = len(frame)
        if group == "forecast":
            con.execute(db.sql_text("forecast/clear_probability_history.sql"), [run_id])
            con.execute(db.sql_text("forecast/record_probability_history.sql"), [db.now_utc(), run_id])
        clear = [run_id]
        if group == "forecast":  # its model names include the configured specifications
            clear.append(sorted({str(m).split(":")[0] for m in model_runs.get("model", ())}))
        con.execute(db.sql_text(f"{group}/clear_model_runs.sql"), clear)
        if len(model_runs):
            db.write_frame(con, f"{group}/record_model_runs.sql", "model_run_rows", model_runs)
        rows["model_runs"] = len(model_runs)
        if fingerprint is not None:
            record_fingerprint(con, group, fingerprint, run_id)
    return rows


def _to_40_bits(values: np.ndarray) -> np.ndarray:
    """Floats rounded to a 40-bit mantissa (about 12 significant digits): DuckDB's parallel sums and means can
    differ in their last bits from one build to the next, and that must not count as new data."""
    mantissa, exponent = np.frexp(values)
    return np.ldexp(np.round(mantissa * 2.0**40) / 2.0**40, exponent)


def fingerprint_of(*parts) -> str:
    """SHA-256 of frames (by content, index included; floats to about 12 significant digits), text and plain
    values, in order."""
    import hashlib

    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame | pd.Series):
            part = part.copy()
            if isinstance(part, pd.Series):
                if pd.api.types.is_float_dtype(part):
                    part = pd.Series(_to_40_bits(part.to_numpy(float)), index=part.index, name=part.name)
            else:
                for column in part.columns:
                    if pd.api.types.is_float_dtype(part[column]):
                        part[column] = _to_40_bits(part[column].to_numpy(float))
            digest.update(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
            digest.update(repr(list(part.columns) if isinstance(part, pd.DataFrame) else part.name).encode())
        elif isinstance(part, bytes):
            digest.update(part)
        else:
            digest.update(to_json(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def reusable_run(con: duckdb.DuckDBPyConnection, group: str, fingerprint: str) -> str | None:
    """The run whose results of ``group`` were computed from exactly these inputs, if any, and only while every one
    of the group's marts still holds that run's rows and no other's."""
    try:
        rows = con.execute(db.sql_text("results/fingerprint.sql"), [group]).fetchall()
    except duckdb.CatalogException:
        return None
    if not rows or rows[0][0] != fingerprint:
        return None
    run_id = rows[0][1]
    try:
        others = con.execute(db.sql_text(f"results/other_runs_{group}.sql"), [run_id]).fetchall()[0][0]
    except duckdb.CatalogException:  # a mart of the group is missing
        return None
    return None if others else run_id


def model_run_record(con: duckdb.DuckDBPyConnection, run_id: str, model: str) -> dict | None:
    """A run's meta.model_runs record of ``model`` (status, diagnostics decoded from JSON, warnings, synthetic), or
    None: what a run that reuses published results reports of them."""
    rows = con.execute(db.sql_text("results/model_run_record.sql"), [run_id, model]).fetchall()
    if not rows:
        return None
    status, diagnostics, warnings, synthetic = rows[0]
    return {"status": status, "diagnostics": json.loads(diagnostics) if diagnostics else {},
            "warnings": list(warnings or ()), "synthetic": synthetic}


def record_fingerprint(con: duckdb.DuckDBPyConnection, group: str, fingerprint: str, run_id: str) -> None:
    con.execute(db.sql_text("results/record_fingerprint.sql"), [group, fingerprint, run_id, db.now_utc()])
