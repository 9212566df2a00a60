"""Backtest page: forecast skill by horizon and model, and the reliability of P(cooling)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboards import charts, ui
from dashboards.published import Published, current

ID_COLUMNS = {"run_id", "as_of", "model", "horizon", "horizon_months", "h", "series_id", "target_series", "target",
              "series", "synthetic", "n", "count", "forecasts", "observations", "origin", "season", "metric"}
RELIABILITY_BINS = 10


def metric_label(metric: str) -> tuple[str, str]:
    """A score's axis title (short, with its unit) and how to read it."""
    name = metric.lower()
    pretty = metric.replace("_", " ")
    if "_vs_" in name:  # a paired skill: against another model on shared origins, not against the base rate
        reference = name.split("_vs_", 1)[1].replace("_", " ")
        return (f"Brier skill against {'the default' if reference == 'default' else reference}",
                "> 0: better than that model on the same origins; higher is better")
    if "skill" in name:
        base = "Brier skill score" if "brier" in name else ("CRPS skill score" if "crps" in name else pretty)
        return base, "1 = perfect, 0 = no better than the benchmark; higher is better"
    if "brier" in name:
        return "Brier score", "0 = perfect; lower is better"
    if "crps" in name:
        return "CRPS (target units)", "lower is better"
    if "coverage" in name:
        return f"{pretty} (%)", "share of outcomes inside the interval"
    if name in {"mae", "rmse"} or name.endswith(("_mae", "_rmse")):
        return f"{metric.upper()} (target units)", "lower is better"
    return pretty, "see the table's comments on the Data page"


def render(published: Published) -> None:
    st.header("Backtest")
    st.caption("How the forecasts would have done: each model re-run on the data known at past dates, scored "
               "against what happened.")
    scores_section(published)
    reliability_section(published)


def long_scores(frame: pd.DataFrame) -> pd.DataFrame | None:
    """Scores as model, horizon, metric, value (and series when given), from long or wide tables."""
    cols = frame.columns
    horizon = ui.pick(cols, "horizon", "horizon_months", "h")
    if horizon is None:
        return None
    model = ui.pick(cols, "model")
    series = ui.pick(cols, "target_series", "series_id", "target", "series")
    keys = [c for c in (horizon, model, series) if c is not None]
    metric, value = ui.pick(cols, "metric", "score_name", "measure"), ui.pick(cols, "value", "score")
    if metric is not None and value is not None:
        shaped = frame[keys + [metric, value]].rename(columns={metric: "metric", value: "value"})
    else:
        numeric = [c for c in cols if c not in ID_COLUMNS and c not in keys and pd.api.types.is_numeric_dtype(frame[c])
                   and not pd.api.types.is_bool_dtype(frame[c])]
        if not numeric:
            return None
        shaped = frame.melt(id_vars=keys, value_vars=numeric, var_name="metric", value_name="value")
    shaped = shaped.rename(columns={horizon: "horizon"})
    shaped["model"] = shaped[model].astype(str) if model is not None else "model"
    shaped["series"] = shaped[series].astype(str) if series is not None else "all targets"
    shaped["value"] = shaped["value"].astype(float)
    return shaped[["series", "model", "horizon", "metric", "value"]].dropna(subset=["value"])


