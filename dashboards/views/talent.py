"""Talent market page: the talent targets, their forecasts with intervals, and regime probabilities."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts, ui
from dashboards.published import Published, current

REGIME_TABLE = "marts.regime_probabilities"
REGIME_LABELS = {"p_cooling_regime": "P(low-growth regime)"}  # the column's name, in words that do not say cooling
HISTORY_YEARS = 8
# The README's order: postings lead, openings follow, payrolls lag.
TARGET_ORDER = ("IHLIDXUSTPSOFTDEVE", "JTU5100JOL", "CES6054150001")


def render(published: Published) -> None:
    st.header("Talent market")
    st.caption("The hiring series gapcast forecasts (catalog role talent_target), with the forecast models' "
               "mean and 80% / 95% intervals once they publish.")
    hiring = ui.table_or_notice(published, "marts.hiring_monthly", what="The talent targets")
    if hiring is not None:
        targets_section(published, hiring)
    news_section(published)
    regime_section(published)


def forecasts(published: Published) -> pd.DataFrame | None:
    """The latest run's forecasts as series_id, month, mean, lo80, hi80, lo95, hi95 (those present), model."""
    frame = ui.table_or_notice(published, "marts.cooling_forecast", what="Forecasts with intervals")
    if frame is None:
        return None
    cols = frame.columns
    target = ui.pick(cols, "target_series", "series_id", "target", "series")
    month = ui.pick(cols, "target_month", "month", "date")
    mean = ui.pick(cols, "mean", "forecast", "point")
    if target is None or month is None or mean is None:
        st.warning("marts.cooling_forecast lacks a target series, target month or mean column "
                   f"(columns: {', '.join(cols)}).")
        return None
    latest = ui.latest_run(frame)
    model = ui.pick(cols, "model")
    latest, _ = ui.choose_model(latest, model, key="talent_forecast_model", label="forecast model")
    shaped = pd.DataFrame({"series_id": latest[target].astype(str), "month": pd.to_datetime(latest[month]),
                           "mean": latest[mean].astype(float)})
    for bound in ("lo80", "hi80", "lo95", "hi95"):
        if bound in cols:
            shaped[bound] = latest[bound].astype(float)
    if model is not None:
        shaped["model"] = latest[model].astype(str)
    return shaped.sort_values(["series_id", "month"])


def cooling_by_target(published: Published) -> dict[str, str]:
    """series_id -> 'season: P' text of the latest P(cooling), when published."""
    frame = published.table("marts.cooling_probability")
    if frame is None or frame.empty:
        return {}
    cols = frame.columns
    target = ui.pick(cols, "target_series", "series_id", "target", "series")
    season = ui.pick(cols, "season", "target_season")
    probability = ui.pick(cols, "probability", "p_cooling", "cooling_probability")
    if target is None or season is None or probability is None:
        return {}
    latest = ui.latest_run(frame)
    if "headline" in cols and latest["headline"].fillna(False).astype(bool).any():
        latest = latest[latest["headline"].fillna(False).astype(bool)]
    text: dict[str, list[str]] = {}
    for sid, s, p in zip(latest[target].astype(str), latest[season].astype(str), latest[probability]):
        text.setdefault(sid, []).append(f"{s}: **{ui.percent(p)}**")
    return {sid: ", ".join(parts) for sid, parts in text.items()}


def targets_section(published: Published, hiring: pd.DataFrame) -> None:
    if "talent_target" not in hiring.columns:
        st.warning("marts.hiring_monthly has no talent_target column.")
        return
    targets = hiring[hiring["talent_target"].fillna(False).astype(bool)].copy()
    if targets.empty:
        st.info("No hiring series has the talent_target role in this catalog.")
        return
    targets["month"] = pd.to_datetime(targets["month"])
    fc = forecasts(published)
    first, last = int(targets["month"].dt.year.min()), int(targets["month"].dt.year.max())
    start = first
    if last > first:
        with st.columns([1, 2])[0]:
            start = st.slider("history from (year)", min_value=first, max_value=last,
                              value=max(first, last - HISTORY_YEARS), key="talent_history_from")
    names, units = ui.series_names(published), ui.series_units(published)
    if "unit" in targets.columns:
        units = {**targets.groupby("series_id")["unit"].last().to_dict(), **units}
    cooling = cooling_by_target(published)
    ids = sorted(targets["series_id"].unique(),
                 key=lambda s: (TARGET_ORDER.index(s) if s in TARGET_ORDER else len(TARGET_ORDER), s))
    for row_start in range(0, len(ids), 2):
        columns = st.columns(2, gap="large")
        for slot, sid in zip(columns, ids[row_start:row_start + 2]):
            history = targets[(targets["series_id"] == sid) & (targets["month"].dt.year >= start)]
            history = history.sort_values("month")[["month", "value"] + (["partial"] if "partial" in history else [])]
            unit = units.get(sid)
            forecast = fc[fc["series_id"] == sid] if fc is not None else None
            with slot, st.container(border=True):
                st.altair_chart(charts.target_history(history, forecast, title=names.get(sid, sid),
                                                      y_title=ui.unit_label(unit)), width="stretch")
                target_caption(sid, history, forecast, cooling.get(sid), unit)


