"""Divergence page: the measures over time with bubble episodes shaded, and the AI basket's composition."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboards import charts, ui
from dashboards.published import Published, current, sql_text
from warehouse.db import sql_text as report_sql


@dataclass(frozen=True)
class Measure:
    candidates: tuple[str, ...]
    title: str
    subtitle: str
    y_title: str
    value_format: str
    scale: float = 1.0
    zero_line: bool = False


MEASURES = (
    Measure(("price_to_sales",), "AI basket price-to-sales",
            "basket market cap / trailing-twelve-month revenue, month end", "price-to-sales (×)", ".0f"),
    Measure(("ps_zscore", "log_ps_zscore", "zscore"), "Price-to-sales z-score",
            "log price-to-sales against its own history before each month", "z-score (σ)", ".1f", zero_line=True),
    Measure(("coint_gap_eg", "coint_gap", "cointegration_gap", "coint_gap_johansen"), "Cointegration gap",
            "log market cap minus the level revenue implies (Engle-Granger)", "gap (log points)", ".2f",
            zero_line=True),
    Measure(("capex_gap",), "Capex gap",
            "hyperscaler capex growth minus their revenue growth, year on year", "gap (percentage points)", ".0f",
            scale=100.0, zero_line=True),
    Measure(("required_revenue_gap",), "Required-revenue gap",
            "AI revenue needed for the data-centre build-out minus revenue realized", "USD bn a year", ",.0f",
            scale=1e-9, zero_line=True),
)


def render(published: Published) -> None:
    st.header("Divergence")
    st.caption("How far AI valuations have run ahead of AI revenue, month by month. Shaded: dated bubble "
               "episodes (PSY 2015) of the series chosen below.")
    frame = ui.table_or_notice(published, "marts.divergence_monthly", what="The divergence measures")
    since = None
    if frame is not None:
        since = measures_section(published, frame)
    composition_section(published, since)


def chosen_spans(published: Published, last_month: pd.Timestamp | None) -> pd.DataFrame | None:
    episodes = ui.table_or_notice(published, "marts.bubble_episodes", what="Bubble episodes")
    if episodes is None:
        return None
    if not {"series", "start"} <= set(episodes.columns):
        st.warning(f"marts.bubble_episodes has no series/start columns (columns: {', '.join(episodes.columns)}).")
        return None
    episodes = ui.latest_run(episodes)
    series = sorted(episodes["series"].astype(str).unique())
    basket = [s for s in series if s.startswith("ai_basket")]
    chosen = st.multiselect("shade the bubble episodes of", series, default=basket or series[:1],
                            key="divergence_episode_series")
    spans = charts.episode_spans(episodes[episodes["series"].astype(str).isin(chosen)], last_month)
    if chosen and spans.empty:
        st.caption("No dated episode in the chosen series.")
    elif not spans.empty:
        st.caption("Bubble episodes shaded: " + "; ".join(spans["label"]) + ".")
    return spans


def measures_section(published: Published, frame: pd.DataFrame) -> pd.Timestamp | None:
    """The measures' charts; returns the first month shown, so the composition chart covers the same span."""
    month = ui.pick(frame.columns, "month", "date")
    if month is None:
        st.warning(f"marts.divergence_monthly has no month column (columns: {', '.join(frame.columns)}).")
        return None
    frame = frame.rename(columns={month: "month"}).sort_values("month")
    frame["month"] = pd.to_datetime(frame["month"])
    spans = chosen_spans(published, frame["month"].max())
    found = [(m, ui.pick(frame.columns, *m.candidates)) for m in MEASURES]
    present = [(m, col) for m, col in found if col is not None and frame[col].notna().any()]
    if not present:
        st.info("marts.divergence_monthly has none of the measures yet: "
                + ", ".join(m.candidates[0] for m in MEASURES) + ".")
        return None
    for row_start in range(0, len(present), 2):
        columns = st.columns(2, gap="large")
        for slot, (measure, col) in zip(columns, present[row_start:row_start + 2]):
            with slot:
                st.altair_chart(
                    charts.measure_over_time(frame, col, title=measure.title, subtitle=measure.subtitle,
                                             y_title=measure.y_title, value_format=measure.value_format,
                                             scale=measure.scale, spans=spans, zero_line=measure.zero_line),
                    width="stretch")
    missing = [m.title for m, col in found if col is None]
    if missing:
        st.caption("Not in this build's marts.divergence_monthly: " + ", ".join(missing) + ".")
    if "notes" in frame.columns:
        last = frame.iloc[-1]
        notes = last["notes"]
        if notes is not None and len(notes):
            with st.expander(f"Notes on {ui.month(last['month'])}"):
                for note in notes:
                    st.markdown(f"- {note}")
    return frame["month"].min()