def scores_section(published: Published) -> None:
    st.subheader("Skill by horizon and model")
    frame = ui.table_or_notice(published, "marts.backtest_scores", what="Skill by horizon and model")
    if frame is None:
        return
    frame = ui.latest_run(frame)
    if "origins" in frame.columns:  # every score is also given over real-time origins alone; plot those over all
        frame = frame[frame["origins"].fillna("all") == "all"]
    scores = long_scores(frame)
    if scores is None or scores.empty:
        st.warning("marts.backtest_scores has no horizon column or no numeric score this page can plot "
                   f"(columns: {', '.join(frame.columns)}).")
        return
    names = ui.series_names(published)
    series = sorted(scores["series"].unique())
    if len(series) > 1:
        labels = {s: names.get(s, s) for s in series}
        chosen = st.selectbox("target", series, format_func=labels.get, key="backtest_target")
        scores = scores[scores["series"] == chosen]
    metrics = list(dict.fromkeys(scores["metric"]))
    for row_start in range(0, len(metrics), 2):
        columns = st.columns(2, gap="large")
        for slot, metric in zip(columns, metrics[row_start:row_start + 2]):
            data = scores[scores["metric"] == metric].groupby(["model", "horizon"], as_index=False)["value"].mean()
            y_title, reading = metric_label(metric)
            with slot:
                st.altair_chart(charts.skill_by_horizon(data, title=f"{y_title} by horizon", y_title=y_title,
                                                        reading=reading), width="stretch")
    headline = next((m for m in metrics if "skill" in m.lower()), metrics[0])
    table = (scores[scores["metric"] == headline]
             .pivot_table(index="model", columns="horizon", values="value", aggfunc="mean"))
    table.columns = [horizon_label(h) for h in table.columns]
    y_title, reading = metric_label(headline)
    st.markdown(f"**{y_title}** by model and horizon ({reading}):")
    st.table(table.map(lambda v: ui.number(v, ".3f")))


def horizon_label(horizon: float) -> str:
    h = int(horizon) if float(horizon).is_integer() else horizon
    return f"{h} month{'' if h == 1 else 's'} ahead"


def reliability_bins(frame: pd.DataFrame, probability: str, outcome: str, model: str | None) -> pd.DataFrame:
    data = pd.DataFrame({
        "model": frame[model].astype(str) if model else "model",
        "p": frame[probability].astype(float),
        "o": frame[outcome].astype(float),
    }).dropna()
    # floor(p x bins), nudged: np.linspace's edges are inexact (0.30000000000000004) and p = 0.3 belongs above.
    data["bin"] = np.clip(np.floor(data["p"] * RELIABILITY_BINS + 1e-9), 0, RELIABILITY_BINS - 1).astype(int)
    return (data.groupby(["model", "bin"], as_index=False)
            .agg(forecast=("p", "mean"), observed=("o", "mean"), count=("p", "size")))


def reliability_section(published: Published) -> None:
    st.subheader("Reliability of P(cooling)")
    frame = ui.table_or_notice(published, "marts.backtest_forecasts", what="The reliability plot")
    if frame is None:
        return
    cols = frame.columns
    probability = ui.pick(cols, "probability", "p_cooling", "forecast_probability", "cooling_probability")
    outcome = ui.pick(cols, "outcome", "observed", "cooled", "realized", "actual")
    if probability is None or outcome is None:
        st.warning("marts.backtest_forecasts has no probability and outcome (cooled or not) columns to draw a "
                   f"reliability plot from (columns: {', '.join(cols)}).")
        return
    frame = ui.latest_run(frame)
    model = ui.pick(cols, "model")
    bins = reliability_bins(frame, probability, outcome, model)
    if bins.empty:
        st.info("marts.backtest_forecasts has no forecast with a known outcome yet.")
        return
    chart_col, table_col = st.columns([3, 2], gap="large")
    with chart_col:
        st.altair_chart(charts.reliability(bins, title="Reliability: forecast P(cooling) against what happened"),
                        width="stretch")
    with table_col:
        scored = pd.DataFrame({"model": frame[model].astype(str) if model else "model",
                               "p": frame[probability].astype(float), "o": frame[outcome].astype(float)}).dropna()
        summary = scored.groupby("model").apply(
            lambda g: pd.Series({"forecasts": f"{len(g):,}", "Brier score": ui.number(((g.p - g.o) ** 2).mean(), ".3f"),
                                 "mean P(cooling)": ui.percent(g.p.mean()), "cooled": ui.percent(g.o.mean())}),
            include_groups=False)
        st.markdown("Per model, over every backtest forecast with a known outcome:")
        st.table(summary)
        st.caption("A reliable model's points sit on the dashed diagonal: of the forecasts near 30%, about 30% "
                   "cooled. Brier score: mean squared error of the probability, 0 = perfect.")


if __name__ == "__main__":  # Streamlit runs page files as __main__; importing one does nothing
    render(current())
