"""Render the report: HTML (email body or a standalone file), plain text, PDF and CSV."""

from __future__ import annotations

import base64
import io
import textwrap
from dataclasses import dataclass
from pathlib import Path

import jinja2
import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from dashboards.report import charts  # noqa: E402
from dashboards.report.content import ReportContent  # noqa: E402

TEMPLATES = Path(__file__).resolve().parent / "templates"
DIVERGENCE_COLUMNS = {
    "price_to_sales": "price-to-sales\n(times TTM revenue)",
    "ps_zscore": "log P/S z-score\n(sd, expanding)",
    "coint_gap_eg": "cointegration gap\n(log points)",
    "capex_gap_pp": "capex gap\n(growth, pp)",
    "required_revenue_gap_bn": "required-revenue\ngap (USD bn)",
}


@dataclass(frozen=True)
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class RenderedSection:
    title: str
    text: str
    missing: str | None
    image: str | None
    tables: list[Table]


@dataclass(frozen=True)
class Rendered:
    """Everything the files and the email are made of."""

    content: ReportContent
    sections: list[RenderedSection]
    images: dict[str, bytes]  # name -> PNG

    @property
    def month_label(self) -> str:
        return pd.Timestamp(self.content.month + "-01").strftime("%B %Y")

    @property
    def headline_display(self) -> str:
        value = self.content.headline_value
        if value is None:
            return "not available"
        return f"{value:.0%}" if self.content.headline_label.startswith("P(") else f"{value:.1f}"

    def html(self, image_src) -> str:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
        return env.get_template("report.html").render(
            month_label=self.month_label, built_as_of=self.content.built_as_of, banner=self.content.banner,
            headline_label=self.content.headline_label, headline_display=self.headline_display,
            headline_text=self.content.headline_text, sections=self.sections, image_src=image_src)

    def standalone_html(self) -> str:
        return self.html(lambda name: "data:image/png;base64," + base64.b64encode(self.images[name]).decode())

    def text(self) -> str:
        lines = []
        if self.content.banner:
            lines += [f"*** {self.content.banner} ***", ""]
        lines += [f"gapcast monthly report, {self.month_label} (warehouse built as of {self.content.built_as_of})",
                  "", f"{self.content.headline_label}: {self.headline_display}",
                  *textwrap.wrap(self.content.headline_text, 78), ""]
        for s in self.sections:
            lines += [s.title.upper()]
            if s.missing:
                lines += textwrap.wrap(s.missing, 78)
            if s.text:
                lines += [w for part in s.text.split("\n") for w in textwrap.wrap(part, 78)]
            if s.image:
                lines += ["(chart in the HTML version and the PDF)"]
            for t in s.tables:
                if t.caption:
                    lines.append(t.caption)
                widths = [max(len(str(c)), *(len(str(r[i])) for r in t.rows)) if t.rows else len(str(c))
                          for i, c in enumerate(t.columns)]
                lines.append("  ".join(str(c).ljust(w) for c, w in zip(t.columns, widths)))
                lines += ["  ".join(str(v).ljust(w) for v, w in zip(r, widths)) for r in t.rows]
            lines.append("")
        lines.append("Attached: the report as PDF and its data as CSV.")
        return "\n".join(lines) + "\n"

    def pdf(self) -> bytes:
        """A4 pages: the headline, then each section with its chart and tables, nothing cut off."""
        buffer = io.BytesIO()
        with PdfPages(buffer, metadata={"Title": f"gapcast {self.month_label}", "Creator": "gapcast"}) as pdf:
            page = _Page(pdf, self.content.banner)
            page.heading(f"gapcast monthly report — {self.month_label}", size=16)
            page.small(f"Warehouse built as of {self.content.built_as_of}")
            page.heading(f"{self.content.headline_label}: {self.headline_display}", size=13)
            page.paragraph(self.content.headline_text)
            for s in self.sections:
                page.heading(s.title, size=13)
                if s.missing:
                    page.paragraph(s.missing, color="#8a6d00")
                if s.text:
                    page.paragraph(s.text)
                if s.image:
                    page.image(self.images[s.image])
                for t in s.tables:
                    page.table(t)
            page.finish()
        return buffer.getvalue()


