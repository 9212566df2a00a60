"""What a reader of the report sees: page 1 answers in words, the pages are laid out without faults (rasterized and
read back with pdfium), and the CSV round-trips into pandas with its units and headline flag."""

from __future__ import annotations

import importlib
import io

import pandas as pd
import pytest

from dashboards.report.answer import KIND_NAMES, likelihood
from flows import steps
from tests.conftest import query
from tests.dashboards.layout import faults, page_text

render_module = importlib.import_module("dashboards.report.render")


def captions(files) -> list[str]:
    return [t.caption for s in files.rendered.sections for t in s.tables]


def expected_page_one(settings) -> tuple[str, list[str], list[tuple[str, str]]]:
    """From the warehouse: the view's word, every target's catalog name, and per kind its newest observation."""
    rows = query(settings.analytics_db, "SELECT s.name, p.probability, list_contains(s.roles, 'control') "
                                        "FROM marts.cooling_probability AS p JOIN marts.series AS s "
                                        "ON s.series_id = p.target_series WHERE p.headline")
    tech = sorted(p for _, p, control in rows if not control)
    median = (tech[len(tech) // 2] + tech[(len(tech) - 1) // 2]) / 2
    kinds = query(settings.analytics_db, "SELECT kind, max(last_observation)::DATE FROM meta.series_status "
                                         "GROUP BY kind")
    return likelihood(median), [name for name, _, _ in rows], [(KIND_NAMES.get(k, k), f"{d:%Y-%m-%d}")
                                                              for k, d in kinds if d is not None]


def test_snapshot_report_page_one_answers_and_is_laid_out_cleanly(snapshot_run, tmp_path):
    settings, _ = snapshot_run
    files = steps.report(settings, None, out_dir=tmp_path / "out")
    pdf = files.pdf.read_bytes()
    assert faults(pdf, captions(files)) == []
    word, names, through = expected_page_one(settings)
    one = page_text(pdf, 1)
    assert "Tech hiring: cooling in spring" in one
    assert f"is {word}" in one and "(no backtest yet)" in one and "No backtest yet" in one
    for name in names:
        assert name in one, name
    for kind, day in through:
        assert kind in one and day in one, (kind, day)
    assert "Data through" in one and "Verdict by target" in one and "Contents:" in one and "page 1" in one
    assert "IHLIDXUSTPSOFTDEVE" not in one and "JTU5100JOL" not in one  # plain names only
    assert "Disclaimer" in page_text(pdf, pages(pdf))
    html = files.html.read_text()
    for name in names:
        assert name in html
    assert "Verdict by target" in html and files.content.answer.title in html


def pages(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    return len(pdfium.PdfDocument(pdf))


def test_sample_report_is_laid_out_cleanly_and_labelled_synthetic(sample_run, tmp_path):
    settings, _ = sample_run
    files = steps.report(settings, "2026-10", out_dir=tmp_path / "out")
    pdf = files.pdf.read_bytes()
    assert faults(pdf, captions(files)) == []
    one = page_text(pdf, 1)
    assert "SYNTHETIC" in one and "Tech hiring: cooling in spring 2027 is" in one


def _wide_draw(original):
    def draw(self, header, head_h, rows, heights, widths, font):
        keep = self.WIDTH
        self.WIDTH = keep + 1.2  # the table's block 1.2 in wider than the page's: it runs past the right margin
        try:
            original(self, header, head_h, rows, heights, widths, font)
        finally:
            self.WIDTH = keep
    return draw


def _caption_then_break(original):
    def table(self, table, font=7.5):
        if table.caption:
            self.y = self.MARGIN + 0.2  # the caption lands at the foot of a page, its table on the next
            self._text(table.caption, 8)
            self._new()
        original(self, render_module.Table("", table.columns, table.rows), font)
    return table


def _always_new_page(original):
    def image(self, png):
        self._new()  # every chart on a fresh page: the page before it left mostly blank
        original(self, png)
    return image


@pytest.mark.parametrize("method, wrap, fault", [
    ("_draw", _wide_draw, "beyond the right edge"),
    ("table", _caption_then_break, "a table caption is the last line"),
    ("image", _always_new_page, "more than half blank"),
])
def test_layout_check_fails_on_a_faulty_report(sample_run, tmp_path, monkeypatch, method, wrap, fault):
    """The check is not vacuous: each fault, put into the real renderer, is found."""
    settings, _ = sample_run
    monkeypatch.setattr(render_module._Page, method, wrap(getattr(render_module._Page, method)))
    files = steps.report(settings, "2026-10", out_dir=tmp_path / "out")
    found = faults(files.pdf.read_bytes(), captions(files))
    assert any(fault in str(f) for f in found), [str(f) for f in found]


def test_csv_round_trips_with_units_and_the_headline_flag(sample_run, tmp_path):
    settings, _ = sample_run
    files = steps.report(settings, "2026-10", out_dir=tmp_path / "out")
    frame = pd.read_csv(io.StringIO(files.csv.read_text()), comment="#", parse_dates=["target_month", "as_of"])
    assert set(frame["table"]) == {"probability", "path", "observed", "vintage"}
    prob = frame[frame["table"] == "probability"]
    assert (prob["unit"] == "probability (0-1)").all() and prob["probability"].between(0, 1).all()
    assert set(prob["headline"]) == {True, False}  # a flag on every probability row (blank on the other tables)
    cooling = prob[prob["event"] == "cooling"].astype({"headline": bool})
    assert (cooling.groupby("target_series")["headline"].sum() == 1).all()  # one headline per target
    assert (prob.loc[prob["model"] == "regimes", "event"] == "low-growth regime").all()
    stored = dict(query(settings.analytics_db, "SELECT target_series, probability FROM marts.cooling_probability "
                                               "WHERE headline"))
    assert cooling[cooling["headline"]].set_index("target_series")["probability"].to_dict() == \
        pytest.approx(stored, rel=1e-12)
    paths = frame[frame["table"] == "path"]
    units = dict(query(settings.analytics_db, "SELECT series_id, unit FROM marts.series"))
    assert (paths["unit"] == paths["target_series"].map(units)).all() and paths["mean"].notna().all()
    assert paths["target_name"].notna().all()
    seen = frame[frame["table"] == "observed"]
    assert set(seen["target_series"]) == set(paths["target_series"]) and seen["observed"].notna().all()
    assert (seen["unit"] == seen["target_series"].map(units)).all()
    stored = dict(((sid, pd.Timestamp(m)), v) for sid, m, v in query(
        settings.analytics_db, "SELECT series_id, month, value FROM marts.hiring_monthly"))
    assert [stored[(r.target_series, r.target_month)] for r in seen.itertuples()] == seen["observed"].tolist()
    vintage = frame[frame["table"] == "vintage"]
    assert vintage["kind"].notna().all() and vintage["series"].sum() == \
        query(settings.analytics_db, "SELECT count(*) FROM meta.series_status")[0][0]
