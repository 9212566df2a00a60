"""Data page: per-series status, row counts of every published table, and the data dictionary from the comments."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts, ui
from dashboards.published import Published, current

STATUS_COLUMNS = ["series_id", "kind", "status", "raw_rows", "last_observation", "last_retrieval", "age_days",
                  "last_error"]


def render(published: Published) -> None:
    st.header("Data")
    st.caption("What the warehouse holds and how fresh it is. Table and column descriptions come from the "
               "comments on the published tables.")
    status_section(published)
    left, right = st.columns([2, 3], gap="large")
    with left:
        counts_section(published)
    with right:
        dictionary_section(published)


def status_section(published: Published) -> None:
    st.subheader("Series status")
    status = ui.table_or_notice(published, "meta.series_status", what="Per-series status")
    if status is None:
        return
    counts = status["status"].value_counts()
    metrics = st.columns(5)
    metrics[0].metric("Series", f"{len(status)}")
    for slot, name in zip(metrics[1:], ("ok", "stale", "failed", "empty")):
        slot.metric(name, f"{int(counts.get(name, 0))}")
    by_kind = status.groupby(["kind", "status"], as_index=False).agg(series=("series_id", "count"))
    chart_col, table_col = st.columns([2, 3], gap="large")
    with chart_col:
        st.altair_chart(charts.status_bars(by_kind), width="stretch")
    with table_col:
        severity = {"failed": 0, "empty": 1, "stale": 2, "ok": 3}
        shown = (status[[c for c in STATUS_COLUMNS if c in status.columns]]
                 .assign(_order=status["status"].map(severity).fillna(4))
                 .sort_values(["_order", "kind", "series_id"]).drop(columns="_order"))
        statuses = sorted(shown["status"].dropna().unique())
        chosen = st.multiselect("status", statuses, default=statuses, key="data_status_filter")
        st.dataframe(shown[shown["status"].isin(chosen)], hide_index=True, height=320,
                     column_config={"last_observation": st.column_config.DateColumn("last observation"),
                                    "last_retrieval": st.column_config.DatetimeColumn("last retrieval",
                                                                                      format="YYYY-MM-DD HH:mm"),
                                    "raw_rows": st.column_config.NumberColumn("raw rows", format="%d"),
                                    "age_days": st.column_config.NumberColumn("age (days)", format="%d"),
                                    "last_error": st.column_config.TextColumn("last error", width="large")})


def counts_section(published: Published) -> None:
    st.subheader("Row counts")
    tables = published.tables()
    if tables.empty:
        st.info("No published tables.")
        return
    counts = published.row_counts().merge(tables[["name", "comment"]], on="name", how="left")
    total = int(counts["rows"].sum())
    st.markdown(f"**{len(counts)}** tables, **{total:,}** rows.")
    shown = pd.DataFrame({"table": counts["name"], "rows": [f"{int(n):,}" for n in counts["rows"]]})
    st.table(shown.set_index("table"))


def dictionary_section(published: Published) -> None:
    st.subheader("Data dictionary")
    tables = published.tables()
    if tables.empty:
        return
    names = tables["name"].tolist()
    default = names.index("marts.ai_basket_daily") if "marts.ai_basket_daily" in names else 0
    name = st.selectbox("table", names, index=default, key="data_dictionary_table")
    comment = tables.loc[tables["name"] == name, "comment"].iloc[0]
    st.markdown(f"**{name}** — {comment if isinstance(comment, str) and comment else '(no description)'}")
    columns = published.columns_of_all()
    schema, table = name.split(".", 1)
    mine = columns[(columns["schema_name"] == schema) & (columns["table_name"] == table)]
    shown = pd.DataFrame({
        "column": mine["column_name"],
        "type": mine["data_type"],
        "description": [c if isinstance(c, str) and c else "" for c in mine["comment"]],
    })
    st.table(shown.set_index("column"))
    everything = columns.assign(table=columns["schema_name"] + "." + columns["table_name"])[
        ["table", "column_name", "data_type", "comment"]]
    st.download_button("Download the whole dictionary (CSV)", everything.to_csv(index=False).encode(),
                       file_name="gapcast_data_dictionary.csv", mime="text/csv", on_click="ignore",
                       icon=":material/download:")


if __name__ == "__main__":  # Streamlit runs page files as __main__; importing one does nothing
    render(current())