class _Page:
    """Lays text, images and tables down A4 pages top to bottom, starting a new page when one is full."""

    WIDTH, HEIGHT = 8.27, 11.69
    MARGIN = 0.6

    def __init__(self, pdf: PdfPages, banner: str | None):
        self.pdf, self.banner = pdf, banner
        self.fig = None
        self._new()

    def _new(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            plt.close(self.fig)
        self.fig = plt.figure(figsize=(self.WIDTH, self.HEIGHT))
        self.y = self.HEIGHT - self.MARGIN
        if self.banner:
            self.fig.text(0.5, 1 - 0.25 / self.HEIGHT, self.banner, ha="center", va="top", color="white",
                          fontsize=10, fontweight="bold",
                          bbox={"facecolor": "#b00020", "edgecolor": "none", "pad": 5})
            self.y -= 0.35

    def _room(self, height: float) -> None:
        if self.y - height < self.MARGIN:
            self._new()

    def _text(self, text: str, size: float, weight="normal", color="#1b1b1b", gap=0.08) -> None:
        line_height = size / 72 * 1.35
        self._room(line_height)
        self.fig.text(self.MARGIN / self.WIDTH, self.y / self.HEIGHT, text, ha="left", va="top", fontsize=size,
                      fontweight=weight, color=color)
        self.y -= line_height + gap

    def heading(self, text: str, size: float) -> None:
        self.y -= 0.1
        self._room(1.0)  # never leave a heading alone at the foot of a page
        self._text(text, size, weight="bold")

    def small(self, text: str) -> None:
        self._text(text, 8, color="#666666")

    def paragraph(self, text: str, color="#1b1b1b") -> None:
        for line in (w for part in text.split("\n") for w in textwrap.wrap(part, 105)):  # a newline starts a line
            self._text(line, 9, color=color, gap=0.0)
        self.y -= 0.1

    def image(self, png: bytes) -> None:
        picture = mpimg.imread(io.BytesIO(png), format="png")
        h_px, w_px = picture.shape[:2]
        width = self.WIDTH - 2 * self.MARGIN
        height = width * h_px / w_px
        if height > self.HEIGHT - 2 * self.MARGIN - 0.6:
            height = self.HEIGHT - 2 * self.MARGIN - 0.6
            width = height * w_px / h_px
        self._room(height)
        ax = self.fig.add_axes([self.MARGIN / self.WIDTH, (self.y - height) / self.HEIGHT, width / self.WIDTH,
                                height / self.HEIGHT])
        ax.imshow(picture)
        ax.axis("off")
        self.y -= height + 0.15

    def table(self, table: Table, rows_per_chunk: int = 28) -> None:
        for start in range(0, max(1, len(table.rows)), rows_per_chunk):
            chunk = table.rows[start:start + rows_per_chunk]
            height = 0.22 * (len(chunk) + 1)
            if table.caption:
                self._text(table.caption if start == 0 else f"{table.caption} (continued)", 8, color="#444444")
            self._room(height)
            ax = self.fig.add_axes([self.MARGIN / self.WIDTH, (self.y - height) / self.HEIGHT,
                                    (self.WIDTH - 2 * self.MARGIN) / self.WIDTH, height / self.HEIGHT])
            ax.axis("off")
            text = [[str(v)[:60] for v in r] for r in chunk] or [["" for _ in table.columns]]
            widths = [max([len(str(c))] + [len(r[i]) for r in text]) + 2 for i, c in enumerate(table.columns)]
            total = sum(widths)
            cells = ax.table(cellText=text, colLabels=table.columns, loc="upper left", cellLoc="left",
                             colLoc="left", colWidths=[w / total for w in widths])
            cells.auto_set_font_size(False)
            cells.set_fontsize(7.5)
            cells.scale(1, 1.25)
            for (row, _), cell in cells.get_celld().items():
                cell.set_edgecolor("#dddddd")
                if row == 0:
                    cell.set_facecolor("#f0f2f5")
                    cell.set_text_props(fontweight="bold")
            self.y -= height + 0.2

    def finish(self) -> None:
        self.pdf.savefig(self.fig)
        plt.close(self.fig)


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _table(frame: pd.DataFrame | None, caption: str = "", formats: dict | None = None, limit: int = 40) -> list[Table]:
    if frame is None or frame.empty:
        return []
    formats = formats or {}
    rows = [[formats[c](v) if c in formats and v is not None and not (isinstance(v, float) and pd.isna(v))
             else _fmt(v) for c, v in row.items()] for _, row in frame.head(limit).iterrows()]
    return [Table(caption, [str(c).replace("_", " ") for c in frame.columns], rows)]


def render(content: ReportContent) -> Rendered:
    images: dict[str, bytes] = {}
    sections: list[RenderedSection] = []
    for s in content.sections:
        image, tables = None, []
        if s.key == "divergence" and s.chart is not None and not s.chart.empty:
            if "ps_zscore" not in s.chart.columns:
                images["divergence"] = charts.basket_chart(s.chart, content.synthetic)
            else:
                images["divergence"] = charts.divergence_chart(s.chart, s.extra.get("episodes", pd.DataFrame()),
                                                               content.synthetic, DIVERGENCE_COLUMNS)
            image = "divergence"
            tables = _table(s.table, "Dated bubble episodes")
            tables += _table(s.extra.get("members"), "Revenue behind the basket on its last trading day")
        elif s.key == "progress" and s.chart is not None and not s.chart.empty:
            images["progress"] = charts.capital_progress_chart(s.chart, content.synthetic,
                                                               s.extra.get("source", ""))
            image = "progress"
        elif s.key == "talent" and s.chart is not None and not s.chart.empty:
            images["talent"] = charts.talent_chart(s.chart, content.synthetic)
            image = "talent"
            tables = _table(s.table, "March–May against the previous September–November (last four springs)",
                            {"change": lambda v: f"{v:+.1%}", "sep_nov": lambda v: f"{v:,.1f}",
                             "mar_may": lambda v: f"{v:,.1f}"})
        elif s.key == "thesis" and s.chart is not None and not s.chart.empty:
            images["thesis"] = charts.thesis_chart(s.chart, s.extra.get("response", pd.DataFrame()),
                                                   content.synthetic)
            image = "thesis"
        elif s.key == "forecast" and s.chart is not None and not s.chart.empty:
            history = next((x.chart for x in content.sections if x.key == "talent"), pd.DataFrame())
            images["forecast"] = charts.fan_chart(s.chart, history, content.synthetic)
            image = "forecast"
        elif s.key == "health":
            tables = _table(s.table, "Series by kind: fresh (ok), stale (older than their publication rhythm) or failed")
            tables += _table(s.extra.get("failed"), "Series whose last load failed")
            failed_checks = s.extra.get("checks")
            if failed_checks is not None and not failed_checks.empty:
                tables += _table(failed_checks[~failed_checks["passed"].astype(bool)], "Data checks that failed")
            tables += _table(s.extra.get("models"), "Model fits")
        else:
            tables = _table(s.table)
        sections.append(RenderedSection(s.title, s.text, s.missing, image, tables))
    return Rendered(content, sections, images)
