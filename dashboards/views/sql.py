"""SQL page: one read-only query over the published marts, as a table and a CSV download (gapcast sql's rules)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import duckdb
import pandas as pd
import streamlit as st

from dashboards.published import Published, current
from warehouse.db import WarehouseError
from warehouse.db import QueryRefused, sql_job

DEFAULT_QUERY = """SELECT date, members, round(price_to_sales, 2) AS price_to_sales, excluded_tickers
FROM marts.ai_basket_daily
ORDER BY date DESC
LIMIT 20"""
ROWS_SHOWN = 10_000
ROWS_FETCHED = 200_000  # at most, for the table and its CSV download; a bigger result is cut, and the page says so
QUERY_SECONDS = 60.0
EXAMPLES = {
    "Talent targets, monthly": "SELECT series_id, month, value, partial\nFROM marts.hiring_monthly\n"
                               "WHERE talent_target\nORDER BY series_id, month DESC",
    "Series that are not ok": "SELECT series_id, kind, status, last_observation, last_error\n"
                              "FROM meta.series_status\nWHERE status <> 'ok'\nORDER BY kind, series_id",
    "The data dictionary": "SELECT table_name, column_name, comment\nFROM duckdb_columns()\n"
                           "WHERE schema_name = 'marts'\nORDER BY table_name, column_index",
}


@dataclass(frozen=True)
class Outcome:
    """What one press of Run gave: a result, a refusal, or an error, from one published file."""

    query: str
    stamp: tuple[int, int, int] | None
    frame: pd.DataFrame | None = None
    refused: str | None = None
    error: str | None = None
    seconds: float = 0.0
    truncated: bool = False


def unique_columns(columns: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in columns:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}_{count + 1}")
    return out


def run_query(published: Published, query: str) -> Outcome:
    stamp = published.stamp.key if published.stamp else None
    started = time.perf_counter()
    try:
        result = sql_job(published.settings, query, row_limit=ROWS_FETCHED, timeout=QUERY_SECONDS)
    except QueryRefused as exc:
        return Outcome(query, stamp, refused=str(exc))
    except (WarehouseError, duckdb.Error) as exc:
        return Outcome(query, stamp, error=str(exc).splitlines()[0])
    frame = pd.DataFrame.from_records(result.rows, columns=unique_columns(result.columns))
    return Outcome(query, stamp, frame=frame, seconds=time.perf_counter() - started, truncated=result.truncated)


def render(published: Published) -> None:
    st.header("SQL")
    st.caption("One query over the published marts and meta, read-only: SELECT, WITH ... SELECT, DESCRIBE, "
               "SUMMARIZE, SHOW. Writes, file access and extensions are refused, as in `gapcast sql`.")
    with st.form("sql_form"):
        query = st.text_area("query", value=DEFAULT_QUERY, height=170, key="sql_query")
        submitted = st.form_submit_button("Run query", type="primary", icon=":material/play_arrow:")
    if submitted:
        st.session_state["sql_outcome"] = run_query(published, query)
    outcome: Outcome | None = st.session_state.get("sql_outcome")
    if outcome is not None:
        show(outcome, published)
    with st.expander("Example queries and the tables"):
        for title, text in EXAMPLES.items():
            st.markdown(f"**{title}**")
            st.code(text, language="sql")
        tables = published.tables()
        st.markdown("**Tables:** " + ", ".join(f"`{n}`" for n in tables["name"]))


def show(outcome: Outcome, published: Published) -> None:
    if outcome.refused:
        st.error(f"**Query refused.** {outcome.refused}", icon=":material/block:")
        return
    if outcome.error:
        st.error(f"**The query failed:** {outcome.error}", icon=":material/error:")
        return
    frame = outcome.frame
    if outcome.stamp != (published.stamp.key if published.stamp else None):
        st.warning("This result is from an earlier publish of analytics.duckdb; run the query again for the "
                   "current data.")
    shown = f"; showing the first {ROWS_SHOWN:,}" if len(frame) > ROWS_SHOWN else ""
    st.markdown(f"**{len(frame):,} rows** × {len(frame.columns)} columns in {outcome.seconds:.2f} s{shown}.")
    if outcome.truncated:
        st.warning(f"The result has more than {ROWS_FETCHED:,} rows: these are the first {ROWS_FETCHED:,} (the CSV "
                   "too). Narrow the query, or use `gapcast sql --format csv --limit 0` for all of it.")
    if len(frame.columns):
        st.dataframe(frame.head(ROWS_SHOWN), hide_index=True)
        st.download_button("Download CSV", frame.to_csv(index=False).encode(), file_name="gapcast_query.csv",
                           mime="text/csv", on_click="ignore", icon=":material/download:", key="sql_download")


if __name__ == "__main__":  # Streamlit runs page files as __main__; importing one does nothing
    render(current())
