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
        answered = self.content.answer is not None and self.content.answer.lead_probability is not None
        return f"{value:.0%}" if answered or self.content.headline_label.startswith("P(") else f"{value:.1f}"

    def html(self, image_src) -> str:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
        answer = self.content.answer
        return env.get_template("report.html").render(
            month_label=self.month_label, built_as_of=self.content.built_as_of, banner=self.content.banner,
            headline_label=self.content.headline_label, headline_display=self.headline_display,
            headline_text=self.content.headline_text, sections=self.sections, image_src=image_src,
            answer=answer if answer is not None and answer.lead_probability is not None else None,
            contents=self.contents, disclaimer=DISCLAIMER)

    @property
    def contents(self) -> str:
        return "Contents: " + " · ".join(s.title for s in self.sections)

    def page_one(self) -> list[tuple[str, str]]:
        """Page 1 as (style, text) lines: the title, the answer's sentences, the verdicts, the data-through lines."""
        a = self.content.answer
        if a is None or a.lead_probability is None:
            return [("title", f"{self.content.headline_label}: {self.headline_display}"),
                    ("text", self.content.headline_text)]
        return ([("title", a.title)] + [("text", t) for t in a.sentences]
                + [("heading", "Verdict by target")] + [("item", v) for v in a.verdicts]
                + [("heading", "Data through")] + [("through", d) for d in a.data_through])

    def standalone_html(self) -> str:
        return self.html(lambda name: "data:image/png;base64," + base64.b64encode(self.images[name]).decode())

    def text(self) -> str:
        lines = []
        if self.content.banner:
            lines += [f"*** {self.content.banner} ***", ""]
        lines += [f"gapcast monthly report, {self.month_label} (warehouse built as of {self.content.built_as_of})", ""]
        for style, text in self.page_one():
            if style == "title":
                lines += [*textwrap.wrap(text, 78), ""]
            elif style == "heading":
                lines += ["", text.upper()]
            elif style in ("item", "through"):
                lines += textwrap.wrap(text, 78, initial_indent="- ", subsequent_indent="  ")
            else:
                lines += [*textwrap.wrap(text, 78), ""]
        lines += ["", *textwrap.wrap(self.contents, 78), ""]
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
        lines += [*textwrap.wrap(DISCLAIMER, 78), "", "Attached: the report as PDF and its data as CSV."]
        return "\n".join(lines) + "\n"

    def pdf(self) -> bytes:
        """A4 pages: the headline, then each section with its chart and tables, nothing cut off."""
        buffer = io.BytesIO()
        with PdfPages(buffer, metadata={"Title": f"gapcast {self.month_label}", "Creator": "gapcast"}) as pdf:
            page = _Page(pdf, self.content.banner, f"gapcast · {self.month_label}")
            page.small(f"gapcast monthly report · {self.month_label} · warehouse built as of "
                       f"{self.content.built_as_of}")
            drawn_through = False
            for style, text in self.page_one():
                if style == "title":
                    page.paragraph(text, size=15, weight="bold", width=62)
                elif style == "heading":
                    page.heading(text, size=11)
                elif style == "item":
                    page.paragraph(text, size=8.5, width=112, bullet=True, after=0.04)
                elif style == "through":
                    if not drawn_through:
                        page.table(_table(self.content.answer.through_table)[0], font=7.5)
                        drawn_through = True
                else:
                    page.paragraph(text, size=9, after=0.07)
            page.small(self.contents, wrap=True)
            page.break_page()
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
            page.heading("Disclaimer", size=11)
            page.paragraph(DISCLAIMER, size=8, color="#555555")
            page.finish()
        return buffer.getvalue()


