"""Capital against technical progress: the frontier of AI capability, the progress index, and the AI basket's market
cap against it (marts.progress_monthly, marts.capital_progress_monthly, marts.capital_progress_tests)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import charts, ui
from dashboards.published import Published, current

MEASURE_NAMES = {
    "eci": "Epoch Capabilities Index",
    "metr_p50_minutes": "METR 50% time horizon",
    "swe_bench_verified_pct": "SWE-bench Verified (checked)",
    "training_compute_flop": "training compute, notable models",
    "gpu_flops_per_usd": "GPU price-performance",
}
TEST_NAMES = {
    "since_2023": "since 2023: capital against capability",
    "since_2023_time_trend": "since 2023: capital against a time trend (does the index add anything?)",
    "since_2023_labs": "since 2023: the AI labs' private valuations against capability",
    "psy_gsadf_gap": "bubble test of the gap (PSY GSADF)",
    "engle_granger_capital_progress": "cointegration of capital and capability (Engle-Granger)",
    "revenue_growth_on_progress_growth": "does revenue grow with capability? (HAC regression)",
}


def render(published: Published) -> None:
    st.header("Capital against technical progress")
    st.caption("The thesis's second half: markets price AI above what it can actually do. The frontier of each "
               "capability measure (the best result released by each month's end, as known at the build), a "
               "progress index that counts months of average progress, and the AI basket's market cap against it "
               "(each in standard deviations of its own history). Method and limits: docs/progress.md.")
    capital = ui.table_or_notice(published, "marts.capital_progress_monthly", what="Capital against progress")
    tests = published.table("marts.capital_progress_tests")
    if capital is not None:
        gap_section(ui.latest_run(capital), None if tests is None else ui.latest_run(tests))
    frontier = ui.table_or_notice(published, "marts.progress_monthly", what="The frontier series")
    if frontier is not None:
        frontier_section(frontier, published)


def gap_section(capital: pd.DataFrame, tests: pd.DataFrame | None) -> None:
    frame = capital.assign(month=pd.to_datetime(capital["month"])).sort_values("month")
    seen = frame[frame["progress_age_months"] == 0]
    last = seen.iloc[-1] if len(seen) else frame.iloc[-1]  # the real-time gap exists where the index was observed
    carried = int(frame["progress_age_months"].iloc[-1])
    if tests is not None and len(tests):
        since = tests[tests["test"] == "since_2023"]
        if len(since):
            st.markdown(f"**{since['verdict'].iloc[0][0].upper()}{since['verdict'].iloc[0][1:]}** since January "
                        f"2023: {since['note'].iloc[0]}.")
    st.caption(f"{last['month']:%B %Y}, the index's last month: gap {last['gap']:+.2f} sd, its real-time z-score "
               f"{ui.signed(last['gap_zscore_realtime'])}"
               + (f"; the index is carried forward {carried} month(s) beyond it (shaded), with no real-time reading"
                  if carried > 0 else "") + ".")
    long = frame.melt(id_vars="month", value_vars=["capital_z", "progress_z"], var_name="series", value_name="sd")
    long["series"] = long["series"].map({"capital_z": "AI basket market cap (log)",
                                         "progress_z": "frontier-progress index"})
    curves = alt.Chart(long.dropna()).mark_line(strokeWidth=2).encode(
        x=charts._time_axis(long["month"]),
        y=alt.Y("sd:Q", title="sd of own history"),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top-left")),
        tooltip=[alt.Tooltip("month:T", format="%Y-%m"), "series:N", alt.Tooltip("sd:Q", format="+.2f")])
    layers: list[alt.Chart] = []
    carried = frame[frame["progress_age_months"] > 0]
    if len(carried):
        spans = pd.DataFrame({"start": [carried["month"].min()], "end": [carried["month"].max()],
                              "label": [f"index carried forward from {carried['month'].min():%Y-%m}"]})
        layers.append(alt.Chart(spans).mark_rect(opacity=0.15, color="#888").encode(
            x="start:T", x2="end:T", tooltip=[alt.Tooltip("label:N", title="")]))
    st.altair_chart(charts._finish(alt.layer(*layers, curves).properties(
        title=charts._title("The two curves", "log market cap and the progress index, each standardized over "
                            "these months; grey: the index carried forward"), height=charts.HEIGHT)),
        use_container_width=True)
    st.altair_chart(charts.measure_over_time(
        frame, "gap_zscore_realtime", title="The gap, in real time",
        subtitle="capital relative to capability against its own past, using only the months up to each one",
        y_title="z-score (σ)", value_format=".1f", zero_line=True), use_container_width=True)
    if tests is not None and len(tests):
        order = {name: i for i, name in enumerate(TEST_NAMES)}
        tests = tests.sort_values("test", key=lambda t: t.map(order).fillna(len(order)), kind="stable")
        shown = tests.assign(test=tests["test"].map(TEST_NAMES).fillna(tests["test"]))
        shown = shown[["test", "verdict", "statistic", "pvalue", "months", "note"]].rename(
            columns={"pvalue": "p-value"}).reset_index(drop=True)
        shown.index = shown.index + 1
        st.table(shown.style.format({"statistic": "{:+.3f}", "p-value": "{:.3f}"}, na_rep="–"))


def frontier_section(frontier: pd.DataFrame, published: Published) -> None:
    st.subheader("The frontier, measure by measure")
    names = ui.series_names(published)
    measures = [m for m in MEASURE_NAMES if m in set(frontier["measure"])] + sorted(
        m for m in set(frontier["measure"]) if m not in MEASURE_NAMES)
    measure = st.selectbox("measure", measures, format_func=lambda m: MEASURE_NAMES.get(m, m),
                           key="progress_measure")
    data = frontier[frontier["measure"] == measure].assign(month=lambda f: pd.to_datetime(f["month"]))
    data = data.sort_values("month")
    unit = str(data["unit"].iloc[-1])
    log = data["scale"].iloc[-1] == "log"
    chart = alt.Chart(data).mark_line(strokeWidth=2, color="#2e7d32", interpolate="step-after").encode(
        x=charts._time_axis(data["month"]),
        y=alt.Y("frontier_value:Q", title=unit[:40],
                scale=alt.Scale(type="log") if log else alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("month:T", format="%Y-%m"), alt.Tooltip("frontier_value:Q", format=",.4~g"),
                 alt.Tooltip("frontier_entity:N", title="held by"),
                 alt.Tooltip("frontier_release_date:T", title="released", format="%Y-%m-%d")])
    st.altair_chart(charts._finish(chart.properties(
        title=charts._title(MEASURE_NAMES.get(measure, measure),
                            "best result released by each month's end" + (" (log scale)" if log else "")),
        height=charts.HEIGHT)), use_container_width=True)
    last = data.iloc[-1]
    doubling = last["doubling_time_24m_months"]
    series = str(last["series_id"])
    st.caption(f"{last['month']:%B %Y}: {last['frontier_value']:,.4g} {unit}, held by {last['frontier_entity']} "
               f"(released {pd.Timestamp(last['frontier_release_date']):%Y-%m-%d}); "
               + (f"doubling every {doubling:.1f} months over the last 24; " if pd.notna(doubling) else "")
               + f"last moved {int(last['months_since_new_frontier'])} month(s) before. "
               f"Source: {names.get(series, series)} (catalog series {series}).")


if __name__ == "__main__":  # Streamlit runs page files as __main__; importing one does nothing
    render(current())
