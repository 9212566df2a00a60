"""`gapcast thesis` on the snapshot: the long tech basket from the 1980s and both links of the thesis tested for the
long-history talent targets (docs/thesis.md)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from flows import steps
from flows.config import load_assumptions
from models.thesis import long_basket
from warehouse import results
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
                                      "gap z-score, origins 2010-", "AI basket gap z-score (2015-)",
                                      "AI capex gap (2015-)", "capital-progress gap z-score (2019-)"}
    # the AI basket's own measures: from 2015 only, for every target (CES: too few months, said so)
    ai = t[(t["test"] == "robustness") & t["measure"].str.startswith("AI ")]
    assert set(ai["target"]) == {"USINFO", "PAYEMS", "JTU5100JOL", "IHLIDXUSTPSOFTDEVE", "CES6054150001"}
    dated = ai.dropna(subset=["sample_start"])
    assert len(dated) and (pd.to_datetime(dated["sample_start"]) >= pd.Timestamp("2015-01-01")).all()
    assert ai[ai["target"] == "CES6054150001"]["verdict"].str.startswith("not estimated").all()
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


def test_a_second_thesis_run_on_the_same_inputs_reuses_the_results_and_reports_them(thesis_home):
    """The monthly flow runs the thesis every month: unchanged inputs, configuration and models reuse the published
    results (the tests are seeded, so a re-run would give the same numbers) and report the same verdicts."""
    settings, first = thesis_home
    before = _frame(settings, "SELECT * FROM marts.thesis_tests ORDER BY test, target, measure, horizon")
    again = steps.thesis(settings)
    assert again.reused == first.run_id and again.run_id != first.run_id
    assert again.verdicts == first.verdicts and again.basket == first.basket and again.synthetic is False
    pd.testing.assert_frame_equal(before, _frame(settings, "SELECT * FROM marts.thesis_tests ORDER BY test, target, "
                                                           "measure, horizon"))


def test_the_forecasts_gap_is_the_long_baskets_z_score_known_at_each_month(thesis_home):
    """sarimax.regressors' tech_basket:ps_zscore is the thesis's gap, computed from the basket's members as the
    forecast runs: the same values as marts.tech_basket_monthly, from 1992."""
    settings, _ = thesis_home
    con = duckdb.connect(str(settings.pipeline_db), read_only=True)
    try:
        frame, missing = steps.sarimax_regressors(con, ["tech_basket:ps_zscore", "tech_basket:nothing"])
    finally:
        con.close()
    assert missing == ["tech_basket:nothing"] and list(frame.columns) == ["tech_basket:ps_zscore"]
    stored = _frame(settings, "SELECT month, ps_zscore FROM marts.tech_basket_monthly WHERE ps_zscore IS NOT NULL")
    stored = stored.set_index(pd.DatetimeIndex(stored["month"]))["ps_zscore"]
    got = frame["tech_basket:ps_zscore"].dropna()
    assert got.index[0].year == 1992 and got.index.equals(stored.index)
    assert got.to_numpy() == pytest.approx(stored.to_numpy(), rel=1e-12)
    # no look-ahead: from only the prices and filings public by a month's end, the same values through that month
    con = duckdb.connect(str(settings.pipeline_db), read_only=True)
    try:
        inputs = results.tech_basket_inputs(con)
        both, _ = steps.sarimax_regressors(con, ["tech_basket:ps_zscore", "tech_basket:ps_zscore_cumulative"])
    finally:
        con.close()
    for cut in ("2000-06-30", "2008-12-31", "2016-03-31"):
        stamp = pd.Timestamp(cut)
        prices = inputs["prices"][pd.to_datetime(inputs["prices"]["date"]) <= stamp]
        filed = inputs["fundamentals"][pd.to_datetime(inputs["fundamentals"]["filed_at"]) <= stamp]
        early = long_basket(inputs["members"], prices, filed, ragged_edge=load_assumptions().ragged_edge).monthly
        early = early.set_index(pd.DatetimeIndex(early["month"]))
        for column in ("ps_zscore", "ps_zscore_cumulative"):
            full = both[f"tech_basket:{column}"]
            then = early[column].dropna()
            assert len(then) and then.to_numpy() == pytest.approx(full.reindex(then.index).to_numpy(), rel=1e-12)


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