class _Page:
    """Lays text, images and tables down A4 pages top to bottom, starting a new page when one is full."""

    WIDTH, HEIGHT = 8.27, 11.69
    MARGIN = 0.6

    def __init__(self, pdf: PdfPages, banner: str | None, footer: str = "gapcast"):
        self.pdf, self.banner, self.footer = pdf, banner, footer
        self.fig = None
        self.number = 0
        self._new()

    def _new(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            plt.close(self.fig)
        self.fig = plt.figure(figsize=(self.WIDTH, self.HEIGHT))
        self.number += 1
        self.fig.text(0.5, 0.3 / self.HEIGHT, f"{self.footer} · page {self.number}", ha="center", va="bottom",
                      fontsize=7.5, color="#777777")
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

    def small(self, text: str, wrap: bool = False) -> None:
        for line in textwrap.wrap(text, 115) if wrap else [text]:
            self._text(line, 8, color="#666666", gap=0.0)
        self.y -= 0.08

    def paragraph(self, text: str, color="#1b1b1b", size: float = 9, weight: str = "normal",
                  width: int | None = None, bullet: bool = False, after: float = 0.1) -> None:
        width = width or int(105 * 9 / size)  # characters per line at this size across the text block
        for part in text.split("\n"):  # a newline starts a line
            wrapped = textwrap.wrap(part, width, initial_indent="• " if bullet else "",
                                    subsequent_indent="   " if bullet else "")
            for line in wrapped:
                self._text(line, size, weight=weight, color=color, gap=0.0)
        self.y -= after

    def break_page(self) -> None:
        self._new()

    def image(self, png: bytes) -> None:
        """A chart across the text block; shrunk (to half at most) to finish a page rather than leave it half blank."""
        picture = mpimg.imread(io.BytesIO(png), format="png")
        h_px, w_px = picture.shape[:2]
        width = self.WIDTH - 2 * self.MARGIN
        height = width * h_px / w_px
        if height > self.HEIGHT - 2 * self.MARGIN - 0.6:
            height = self.HEIGHT - 2 * self.MARGIN - 0.6
            width = height * w_px / h_px
        room = self.y - self.MARGIN - 0.01  # (a hair less: the room test below must not fail on rounding)
        if height > room >= 0.5 * height:
            width, height = width * room / height, room
        self._room(height)
        ax = self.fig.add_axes([self.MARGIN / self.WIDTH, (self.y - height) / self.HEIGHT, width / self.WIDTH,
                                height / self.HEIGHT])
        ax.imshow(picture)
        ax.axis("off")
        self.y -= height + 0.15

    LINE = 0.15  # inches per line of table text at 7.5 pt; a row adds PAD

    PAD = 0.07

    def table(self, table: Table, font: float = 7.5) -> None:
        """A table across the text block: cells wrapped to fit it (never cut), rows continued on the next page under
        the caption marked '(continued)', and a caption never left alone at the foot of a page."""
        block = self.WIDTH - 2 * self.MARGIN
        capacity = int(block * 72 / (font * 0.6))  # characters across the block at this size (bold headers included)
        body = [[str(v) for v in r] for r in table.rows] or [["" for _ in table.columns]]
        widths = [max([len(str(c))] + [len(r[i]) for r in body]) + 1 for i, c in enumerate(table.columns)]
        while sum(widths) > capacity and max(widths) > 10:
            widths[widths.index(max(widths))] -= 1
        scale = font / 7.5

        def wrap(values):
            cells = [textwrap.wrap(v, max(1, w - 1)) or [""] for v, w in zip(values, widths)]
            return ["\n".join(c) for c in cells], max(len(c) for c in cells)

        header, header_lines = wrap([str(c) for c in table.columns])
        rows = [wrap(r) for r in body]
        heights = [(n * self.LINE + self.PAD) * scale for _, n in rows]
        head_h = (header_lines * self.LINE + self.PAD) * scale
        caption_h = 8 / 72 * 1.35 + 0.08 if table.caption else 0.0
        i, first = 0, True
        while i < len(rows):
            if self.y - caption_h - head_h - heights[i] < self.MARGIN:
                self._new()
            room = self.y - self.MARGIN - caption_h - head_h
            j, used = i, 0.0
            while j < len(rows) and used + heights[j] <= room:
                used += heights[j]
                j += 1
            j = max(j, i + 1)
            if table.caption:
                self._text(table.caption if first else f"{table.caption} (continued)", 8, color="#444444")
            self._draw(header, head_h, rows[i:j], heights[i:j], widths, font)
            i, first = j, False
        self.y -= 0.2

    def _draw(self, header, head_h, rows, heights, widths, font) -> None:
        block = self.WIDTH - 2 * self.MARGIN
        total_h = head_h + sum(heights)
        ax = self.fig.add_axes([self.MARGIN / self.WIDTH, (self.y - total_h) / self.HEIGHT, block / self.WIDTH,
                                total_h / self.HEIGHT])
        ax.axis("off")
        cells = ax.table(cellText=[r for r, _ in rows], colLabels=header, bbox=[0, 0, 1, 1], cellLoc="left",
                         colLoc="left", colWidths=[w / sum(widths) for w in widths])  # exactly the text block
        cells.auto_set_font_size(False)
        cells.set_fontsize(font)
        for (row, _), cell in cells.get_celld().items():
            cell.set_height((head_h if row == 0 else heights[row - 1]) / total_h)
            cell.set_edgecolor("#dddddd")
            cell.get_text().set_va("center")
            if row == 0:
                cell.set_facecolor("#f0f2f5")
                cell.set_text_props(fontweight="bold")
        self.y -= total_h

    def finish(self) -> None:
        self.pdf.savefig(self.fig)
        plt.close(self.fig)


DISCLAIMER = ("gapcast is a research tool, not investment, hiring or employment advice. Its probabilities are model "
              "outputs computed from public data as they stood at the build; they are only as good as the skill "
              "the backtest shows, which this report states. Data may be stale, revised or wrong at the source.")


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
    if len(frame) > limit:
        caption = f"{caption} (the first {limit} of {len(frame)} rows; all of them in the CSV)".lstrip()
    header = [str(c).replace("_", " ").removesuffix(" %") if c in formats else str(c).replace("_", " ")
              for c in frame.columns]
    return [Table(caption, header, rows)]


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
                                                               content.synthetic, DIVERGENCE_COLUMNS,
                                                               s.extra.get("source", ""))
            image = "divergence"
            tables = _table(s.table, "Dated bubble episodes")
            tables += _table(s.extra.get("members"), "Revenue behind the basket on its last trading day")
        elif s.key == "progress" and s.chart is not None and not s.chart.empty:
            images["progress"] = charts.capital_progress_chart(s.chart, content.synthetic,
                                                               s.extra.get("source", ""))
            image = "progress"
        elif s.key == "talent" and s.chart is not None and not s.chart.empty:
            images["talent"] = charts.talent_chart(s.chart, content.synthetic, s.extra.get("source", ""))
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
            images["forecast"] = charts.fan_chart(s.chart, history, content.synthetic,
                                                  next((x.extra.get("source", "") for x in content.sections
                                                        if x.key == "talent"), ""))
            image = "forecast"
        elif s.key == "cooling":
            pct = {"P(cooling) %": lambda v: f"{v:.0f}%", "threshold %": lambda v: f"{v:+.1f}%",
                   "base rate %": lambda v: f"{v:.0f}%", "P(low-growth regime) %": lambda v: f"{v:.0f}%"}
            tables = _table(s.table, "P(cooling) by target and model, the coming March-May", pct)
            tables += _table(s.extra.get("regimes"), "The regime model: probability of its low-growth regime in the "
                             "season (another event, not cooling)", pct)
        elif s.key == "method":
            tables = _table(s.table, "Data vintage of this run, per kind and source")
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
