"""The monthly forecast report: gathered from the published warehouse, rendered to HTML, text, PDF and CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from dashboards.report.content import ReportContent, gather
from dashboards.report.render import Rendered, render
from warehouse.db import connect_analytics, sql_text
from warehouse.settings import Settings

__all__ = ["ReportFiles", "build_report", "current_month"]


@dataclass(frozen=True)
class ReportFiles:
    month: str
    folder: Path
    html: Path
    text: Path
    pdf: Path
    csv: Path
    rendered: Rendered

    @property
    def content(self) -> ReportContent:
        return self.rendered.content


def current_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


class ReportMonthError(ValueError):
    """A report month later than the data allow (the month after the newest observation, or the build's month)."""


def check_month(con, month: str) -> None:
    """Refuse a month after both the month following the newest observation and the build's as-of month: a report
    titled for 2031-01 from data that end in 2026 would claim what it cannot know."""
    data_month, built_month = con.execute(sql_text("report/latest_month.sql")).fetchone()
    allowed = {}
    if data_month is not None:
        allowed[f"the newest observation is from {pd.Timestamp(data_month):%Y-%m}"] = \
            pd.Timestamp(data_month) + pd.DateOffset(months=1)
    if built_month is not None:
        allowed[f"the warehouse was built in {pd.Timestamp(built_month):%Y-%m}"] = pd.Timestamp(built_month)
    if allowed and pd.Timestamp(f"{month}-01") > max(allowed.values()):
        raise ReportMonthError(f"--month {month} is after what the data can report on: {' and '.join(allowed)}; "
                               f"use {max(allowed.values()):%Y-%m} or earlier")


def build_report(settings: Settings, month: str | None = None, out_dir: Path | None = None) -> ReportFiles:
    """Write the report for `month` (default: this month) from analytics.duckdb into out_dir."""
    month = month or current_month()
    con = connect_analytics(settings)
    try:
        check_month(con, month)
        content = gather(con, month)
    finally:
        con.close()
    rendered = render(content)
    folder = out_dir or settings.outputs_dir / "reports" / month
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"gapcast-{month}" + ("-SYNTHETIC" if content.synthetic else "")
    files = ReportFiles(
        month=month, folder=folder, html=folder / f"{stem}.html", text=folder / f"{stem}.txt",
        pdf=folder / f"{stem}.pdf",
        csv=folder / (f"{stem}-forecasts.csv" if "target_month" in content.forecasts_csv.columns
                      else f"{stem}-data.csv"),
        rendered=rendered)
    _write(files.html, rendered.standalone_html().encode())
    _write(files.text, rendered.text().encode())
    _write(files.pdf, rendered.pdf())
    csv_text = content.forecasts_csv.to_csv(index=False, date_format="%Y-%m-%d")
    if content.synthetic:
        csv_text = "# SYNTHETIC sample data, not market data\n" + csv_text
    _write(files.csv, csv_text.encode())
    for name, png in rendered.images.items():
        _write(folder / f"{stem}-{name}.png", png)
    return files


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
