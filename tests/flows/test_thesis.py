"""`gapcast thesis` on the snapshot: the long tech basket from the 1980s and both links of the thesis tested for the
long-history talent targets (docs/thesis.md)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from flows import steps
from flows.cli_models import register
from tests.conftest import copy_home


@pytest.fixture(scope="module")
def thesis_home(snapshot_run, tmp_path_factory):
    settings = copy_home(snapshot_run, tmp_path_factory, "thesis")
    return settings, steps.thesis(settings)


def _frame(settings, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(settings.pipeline_db), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def test_the_long_basket_runs_monthly_from_1995_and_shows_the_dot_com_peak(thesis_home):
    settings, report = thesis_home
    b = _frame(settings, "SELECT * FROM marts.tech_basket_monthly ORDER BY month")
    months = pd.DatetimeIndex(b["month"])
    since = months[months >= "1995-01-01"]
    assert since[0] == pd.Timestamp("1995-01-01") and since[-1] >= pd.Timestamp("2026-06-01")
    assert len(since) == len(pd.date_range(since[0], since[-1], freq="MS"))  # every month, no gap
    ps = b.set_index(months)["price_to_sales"]
    peak = ps["1998":"2001"]
    assert peak.idxmax().year in (1999, 2000) and peak.max() > 1.5 * ps["2021"].max()
    assert report.basket["peak_1998_2001"][0].startswith(("1999", "2000"))
    # the members enter as their data begin: AMZN (filed revenue from 1997) and NVDA (from 2000) join later
    first = {t: months[b["member_tickers"].apply(lambda m, t=t: t in list(m))].min() for t in ("MSFT", "AMZN", "NVDA")}
    assert first["MSFT"] < first["AMZN"] < first["NVDA"]
    assert not b["synthetic"].any()
    assert any(e.startswith(("1998", "1999")) for e in report.basket["episodes"]), report.basket


def test_both_links_are_tested_for_the_long_history_targets(thesis_home):
    settings, report = thesis_home
    t = _frame(settings, "SELECT * FROM marts.thesis_tests")
    assert set(t["link"]) == {"a", "b"}
    for target in ("USINFO", "JTU5100JOL", "IHLIDXUSTPSOFTDEVE"):
        lp = t[(t["test"] == "local_projection") & (t["target"] == target) & (t["measure"] == "gap z-score")]
        assert sorted(lp["horizon"]) == list(range(1, 25)), target
        assert lp["std_error"].gt(0).all() and (lp["lo"] < lp["estimate"]).all() and (lp["estimate"] < lp["hi"]).all()
        g = t[(t["test"] == "granger") & ((t["target"] == target) | (t["measure"] == target))]
        assert len(g) == 2 and g["p_value"].between(0, 1).all(), target  # both directions
        assert len(lp) == 24
        for test in ("calendar_season", "calendar_windows", "out_of_sample") if target != "IHLIDXUSTPSOFTDEVE" else ():
            chosen = t[(t["test"] == test) & (t["target"] == target)]
            assert len(chosen) and chosen["p_value"].between(0, 1).all(), (target, test)
        assert t[(t["target"] == target)]["verdict"].str.len().gt(20).all()
    robust = t[(t["test"] == "robustness") & (t["target"] == "USINFO")]
    assert set(robust["measure"]) == {"equal-weighted gap z-score", "gap z-score, origins 1995-2009",
                                      "gap z-score, origins 2010-"}
    early = robust[robust["measure"] == "gap z-score, origins 1995-2009"]
    assert pd.to_datetime(early["sample_end"]).max() <= pd.Timestamp("2009-12-01")  # the origins of one cycle
    # Indeed has 6 seasons: the calendar test says it was not estimated, and why
    indeed = t[(t["target"] == "IHLIDXUSTPSOFTDEVE") & t["test"].str.startswith("calendar")]
    assert set(indeed["test"]) == {"calendar_season", "calendar_windows"}
    assert indeed["verdict"].str.startswith("not estimated").all()
    assert len(report.verdicts) >= 7 and report.verdicts[0].startswith("capital: ")


def test_gapcast_thesis_prints_the_verdicts_and_publishes(snapshot_run, tmp_path_factory):
    settings = copy_home(snapshot_run, tmp_path_factory, "thesis_cli")
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["thesis", "--home", str(settings.home)])
    assert result.exit_code == 0, result.output
    assert "long tech basket 1987-01.." in result.output and "USINFO: " in result.output
    con = duckdb.connect(str(settings.analytics_db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM marts.thesis_tests").fetchone()[0] > 100
    finally:
        con.close()


def test_gapcast_thesis_before_a_build_says_what_to_run(tmp_path):
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["thesis", "--home", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "run `gapcast run`" in result.output


def test_the_report_has_the_thesis_section_with_its_verdicts_and_chart(snapshot_run, tmp_path_factory):
    from dashboards.report.content import gather
    from dashboards.report.render import render

    settings = copy_home(snapshot_run, tmp_path_factory, "thesis_report")
    steps.thesis(settings)
    steps.publish(settings)
    con = duckdb.connect(str(settings.analytics_db), read_only=True)
    try:
        content = gather(con, "2026-12")
    finally:
        con.close()
    section = next(s for s in content.sections if s.key == "thesis")
    assert section.text.count("\n") > 10 and "In short: of 9 local projections" in section.text
    assert "USINFO, local projection (gap z-score): " in section.text
    rendered = render(content)
    assert len(rendered.images["thesis"]) > 20_000  # the two cycles and USINFO's response, drawn
    assert "DOES THE GAP LEAD THE TALENT MARKET?" in rendered.text()  # the plain-text email: titles in capitals
