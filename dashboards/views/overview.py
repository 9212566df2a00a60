"""Overview page: P(cooling) by target and season, the divergence headline, bubble status, data freshness."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from dashboards import charts, ui
from dashboards.published import Published, current
from dashboards.report.content import answer_from


def render(published: Published) -> None:
    st.header("Overview")
    st.caption("Is the gap between what markets pay for AI and what AI earns wide enough to cool the tech "
               "talent market, and when?")
    answer_section(published)
    cooling_section(published)
    divergence_section(published)
    left, right = st.columns(2, gap="large")
    with left:
        bubble_section(published)
    with right:
        freshness_section(published)


def answer_section(published: Published) -> None:
    """The report's page 1 in short: the same title and sentences, by the same rules (dashboards.report.answer)."""
    needed = {"headline", "base_rate", "base_seasons", "threshold", "chosen_by"}
    if not published.has("marts.cooling_probability") or \
            not needed <= set(published.columns("marts.cooling_probability")):
        return  # not built yet, or a warehouse from before the combination rule: the sections below say what there is
    month_end = (pd.Timestamp.now().normalize() + pd.offsets.MonthEnd(0)).date()
    try:
        answer = answer_from(published.connection(), month_end)
    except Exception as exc:  # a page must render without its summary rather than not at all
        st.warning(f"The verdict could not be composed from the published marts: {type(exc).__name__}: {exc}")
        return
    st.subheader(answer.title)
    st.markdown("\n\n".join(answer.sentences))
    with st.expander("Verdict by target, and how far the data reach"):
        st.markdown("\n".join(f"- {v}" for v in answer.verdicts))
        if not answer.through_table.empty:
            st.table(answer.through_table.set_index("data"))


def cooling_probabilities(published: Published, frame: pd.DataFrame) -> tuple[pd.DataFrame, str] | None:
    """The latest run's P(cooling) as target, season, probability (and model); None with a note if unreadable."""
    cols = frame.columns
    target = ui.pick(cols, "target_series", "series_id", "target", "series")
    season = ui.pick(cols, "season", "target_season")
    probability = ui.pick(cols, "probability", "p_cooling", "cooling_probability")
    missing = [label for label, col in (("target series", target), ("season", season), ("probability", probability))
               if col is None]
    if missing:
        st.warning(f"marts.cooling_probability has no {' or '.join(missing)} column that this page knows "
                   f"(columns: {', '.join(cols)}).")
        return None
    latest = ui.latest_run(frame)
    model = ui.pick(cols, "model")
    if model is not None:  # the regime model's number is P(low-growth regime), another event: the Talent page has it
        latest = latest[~latest[model].astype(str).str.startswith("regimes")]
    latest, label = ui.choose_model(latest, model, key="overview_cooling_model")
    names = ui.series_names(published)
    data = pd.DataFrame({
        "series_id": latest[target].astype(str),
        "target": [names.get(s, s) for s in latest[target].astype(str)],
        "season": latest[season].astype(str),
        "probability": latest[probability].astype(float),
    }).drop_duplicates(["series_id", "season"], keep="last")
    return data, label


def cooling_section(published: Published) -> None:
    st.subheader("Will tech hiring cool? P(cooling) by target and season")
    frame = ui.table_or_notice(published, "marts.cooling_probability", what="P(cooling) by target and season")
    if frame is None:
        return
    result = cooling_probabilities(published, frame)
    if result is None:
        return
    data, model = result
    latest = ui.latest_run(frame)
    as_of = ui.moment(latest["as_of"].max()) if "as_of" in latest.columns else "n/a"
    chart_col, table_col = st.columns([3, 2], gap="large")
    with chart_col:
        st.altair_chart(
            charts.probability_bars(data, title="Probability that each talent target cools",
                                    subtitle=f"forecast as of {as_of}" + (f", model {model}" if model else "")),
            width="stretch")
    with table_col:
        table = data.pivot_table(index="target", columns="season", values="probability", aggfunc="last")
        st.table(table.map(ui.percent))
        st.caption("P(cooling): the probability the target's March–May level falls below the previous "
                   "September–November by more than its cooling threshold.")


def latest_divergence(frame: pd.DataFrame) -> pd.Series | None:
    value = ui.pick(frame.columns, "price_to_sales", "ps_zscore", "coint_gap_eg")
    rows = frame.dropna(subset=[value]) if value else frame
    if rows.empty:
        return None
    return rows.sort_values("month").iloc[-1]