def target_caption(sid: str, history: pd.DataFrame, forecast: pd.DataFrame | None, cooling: str | None,
                   unit: object) -> None:
    lines = []
    if not history.empty:
        last = history.iloc[-1]
        partial = " (month still partial)" if bool(last.get("partial", False)) else ""
        lines.append(f"{sid}: latest **{ui.number(last['value'], ',.1f')}** {ui.unit_label(unit)} "
                     f"in {ui.month(last['month'])}{partial}.")
    if forecast is not None and not forecast.empty:
        end = forecast.iloc[-1]
        band = (f", 80% interval {ui.number(end['lo80'], ',.1f')}–{ui.number(end['hi80'], ',.1f')}"
                if {"lo80", "hi80"} <= set(forecast.columns) else "")
        lines.append(f"Forecast for {ui.month(end['month'])}: **{ui.number(end['mean'], ',.1f')}**{band}.")
    if cooling:
        lines.append(f"P(cooling) {cooling}.")
    st.markdown(" ".join(lines))


def news_section(published: Published) -> None:
    if not published.has("marts.forecast_news"):
        return
    news = published.table("marts.forecast_news")
    st.subheader("What moved the forecast")
    if news.empty:
        st.info("marts.forecast_news is published but empty.")
        return
    st.dataframe(readable_news(ui.latest_run(news), ui.series_names(published)), hide_index=True)
    st.caption("Each release since the previous forecast: what the nowcast expected, what came out, the surprise "
               "(news, in the release's own standardized units) and its impact on the nowcast's level for the "
               "target month, in percent; 'total' is the whole revision. These move the nowcast's level, not "
               "P(cooling) directly.")


def readable_news(news: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """marts.forecast_news for a reader: plain names, the release and its surprise, the impact in percent; no run ids."""
    columns = {"target_series": "target", "impact_month": "target month", "updated_series": "release",
               "update_months": "months released", "forecast_prior": "expected", "observed": "actual",
               "news": "surprise", "impact_pct": "impact on level (%)"}
    shown = news[[c for c in columns if c in news.columns]].rename(columns=columns)
    for c in ("target", "release"):
        if c in shown.columns:
            shown[c] = shown[c].astype(str).map(lambda s: names.get(s, s))
    if "target month" in shown.columns:
        shown["target month"] = pd.to_datetime(shown["target month"]).dt.strftime("%Y-%m")
    return shown


def regime_table(published: Published) -> str:
    if published.has(REGIME_TABLE):
        return REGIME_TABLE
    others = [n for n in published.tables()["name"] if n.startswith("marts.") and "regime" in n]
    return others[0] if others else REGIME_TABLE


def regime_section(published: Published) -> None:
    st.subheader("Regime probabilities (another event, not P(cooling))")
    st.caption("The regime model's probability that each target's monthly changes are in its low-growth regime (of "
               "the two it fits, the one with the lower mean growth). A low-growth regime is not a cooling season: the "
               "P(cooling) of the Overview is the probability of a spring fall beyond the threshold.")
    name = regime_table(published)
    frame = ui.table_or_notice(published, name, what="Regime probabilities")
    if frame is None:
        return
    cols = frame.columns
    month = ui.pick(cols, "month", "date")
    regime = ui.pick(cols, "regime", "state", "regime_label")
    probability = ui.pick(cols, "probability", "prob", "p")
    frame = ui.latest_run(frame)
    if month is not None and regime is None:
        wide = [c for c in cols if c.startswith("p_") or c.startswith("prob")]
        if wide:
            frame = frame.melt(id_vars=[c for c in cols if c not in wide], value_vars=wide, var_name="regime",
                               value_name="probability")
            regime, probability = "regime", "probability"
    if month is None or regime is None or probability is None:
        st.warning(f"{name} lacks a month, regime or probability column (columns: {', '.join(cols)}).")
        return
    series = ui.pick(frame.columns, "series_id", "target_series", "series")
    names = ui.series_names(published)
    groups = [(None, frame)] if series is None else list(frame.groupby(series))
    columns = st.columns(min(len(groups), 2), gap="large")
    for i, (sid, group) in enumerate(groups):
        shaped = pd.DataFrame({"month": pd.to_datetime(group[month]),
                               "regime": group[regime].astype(str).map(lambda r: REGIME_LABELS.get(r, r)),
                               "probability": group[probability].astype(float)})
        title = "Regime probabilities" + (f": {names.get(str(sid), sid)}" if sid is not None else "")
        with columns[i % len(columns)]:
            st.altair_chart(charts.regime_areas(shaped, title=title), width="stretch")
            last = shaped[shaped["month"] == shaped["month"].max()]
            st.markdown(f"{ui.month(last['month'].max())}: " + ", ".join(
                f"{r} **{ui.percent(p)}**" for r, p in zip(last["regime"], last["probability"])) + ".")


if __name__ == "__main__":  # Streamlit runs page files as __main__; importing one does nothing
    render(current())
