"""Pieces every dashboard page shares: empty states, the SYNTHETIC banner, number formats and column lookup."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime

import pandas as pd
import streamlit as st

from dashboards.published import Published

# Tables the model issues add, and who adds each: the empty state names both.
PENDING_TABLES: dict[str, str] = {
    "marts.divergence_monthly": "the divergence model adds it (`gapcast estimate`)",
    "marts.bubble_episodes": "the bubble tests add it (`gapcast estimate`)",
    "marts.bubble_statistics": "the bubble tests add it (`gapcast estimate`)",
    "marts.cooling_forecast": "the forecast models add it (`gapcast estimate`)",
    "marts.cooling_probability": "the forecast models add it (`gapcast estimate`)",
    "marts.forecast_news": "the nowcast adds it (`gapcast estimate`)",
    "marts.regime_probabilities": "the regime model adds it (`gapcast estimate`)",
    "marts.backtest_scores": "the backtest adds it (`gapcast backtest`)",
    "marts.backtest_gap_test": "the backtest adds it (`gapcast backtest`)",
    "marts.backtest_forecasts": "the backtest adds it (`gapcast backtest`)",
    "marts.thesis_tests": "the thesis tests add it (`gapcast thesis`, also the monthly flow)",
    "marts.capital_progress_monthly": "the progress model adds it (`gapcast estimate`)",
    "marts.capital_progress_tests": "the progress model adds it (`gapcast estimate`)",
    "marts.progress_monthly": "the build adds it from series with the role progress_frontier (`gapcast build`)",
    "marts.tech_basket_monthly": "the thesis tests add it (`gapcast thesis`, also the monthly flow)",
}

UNIT_LABELS = {
    "index_feb2020_100": "index, 1 Feb 2020 = 100",
    "index_dec2000_100": "index, Dec 2000 = 100",
    "index_2017_100": "index, 2017 = 100",
    "index_1982_84_100": "index, 1982–84 = 100",
    "thousands": "thousands of jobs",
    "persons": "persons",
    "percent": "%",
    "USD": "USD",
}


def unit_label(unit: object) -> str:
    if unit is None or (isinstance(unit, float) and math.isnan(unit)) or str(unit).strip() == "":
        return "units not recorded"
    return UNIT_LABELS.get(str(unit), str(unit).replace("_", " "))


def absent(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value: object, fmt: str = ".2f", suffix: str = "") -> str:
    return "n/a" if absent(value) else f"{format(float(value), fmt)}{suffix}"


def signed(value: object, fmt: str = ".2f", suffix: str = "") -> str:
    return "n/a" if absent(value) else f"{format(float(value), '+' + fmt)}{suffix}"


def percent(value: object, digits: int = 0) -> str:
    """A probability or share (0.37) as '37%'."""
    return "n/a" if absent(value) else f"{float(value) * 100:.{digits}f}%"


def usd_bn(value: object) -> str:
    return "n/a" if absent(value) else f"USD {float(value) / 1e9:,.0f} bn"


def day(value: object) -> str:
    if absent(value):
        return "n/a"
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def month(value: object) -> str:
    if absent(value):
        return "n/a"
    return pd.Timestamp(value).strftime("%Y-%m")


def moment(value: object) -> str:
    if absent(value):
        return "n/a"
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def pick(columns: Iterable[str], *candidates: str) -> str | None:
    """The first candidate column present: later issues may name a column slightly differently."""
    present = list(columns)
    for name in candidates:
        if name in present:
            return name
    return None


def table_or_notice(published: Published, name: str, *, what: str | None = None) -> pd.DataFrame | None:
    """The table, or None after saying clearly that it is missing or empty (and who adds it)."""
    frame = published.table(name)
    if frame is None:
        who = PENDING_TABLES.get(name, "a later build adds it")
        st.info(f"not built yet: {name} — {who}." + (f" {what}: shown here once it is published." if what else ""),
                icon=":material/hourglass_empty:")
        return None
    if frame.empty:
        st.info(f"{name} is published but empty: the last build found nothing to put in it.",
                icon=":material/inbox:")
        return None
    return frame


def latest_run(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of the most recent run: the latest as_of (or run_id when as_of is absent)."""
    if "as_of" in frame.columns and frame["as_of"].notna().any():
        return frame[frame["as_of"] == frame["as_of"].max()]
    if "run_id" in frame.columns and frame["run_id"].notna().any():
        return frame[frame["run_id"] == frame["run_id"].dropna().iloc[-1]]
    return frame


def series_names(published: Published) -> dict[str, str]:
    """series_id -> readable name from marts.series (the id itself when absent)."""
    series = published.table("marts.series")
    if series is None or "name" not in series.columns:
        return {}
    return {sid: (name if isinstance(name, str) and name else sid)
            for sid, name in zip(series["series_id"], series["name"])}


def series_units(published: Published) -> dict[str, str]:
    series = published.table("marts.series")
    if series is None or "unit" not in series.columns:
        return {}
    return dict(zip(series["series_id"], series["unit"]))


def synthetic_banner() -> None:
    st.warning(
        "**SYNTHETIC sample data** — generated by warehouse/sample.py, not market data. "
        "Every number on these pages illustrates the dashboard only.",
        icon=":material/science:",
    )


def as_date(value: object) -> date | None:
    if absent(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    return pd.Timestamp(value).date()


HEADLINE = "headline (the combination rule's choice)"


def choose_model(frame: pd.DataFrame, model: str | None, key: str, label: str = "model") -> tuple[pd.DataFrame, str]:
    """Rows of one model, picked in a select box. Model names are '<model>:<target>': the box offers the model
    part, and first, when the table marks one, the headline (each target's chosen model)."""
    if model is None or not frame[model].notna().any():
        return frame, ""
    kinds = frame[model].astype(str).str.split(":").str[0]
    options = sorted(kinds.unique())
    if "headline" in frame.columns and frame["headline"].fillna(False).astype(bool).any():
        options = [HEADLINE] + options
    if len(options) == 1:
        return frame, options[0]
    chosen = st.selectbox(label, options, index=0, key=key)
    if chosen == HEADLINE:
        return frame[frame["headline"].fillna(False).astype(bool)], "headline"
    return frame[kinds == chosen], chosen