def divergence_section(published: Published) -> None:
    st.subheader("The divergence: what markets pay for AI against what it earns")
    frame = ui.table_or_notice(published, "marts.divergence_monthly", what="The divergence headline")
    if frame is None:
        basket_fallback(published)
        return
    row = latest_divergence(frame)
    if row is None:
        st.info("marts.divergence_monthly has no month with a measure yet.")
        return
    cols = frame.columns
    z = ui.pick(cols, "ps_zscore", "log_ps_zscore", "zscore")
    gap = ui.pick(cols, "coint_gap_eg", "coint_gap", "cointegration_gap", "coint_gap_johansen")
    st.markdown(divergence_headline(row, z, gap))
    left, right = st.columns([2, 3], gap="large")
    with left:
        first, second, third = st.columns(2), st.columns(2), st.columns(2)
        first[0].metric("AI basket price-to-sales", ui.number(row.get("price_to_sales"), ".1f", "×"),
                        help="Basket market cap / TTM revenue, at the month's last trading day.")
        first[1].metric("P/S z-score", ui.signed(row.get(z) if z else None, ".2f", " σ"),
                        help="Log price-to-sales against its own history before the month, in standard deviations.")
        second[0].metric("Cointegration gap", ui.signed(row.get(gap) if gap else None, ".2f", " log pts"),
                         help="Log market cap minus the level its revenue implies (Engle-Granger).")
        second[1].metric("Capex gap", ui.signed(_times(row.get("capex_gap"), 100), ".1f", " pp"),
                         help="Hyperscaler capex growth minus their revenue growth, year on year, percentage points.")
        third[0].metric("Required-revenue gap", ui.usd_bn(row.get("required_revenue_gap")),
                        help="AI revenue needed to pay for the data-centre build-out minus the revenue realized, "
                             "a year.")
        third[1].metric("Month", ui.month(row.get("month")),
                        help="The latest month with a measure; the Divergence page has every month.")
    with right:
        monthly = frame.rename(columns={ui.pick(cols, "month", "date"): "month"})
        monthly["month"] = pd.to_datetime(monthly["month"])
        if "price_to_sales" in monthly.columns:
            episodes = published.table("marts.bubble_episodes")
            spans = None
            if episodes is not None and {"series", "start"} <= set(episodes.columns):
                basket = ui.latest_run(episodes)
                spans = charts.episode_spans(basket[basket["series"].astype(str) == "ai_basket_price_to_sales"],
                                             monthly["month"].max())  # the plotted series' episodes only
            st.altair_chart(charts.measure_over_time(
                monthly, "price_to_sales", title="AI basket price-to-sales",
                subtitle="market cap / TTM revenue, month end; shaded: the basket's bubble episodes",
                y_title="price-to-sales (×)", value_format=".0f", spans=spans), width="stretch")


def divergence_headline(row: pd.Series, z: str | None, gap: str | None) -> str:
    parts = [f"In **{ui.month(row.get('month'))}** the AI basket"]
    if not ui.absent(row.get("members")):
        parts[0] += f" ({int(row['members'])} members)"
    if not ui.absent(row.get("price_to_sales")):
        parts.append(f"traded at **{ui.number(row['price_to_sales'], '.1f', '×')}** its trailing revenue")
    if z is not None and not ui.absent(row.get(z)):
        parts.append(f"**{ui.signed(row[z], '.2f', ' σ')}** against its own history")
    sentence = parts[0] + " " + ", ".join(parts[1:]) + "."
    gap = row.get(gap) if gap is not None else None
    if not ui.absent(gap):
        direction = "above" if gap >= 0 else "below"
        sentence += (f" Its market cap sits **{ui.signed(gap, '.2f')} log points** "
                     f"(**{abs(math.exp(gap) - 1) * 100:.0f}%**) {direction} the level its revenue implies.")
    capex = row.get("capex_gap")
    if not ui.absent(capex):
        faster = "faster" if capex >= 0 else "slower"
        sentence += (f" Hyperscaler capex grows **{abs(capex) * 100:.1f} pp** a year {faster} than their revenue.")
    basis = row.get("revenue_basis")
    if isinstance(basis, str) and basis != "reported":
        sentence += f" Revenue this month is **{basis.replace('_', ' ')}** (not all of it filed yet)."
    stale = row.get("stale_tickers")
    if stale is not None and not isinstance(stale, str) and len(stale):
        sentence += (f" Left out as stale (no filing for more than two quarters in the data): "
                     f"**{', '.join(map(str, stale))}**.")
    ages = row.get("member_revenue_age_days")
    if isinstance(ages, dict) and ages:
        counted = [v for k, v in ages.items() if stale is None or k not in set(stale)]
        if counted:
            sentence += f" The counted members' revenue is {min(counted)}-{max(counted)} days old."
    return sentence


def basket_fallback(published: Published) -> None:
    """Until the divergence model publishes, the daily basket price-to-sales is the headline."""
    basket = published.table("marts.ai_basket_daily")
    if basket is None or basket.empty or "price_to_sales" not in basket.columns:
        return
    basket = basket.dropna(subset=["price_to_sales"]).sort_values("date")
    if basket.empty:
        return
    row = basket.iloc[-1]
    left, right = st.columns([2, 3], gap="large")
    left.metric(f"AI basket price-to-sales on {ui.day(row['date'])}", ui.number(row["price_to_sales"], ".1f", "×"),
                help="marts.ai_basket_daily: summed market cap over summed TTM revenue filed by that day.")
    monthly = (basket.assign(month=pd.to_datetime(basket["date"]).dt.to_period("M").dt.to_timestamp())
               .groupby("month", as_index=False)["price_to_sales"].last())
    monthly = monthly[monthly["month"] >= monthly["month"].max() - pd.DateOffset(years=12)]
    with right:
        st.altair_chart(charts.measure_over_time(
            monthly, "price_to_sales", title="AI basket price-to-sales",
            subtitle="market cap / TTM revenue filed by the day, last trading day of each month",
            y_title="price-to-sales (×)", value_format=".0f"), width="stretch")