def composition_section(published: Published, since: pd.Timestamp | None) -> None:
    st.subheader("AI basket composition")
    if not (published.has("marts.ai_basket_daily") and published.has("marts.prices_daily")):
        ui.table_or_notice(published, "marts.ai_basket_daily")
        return
    composition = published.query(sql_text("basket_composition.sql"))
    if composition.empty:
        st.info("marts.ai_basket_daily has no day with members and market caps yet.")
        return
    composition["month"] = pd.to_datetime(composition["month"])
    # Decades back the basket was one or two companies; show the span the measures cover.
    start = since if since is not None else composition["month"].max() - pd.DateOffset(years=12)
    composition = composition[composition["month"] >= start]
    chart_col, table_col = st.columns([3, 2], gap="large")
    with chart_col:
        st.altair_chart(charts.basket_shares(composition), width="stretch")
    with table_col:
        last = composition[composition["month"] == composition["month"].max()].copy()
        last["weight"] = last["market_cap"] / last["market_cap"].sum()
        last = last.sort_values("market_cap", ascending=False)
        shown = pd.DataFrame({
            "member": last["ticker"],
            "market cap (USD bn)": [f"{v / 1e9:,.0f}" for v in last["market_cap"]],
            "weight": [ui.percent(v, 1) for v in last["weight"]],
        }).set_index("member")
        st.markdown(f"Members on **{ui.day(last['date'].iloc[0])}**, by market cap:")
        st.table(shown)
    revenue_section(published)


def revenue_section(published: Published) -> None:
    """The revenue behind the basket: each member's quarter, when it became public, its age, counted or not, and
    how far each input reaches (the report's own queries, on the latest day)."""
    if not published.has("marts.ai_basket_member_daily"):
        return
    latest = (pd.Timestamp.max.normalize().date(),)
    members = published.query(report_sql("report/basket_revenue.sql"), latest)
    if members.empty:
        return
    st.markdown("**Revenue behind the basket on its last trading day** (a quarter counts only from its filing "
                "date, imputed as the SEC deadline where the source gives none; a stale member, too many quarters "
                "overdue, is left out):")
    shown = pd.DataFrame({
        "member": members["ticker"],
        "status": members["status"],
        "quarter ended": [ui.day(v) if pd.notna(v) else "" for v in members["quarter_end"]],
        "public from": [ui.day(v) if pd.notna(v) else "" for v in members["public_from"]],
        "date": members["date_basis"],
        "age (days)": [f"{int(v)}" if pd.notna(v) else "" for v in members["age_days"]],
    }).set_index("member")
    st.table(shown)
    if all(published.has(t) for t in ("marts.segment_revenue_quarterly", "marts.ai_lab_revenue")):
        through = published.query(report_sql("report/data_through.sql"), latest)
        st.caption("Data through: " + "; ".join(f"{r.input} {ui.day(r.data_through)}" for r in through.itertuples()
                                                 if pd.notna(r.data_through)))


if __name__ == "__main__":  # Streamlit runs page files as __main__; importing one does nothing
    render(current())
