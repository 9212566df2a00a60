"""The monthly forecast report: gathered from the published warehouse, rendered to HTML, text, PDF and CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dashboards.report.content import ReportContent, gather
from dashboards.report.render import Rendered, render
from warehouse.db import connect_analytics
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


def build_report(settings: Settings, month: str | None = None, out_dir: Path | None = None) -> ReportFiles:
    """Write the report for `month` (default: this month) from analytics.duckdb into out_dir."""
    month = month or current_month()
    con = connect_analytics(settings)
    try:
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
