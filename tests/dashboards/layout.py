"""Layout faults a reader of the PDF report would see, found on the rasterized pages and their text (pdfium).

- something drawn beyond the text block's left or right edge (a table or chart wider than the page allows);
- a page more than half blank, except the last (a chart or table pushed to the next page);
- a table caption as the last line of a page (its table starts on the next page).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium

from dashboards.report.render import _Page

DPI = 72  # one pixel per point: enough to see a table cross the margin by a few points
EDGE_SLACK = 0.06  # inches beyond the margin still taken as inside (antialiasing, cell borders)
FOOTER = 0.5  # inches at the foot of every page kept for the page number
HEADER = 0.45  # inches at the top kept for the SYNTHETIC banner


@dataclass(frozen=True)
class Fault:
    page: int
    what: str

    def __str__(self) -> str:
        return f"page {self.page}: {self.what}"


def page_pixels(page) -> np.ndarray:
    """The page as a grey-level array (0 black .. 255 white)."""
    return np.asarray(page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L"), dtype=np.uint8)


def page_lines(page) -> list[tuple[float, str]]:
    """The page's text as lines, top to bottom: (distance of the line's bottom from the page top, inches; text)."""
    text = page.get_textpage()
    height = page.get_height()
    chars = []
    for i in range(text.count_chars()):
        left, bottom, right, top = text.get_charbox(i)
        chars.append(((height - (bottom + top) / 2) / 72, left, text.get_text_range(i, 1)))
    lines: list[tuple[float, list]] = []  # glyph centres within 0.06 in of a line's first are on that line
    for y, x, c in sorted(chars):
        if lines and y - lines[-1][0] < 0.06:
            lines[-1][1].append((x, c))
        else:
            lines.append((y, [(x, c)]))
    return [(y, "".join(c for _, c in sorted(cs)).strip()) for y, cs in lines]


def faults(pdf_bytes: bytes, captions: list[str]) -> list[Fault]:
    """Every layout fault of the PDF; ``captions``: the table captions the report drew."""
    pdf = pdfium.PdfDocument(pdf_bytes)
    found: list[Fault] = []
    width_in, height_in, margin = _Page.WIDTH, _Page.HEIGHT, _Page.MARGIN
    for n in range(len(pdf)):
        page = pdf[n]
        ink = page_pixels(page) < 200
        px = DPI
        top, bottom = int(HEADER * px), int((height_in - FOOTER) * px)
        body = ink[top:bottom]
        left_edge, right_edge = int((margin - EDGE_SLACK) * px), int((width_in - margin + EDGE_SLACK) * px)
        beyond = np.where(body[:, right_edge:].any(axis=0))[0]
        if len(beyond):
            found.append(Fault(n + 1, f"drawn {(beyond.max() + 1) / px:.2f} in beyond the right edge of the text "
                                      "block (a table or chart wider than the page)"))
        if body[:, :left_edge].any():
            found.append(Fault(n + 1, "drawn left of the text block"))
        rows = np.where(body.any(axis=1))[0]
        used = (rows.max() + top) / px - margin if len(rows) else 0.0
        block = height_in - 2 * margin
        if n < len(pdf) - 1 and used < block / 2:
            found.append(Fault(n + 1, f"more than half blank (content ends {used:.1f} in into a {block:.1f} in "
                                      "text block)"))
        lines = [(y, t) for y, t in page_lines(page) if y < height_in - FOOTER and t]
        if lines and n < len(pdf) - 1:
            last = _squeeze(lines[-1][1])  # spaces have no glyph box: lines are compared without them
            if any(c and _squeeze(c)[:60] and last.startswith(_squeeze(c)[:60]) for c in captions):
                found.append(Fault(n + 1, f"a table caption is the last line of the page: {lines[-1][1]!r}"))
    return found


def _squeeze(text: str) -> str:
    return "".join(text.split())


def page_text(pdf_bytes: bytes, number: int) -> str:
    """The text of page ``number`` (1-based) as pdfium extracts it, runs of white space as one space."""
    page = pdfium.PdfDocument(pdf_bytes)[number - 1]
    return " ".join(page.get_textpage().get_text_range().split())
