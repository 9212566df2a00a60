"""Thesis page: does the gap between what markets pay for technology and what it earns lead the talent market?
The verdicts of marts.thesis_tests, the local projection of a chosen target, and the long basket's gap."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import charts, ui
from dashboards.published import Published, current

TEST_NAMES = {"local_projection": "local projection", "granger": "Granger causality", "calendar": "calendar",
              "calendar_season": "the season after a wide gap", "calendar_windows": "the season against the other "
              "six-month windows", "out_of_sample": "out of sample (Diebold-Mariano)"}


def render(published: Published) -> None:
    st.header("Does the gap lead the talent market?")
    st.caption("The thesis: when markets price technology far above its revenue, the year-end review and the March "
               "results cool capital, and tech hiring cools after it. Tested on the long tech basket (market cap "
               "over revenue filed, 1987 on) against the talent targets, 1995 on; the verdicts follow fixed rules "
               "(docs/thesis.md), and a null result or a sign against the thesis is shown as such.")
    tests = ui.table_or_notice(published, "marts.thesis_tests", what="The thesis tests")
    if tests is not None:
        tests = ui.latest_run(tests)
        verdict_section(tests)
        response_section(tests)
    gap = ui.table_or_notice(published, "marts.backtest_gap_test", what="Whether the forecast carries the gap")
    if gap is not None:
        forecast_section(ui.latest_run(gap))
    basket = ui.table_or_notice(published, "marts.tech_basket_monthly", what="The long tech basket")
    if basket is not None:
        basket_section(ui.latest_run(basket))


def verdict_section(tests: pd.DataFrame) -> None:
    st.subheader("The verdicts")
    lines = tests.copy()
    lines["horizon"] = lines["horizon"].where(lines["test"] == "out_of_sample")
    lines = lines.drop_duplicates(["link", "target", "test", "measure", "horizon"])
    lines = lines.assign(link=lines["link"].map({"a": "capital cools", "b": "talent follows"}).fillna(lines["link"]),
                         test=lines["test"].map(TEST_NAMES).fillna(lines["test"]))
    # a Granger test of a target causing the gap is listed under that target
    lines["talent_target"] = lines["target"].where(~((lines["test"] == "Granger causality")
                                                      & (lines["measure"] != "gap z-score")), lines["measure"])
    skipped = lines["verdict"].str.startswith("not estimated")
    shown = lines[~skipped].sort_values(["link", "talent_target"], kind="stable")
    shown = shown[["link", "target", "test", "measure", "verdict"]].reset_index(drop=True)
    shown.index = shown.index + 1
    st.table(shown)
    if skipped.any():
        gone = lines[skipped].groupby("target")["test"].apply(lambda t: ", ".join(sorted(set(t))))
        st.caption("Not estimated (too few months or seasons): "
                   + "; ".join(f"{target}: {tests}" for target, tests in gone.items()) + ".")


def response_section(tests: pd.DataFrame) -> None:
    lp = tests[(tests["test"] == "local_projection") & tests["horizon"].notna()]
    if lp.empty:
        st.info("No local projection had enough months to estimate.", icon=":material/inbox:")
        return
    targets = sorted(lp["target"].unique(), key=lambda t: (t != "USINFO", t))
    left, right = st.columns(2)
    target = left.selectbox("target", targets, key="thesis_target")
    measures = sorted(lp[lp["target"] == target]["measure"].unique(), key=lambda m: (m != "gap z-score", m))
    measure = right.selectbox("valuation measure", measures, key="thesis_measure")
    data = lp[(lp["target"] == target) & (lp["measure"] == measure)].sort_values("horizon")
    verdict = data["verdict"].iloc[0]
    band = alt.Chart(data).mark_area(opacity=0.35, color="#8fb3d9").encode(
        x=alt.X("horizon:Q", title="months after the gap is measured", scale=alt.Scale(domain=[1, 24])),
        y=alt.Y("lo:Q", title="cumulative change (%)"), y2="hi:Q")
    line = alt.Chart(data).mark_line(strokeWidth=2, color="#1f5f8b").encode(
        x="horizon:Q", y="estimate:Q",
        tooltip=[alt.Tooltip("horizon:Q"), alt.Tooltip("estimate:Q", format="+.2f", title="effect, %"),
                 alt.Tooltip("lo:Q", format="+.2f", title="90% low"), alt.Tooltip("hi:Q", format="+.2f",
                                                                                  title="90% high"),
                 alt.Tooltip("n:Q", title="months")])
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#888", strokeDash=[4, 4]).encode(y="y:Q")
    chart = alt.layer(band, zero, line).properties(
        title=alt.Title(f"{target} after a one-sd higher {measure}", subtitle="local projection, 90% band (HAC)",
                        anchor="start"), height=charts.HEIGHT)
    st.altair_chart(charts._finish(chart), use_container_width=True)
    st.caption(verdict)


def forecast_section(gap: pd.DataFrame) -> None:
    """Does the gap help the forecast itself? The backtest's gap test and what the forecast does with it."""
    st.subheader("Does the gap help the forecast?")
    st.caption("The backtest's test: SARIMAX with the long basket's gap against the same model without it, fitted on "
               "the same months, by the Diebold-Mariano test on CRPS (horizons 1-9) and the live-lead Brier score. "
               "Where it does not show that the gap helps, the forecast leaves it out for that target.")
    rule = gap[gap["horizon"].isna()].pivot_table(index="target_series", columns="metric", values="verdict",
                                                   aggfunc="first")
    shown = gap.drop_duplicates("target_series").set_index("target_series")[["uses_gap"]].join(rule)
    shown["uses_gap"] = [("leaves it out, untested (fewer than 120 origins)" if pd.isna(u) else
                          "uses it" if bool(u) else "leaves it out") for u in shown["uses_gap"]]
    shown = shown.rename(columns={"uses_gap": "the forecast", "crps": "CRPS, horizons 1-9",
                                  "brier_live": "Brier, live leads"}).reset_index(names="target")
    shown = shown[[c for c in ("target", "the forecast", "CRPS, horizons 1-9", "Brier, live leads")
                   if c in shown.columns]]
    shown.index = shown.index + 1
    st.table(shown)


def basket_section(basket: pd.DataFrame) -> None:
    st.subheader("The long tech basket")
    frame = basket.assign(month=pd.to_datetime(basket["month"])).sort_values("month")
    inside = frame["in_bubble_episode"].fillna(False).astype(bool)
    runs = (inside != inside.shift()).cumsum()[inside]
    spans = pd.DataFrame([{"series": "tech basket P/S", "start": g["month"].iloc[0],
                           "end": g["month"].iloc[-1] + pd.offsets.MonthBegin(1),
                           "label": f"PSY episode {g['month'].iloc[0]:%Y-%m} to {g['month'].iloc[-1]:%Y-%m}"}
                          for _, g in frame[inside].groupby(runs)])
    st.altair_chart(charts.measure_over_time(
        frame, "ps_zscore", title="The gap: the long basket's price-to-sales z-score",
        subtitle="log P/S against its own months before (expanding); shaded: dated bubble months (PSY 2015)",
        y_title="z-score (σ)", value_format=".1f", spans=spans if len(spans) else None, zero_line=True),
        use_container_width=True)
    last = frame.iloc[-1]
    st.caption(f"{last['month']:%B %Y}: price-to-sales {last['price_to_sales']:.1f}, z-score "
               f"{last['ps_zscore']:+.2f}; members {', '.join(list(last['member_tickers']))}.")


if __name__ == "__main__":  # Streamlit runs page files as __main__; importing one does nothing
    render(current())
