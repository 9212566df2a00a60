"""Altair charts for the dashboard: every chart has a title and its axes say their units."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

HEIGHT = 260
EPISODE_COLOUR = "#e4572e"
LABEL_LIMIT = 360


def _title(text: str, subtitle: str | None = None) -> alt.Title:
    return alt.Title(text, subtitle=subtitle or "", anchor="start")


def _finish(chart):
    """Titles and axis titles a size and colour that read on a screen and in a screenshot.

    Axis titles stay shorter than the plot is tall: Vega grows a chart to fit a longer one, and Streamlit
    then cuts the chart's top off.
    """
    return (chart.properties(width="container")
            .configure_title(fontSize=15, subtitleFontSize=12, subtitleColor="#4a4a4a", color="#1f1f1f", offset=8)
            .configure_axis(titleFontSize=12, labelFontSize=11, titleColor="#333333", labelColor="#444444",
                            titleFontWeight="normal")
            .configure_legend(titleFontSize=12, labelFontSize=11, titleColor="#333333", labelColor="#333333")
            .configure_range(category={"scheme": "tableau10"}))


def _time_axis(months: pd.Series | None = None) -> alt.X:
    """Years along the bottom, one label every year, or every few when the span is long."""
    step = 1
    if months is not None and len(months):
        span = pd.to_datetime(months).max().year - pd.to_datetime(months).min().year
        step = max(1, math.ceil(span / 12))
    return alt.X("month:T", title=None, axis=alt.Axis(format="%Y", labelAngle=0, grid=False,
                                                       tickCount={"interval": "year", "step": step}))


def episode_spans(episodes: pd.DataFrame, last_month: pd.Timestamp | None) -> pd.DataFrame:
    """start/end of each episode to shade; an ongoing one (no end) runs to the last month shown."""
    if episodes is None or episodes.empty:
        return pd.DataFrame(columns=["series", "start", "end", "label"])
    spans = episodes.copy()
    spans["start"] = pd.to_datetime(spans["start"])
    end = pd.to_datetime(spans["end"]) if "end" in spans.columns else pd.Series(pd.NaT, index=spans.index)
    fill = last_month if last_month is not None else spans["start"].max()
    spans["end"] = end.fillna(pd.Timestamp(fill))
    spans["label"] = [
        f"{s}: {a:%Y-%m} to {'now (ongoing)' if pd.isna(e) else format(e, '%Y-%m')}"
        for s, a, e in zip(spans["series"], spans["start"], end)
    ]
    return spans[["series", "start", "end", "label"]]


def measure_over_time(
    frame: pd.DataFrame,
    column: str,
    *,
    title: str,
    subtitle: str,
    y_title: str,
    value_format: str,
    scale: float = 1.0,
    spans: pd.DataFrame | None = None,
    zero_line: bool = False,
) -> alt.LayerChart:
    """One monthly measure as a line, bubble episodes shaded behind it."""
    data = frame[["month", column]].dropna().rename(columns={column: "value"})
    data["value"] = data["value"] * scale
    line = alt.Chart(data).mark_line(strokeWidth=2, color="#1f5f8b").encode(
        x=_time_axis(data["month"]),
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=value_format)),
        tooltip=[alt.Tooltip("month:T", title="month", format="%Y-%m"),
                 alt.Tooltip("value:Q", title=y_title, format=value_format)],
    )
    layers: list[alt.Chart] = []
    if spans is not None and not spans.empty:
        layers.append(alt.Chart(spans).mark_rect(opacity=0.18, color=EPISODE_COLOUR).encode(
            x="start:T", x2="end:T", tooltip=[alt.Tooltip("label:N", title="bubble episode")]))
    if zero_line:
        layers.append(alt.Chart(pd.DataFrame({"value": [0.0]})).mark_rule(color="#888", strokeDash=[4, 4]).encode(
            y="value:Q"))
    layers.append(line)
    return _finish(alt.layer(*layers).properties(title=_title(title, subtitle), height=HEIGHT))


def basket_shares(composition: pd.DataFrame) -> alt.Chart:
    """Each member's share of the basket's market cap by month, stacked to 100%."""
    data = composition.copy()
    data["share"] = data["market_cap"] / data.groupby("month")["market_cap"].transform("sum")
    order = (data.groupby("ticker")["market_cap"].last().sort_values(ascending=False).index.tolist())
    data["rank"] = data["ticker"].map({t: i for i, t in enumerate(order)})
    return _finish(alt.Chart(data).mark_area().encode(
        x=_time_axis(data["month"]),
        y=alt.Y("share:Q", stack="normalize", title="share of market cap (%)", axis=alt.Axis(format="%")),
        color=alt.Color("ticker:N", title="member", sort=order, legend=alt.Legend(columns=2, symbolLimit=0)),
        order=alt.Order("rank:Q", sort="ascending"),
        tooltip=[alt.Tooltip("month:T", format="%Y-%m"), "ticker:N",
                 alt.Tooltip("share:Q", format=".1%", title="share"),
                 alt.Tooltip("market_cap:Q", format=",.3s", title="market cap (USD)")],
    ).properties(
        title=_title("Share of the basket's market cap by member", "month end, %; largest member at the bottom"),
        height=HEIGHT,
    ))


def probability_bars(frame: pd.DataFrame, *, title: str, subtitle: str) -> alt.LayerChart:
    """P(cooling) per target (rows) and season (colour), 0–100%; columns target, season, probability."""
    base = alt.Chart(frame).encode(
        y=alt.Y("target:N", title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        yOffset=alt.YOffset("season:N"),
        x=alt.X("probability:Q", title="probability of cooling (%)", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("season:N", title="season", legend=alt.Legend(orient="top")),
        tooltip=["target:N", "season:N", alt.Tooltip("probability:Q", format=".0%")],
    )
    labels = base.mark_text(align="left", dx=3, fontSize=12).encode(text=alt.Text("probability:Q", format=".0%"))
    return _finish(alt.layer(bars, labels).properties(title=_title(title, subtitle)))


def target_history(
    history: pd.DataFrame,
    forecast: pd.DataFrame | None,
    *,
    title: str,
    y_title: str,
) -> alt.LayerChart:
    """A talent target by month with, when given, the forecast mean and its 80% and 95% intervals."""
    layers: list[alt.Chart] = []
    y_scale = alt.Scale(zero=False)
    months = pd.concat([history["month"]] + ([forecast["month"]] if forecast is not None else []))
    x = _time_axis(months)
    if forecast is not None and not forecast.empty:
        fc = forecast.copy()
        if {"lo95", "hi95"} <= set(fc.columns):
            layers.append(alt.Chart(fc).mark_area(opacity=0.15, color="#e4572e").encode(
                x=x, y=alt.Y("lo95:Q", title=y_title, scale=y_scale), y2="hi95:Q",
                tooltip=[alt.Tooltip("month:T", format="%Y-%m"), alt.Tooltip("lo95:Q", format=",.1f"),
                         alt.Tooltip("hi95:Q", format=",.1f")]))
        if {"lo80", "hi80"} <= set(fc.columns):
            layers.append(alt.Chart(fc).mark_area(opacity=0.3, color="#e4572e").encode(
                x=x, y=alt.Y("lo80:Q", title=y_title, scale=y_scale), y2="hi80:Q"))
        layers.append(alt.Chart(fc).mark_line(color="#e4572e", strokeDash=[6, 3], strokeWidth=2).encode(
            x=x, y=alt.Y("mean:Q", title=y_title, scale=y_scale),
            tooltip=[alt.Tooltip("month:T", format="%Y-%m"), alt.Tooltip("mean:Q", title="forecast", format=",.1f")]))
    layers.append(alt.Chart(history).mark_line(color="#1f5f8b", strokeWidth=2).encode(
        x=x, y=alt.Y("value:Q", title=y_title, scale=y_scale),
        tooltip=[alt.Tooltip("month:T", format="%Y-%m"), alt.Tooltip("value:Q", format=",.1f")]))
    subtitle = y_title + ("; dashed: forecast mean, bands: 80% and 95% intervals" if len(layers) > 1 else "")
    return _finish(alt.layer(*layers).properties(title=_title(title, subtitle), height=HEIGHT))


def regime_areas(frame: pd.DataFrame, *, title: str) -> alt.Chart:
    """Regime probabilities by month, stacked; columns month, regime, probability."""
    return _finish(alt.Chart(frame).mark_area().encode(
        x=_time_axis(frame["month"]),
        y=alt.Y("probability:Q", stack="zero", title="probability (%)", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("regime:N", title="regime"),
        tooltip=[alt.Tooltip("month:T", format="%Y-%m"), "regime:N", alt.Tooltip("probability:Q", format=".0%")],
    ).properties(title=_title(title, "probability of each regime by month, %"), height=HEIGHT))


def skill_by_horizon(frame: pd.DataFrame, *, title: str, y_title: str, reading: str) -> alt.Chart:
    """A backtest score by forecast horizon, one line per model; columns horizon, model, value."""
    return _finish(alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=60), strokeWidth=2).encode(
        x=alt.X("horizon:Q", title="horizon (months ahead)", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("value:Q", title=y_title),
        color=alt.Color("model:N", title="model"),
        tooltip=["model:N", "horizon:Q", alt.Tooltip("value:Q", title=y_title, format=".3f")],
    ).properties(title=_title(title, f"one line per model; {reading}"), height=HEIGHT))


def reliability(bins: pd.DataFrame, *, title: str) -> alt.LayerChart:
    """Observed frequency against forecast probability per bin; columns model, forecast, observed, count."""
    axis = alt.Axis(format="%")
    diagonal = alt.Chart(pd.DataFrame({"p": [0.0, 1.0]})).mark_line(color="#888", strokeDash=[4, 4]).encode(
        x=alt.X("p:Q", title="forecast probability of cooling (%)", scale=alt.Scale(domain=[0, 1]), axis=axis),
        y=alt.Y("p:Q", title="observed frequency of cooling (%)", scale=alt.Scale(domain=[0, 1]), axis=axis))
    points = alt.Chart(bins).mark_line(point=True).encode(
        x=alt.X("forecast:Q", scale=alt.Scale(domain=[0, 1]), axis=axis),
        y=alt.Y("observed:Q", scale=alt.Scale(domain=[0, 1]), axis=axis),
        color=alt.Color("model:N", title="model"),
        tooltip=["model:N", alt.Tooltip("forecast:Q", format=".0%"), alt.Tooltip("observed:Q", format=".0%"),
                 alt.Tooltip("count:Q", title="forecasts in bin")],
    )
    sizes = alt.Chart(bins).mark_circle(opacity=0.35).encode(
        x="forecast:Q", y="observed:Q", size=alt.Size("count:Q", legend=None), color="model:N")
    return _finish(alt.layer(diagonal, sizes, points).properties(
        title=_title(title, "dashed: perfect reliability; circle area: forecasts in the bin"), height=320))


def status_bars(counts: pd.DataFrame) -> alt.Chart:
    """Series per kind and status; columns kind, status, series."""
    colours = alt.Scale(domain=["ok", "stale", "failed", "empty"], range=["#2a9d8f", "#e9c46a", "#e4572e", "#adb5bd"])
    return _finish(alt.Chart(counts).mark_bar().encode(
        y=alt.Y("kind:N", title=None),
        x=alt.X("series:Q", title="series (count)", axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("status:N", scale=colours, title="status"),
        tooltip=["kind:N", "status:N", "series:Q"],
    ).properties(title=_title("Series status by kind", "series in the catalog, by status at the last build"),
                 height=alt.Step(26)))