def _times(value, factor: float):
    return None if ui.absent(value) else float(value) * factor


def bubble_section(published: Published) -> None:
    st.subheader("Bubble status")
    stats = ui.table_or_notice(published, "marts.bubble_statistics", what="The PSY bubble tests")
    if stats is None:
        return
    stats = ui.latest_run(stats)
    basket = stats[stats["series"].astype(str).str.startswith("ai_basket")] if "series" in stats.columns else stats
    episodes = published.table("marts.bubble_episodes")
    ongoing = pd.DataFrame()
    if episodes is not None and not episodes.empty and "ongoing" in episodes.columns:
        episodes = ui.latest_run(episodes)
        ongoing = episodes[episodes["ongoing"].fillna(False).astype(bool)
                           & episodes["series"].astype(str).str.startswith("ai_basket")]
    if not ongoing.empty:
        first = ongoing.sort_values("start").iloc[0]
        st.markdown(f"**In a bubble episode now:** {first['series']} explosive since **{ui.month(first['start'])}**.")
    else:
        st.markdown("**No bubble episode ongoing** in the AI basket's price-to-sales.")
    if "rejects_gsadf" in stats.columns:
        explosive = int(stats["rejects_gsadf"].fillna(False).astype(bool).sum())
        st.markdown(f"{explosive} of {len(stats)} price-to-sales series tested explosive somewhere in their "
                    "history (GSADF above its 95% critical value).")
    shown = pd.DataFrame({"series": basket.get("series")})
    for label, column, fmt in (("GSADF", "gsadf", ".2f"), ("95% critical value", "gsadf_cv95", ".2f")):
        if column in basket.columns:
            shown[label] = [ui.number(v, fmt) for v in basket[column]]
    if "rejects_gsadf" in basket.columns:
        shown["explosive"] = ["yes" if bool(v) else "no" for v in basket["rejects_gsadf"].fillna(False)]
    if "episodes" in basket.columns:
        shown["episodes"] = basket["episodes"].astype("Int64").astype(str)
    st.table(shown.set_index("series"))


def freshness_section(published: Published) -> None:
    st.subheader("Data freshness")
    context = published.table("meta.build_context")
    as_of = context["as_of"].max() if context is not None and not context.empty else None
    mtime = pd.Timestamp(published.stamp.mtime_ns, unit="ns", tz="UTC") if published.stamp else None
    status = published.table("meta.series_status")
    counts = status["status"].value_counts() if status is not None and not status.empty else pd.Series(dtype=int)
    published_at = ui.moment(mtime.tz_localize(None)) if mtime is not None else "n/a"
    tally = ", ".join(f"**{int(counts.get(name, 0))}** {name}" for name in ("ok", "stale", "failed", "empty"))
    st.markdown(f"- Built as of **{ui.moment(as_of)}**: the marts hold only what had been retrieved by then.\n"
                f"- Published **{published_at}** UTC.\n"
                f"- Series: {tally}, of **{int(counts.sum())}**.")
    runs = published.table("meta.runs")
    if runs is not None and not runs.empty:
        st.markdown("Last runs: " + "; ".join(last_runs(runs)) + ".")
    if status is None or status.empty:
        ui.table_or_notice(published, "meta.series_status")
        return
    by_kind = status.groupby("kind").agg(
        series=("series_id", "count"),
        ok=("status", lambda s: int((s == "ok").sum())),
        stale=("status", lambda s: int((s == "stale").sum())),
        failed=("status", lambda s: int((s == "failed").sum())),
        newest_observation=("last_observation", "max"),
        last_retrieval=("last_retrieval", "max"),
    )
    by_kind["newest_observation"] = by_kind["newest_observation"].map(ui.day)
    by_kind["last_retrieval"] = by_kind["last_retrieval"].map(ui.day)
    st.table(by_kind.rename(columns={"newest_observation": "newest observation", "last_retrieval": "last retrieval"}))
    st.caption("A series is stale when its last observation is older than a few of its periods plus the "
               "publication lag (GAPCAST_STALE_FACTOR); the Data page lists every series.")


def last_runs(runs: pd.DataFrame) -> list[str]:
    """One phrase per command (run, build, estimate, ...): its latest run, newest first."""
    latest = runs.sort_values("started_at").groupby("command", as_index=False).tail(1)
    phrases = []
    for run in latest.sort_values("started_at", ascending=False).itertuples(index=False):
        catalog = getattr(run, "catalog", None)
        on = f" on catalog **{catalog}**" if isinstance(catalog, str) and catalog else ""
        phrases.append(f"**{run.command}**{on} finished {ui.moment(run.finished_at)} UTC, **{run.status}**")
    return phrases


if __name__ == "__main__":  # Streamlit runs page files as __main__; importing one does nothing
    render(current())
