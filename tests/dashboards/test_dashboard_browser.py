"""End to end in headless Chromium: `gapcast dashboard` serves every page, each draws its charts and shows the
database's headline numbers, screenshots are saved, and a write through the SQL page is refused."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.dashboards.browser_helpers import (
    PAGE_STATE_JS,
    Browser,
    DashboardServer,
    add_model_fixtures,
    find_chromium,
    publish_copy,
    wait_for_page,
    wait_until,
)
from tests.conftest import query


@dataclass(frozen=True)
class Page:
    path: str
    header: str
    charts: int
    expected: tuple[str, ...]


@pytest.fixture
def chromium() -> str:
    path = find_chromium()
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed; CI installs Debian's package with .ci/install-browser")
    pytest.skip("chromium is not installed (run .ci/install-browser, or apt-get install chromium)")


def headline_numbers(db: Path) -> list[Page]:
    """What each page must say, read from the database the dashboard serves."""
    probabilities = query(db, "SELECT probability FROM marts.cooling_probability "
                              "WHERE as_of = (SELECT max(as_of) FROM marts.cooling_probability)")
    ps, z, gap = query(db, "SELECT price_to_sales, ps_zscore, coint_gap_eg FROM marts.divergence_monthly "
                           "ORDER BY month DESC LIMIT 1")[0]
    ok, total = query(db, "SELECT count(*) FILTER (WHERE status = 'ok'), count(*) FROM meta.series_status")[0]
    episode = query(db, "SELECT series, strftime(\"start\", '%Y-%m'), strftime(\"end\", '%Y-%m') "
                        "FROM marts.bubble_episodes WHERE NOT ongoing ORDER BY \"start\" LIMIT 1")[0]
    top_ticker, top_share = query(db, """
        WITH last AS (SELECT date, unnest(member_tickers) AS ticker FROM marts.ai_basket_daily
                      WHERE date = (SELECT max(date) FROM marts.ai_basket_daily))
        SELECT p.ticker, p.market_cap / sum(p.market_cap) OVER ()
        FROM last JOIN marts.prices_daily AS p USING (date, ticker) ORDER BY p.market_cap DESC LIMIT 1""")[0]
    latest_targets = query(db, "SELECT series_id, arg_max(value, month) FROM marts.hiring_monthly "
                               "WHERE talent_target GROUP BY 1")
    skill = query(db, "SELECT value FROM marts.backtest_scores WHERE model = 'sarimax' AND horizon = 1 "
                      "AND metric = 'brier_skill'")[0][0]
    forecasts = query(db, "SELECT count(*) FROM marts.backtest_forecasts")[0][0]
    prices_rows = query(db, "SELECT count(*) FROM marts.prices_daily")[0][0]
    return [
        Page("", "Overview", 2, (
            *(f"{round(p * 100)}%" for (p,) in probabilities),
            f"{ps:.1f}×", f"{z:+.2f} σ", f"{gap:+.2f} log pts", f"{ok} ok", f"of {total}",
            "SYNTHETIC sample data", "In a bubble episode now")),
        Page("divergence", "Divergence", 5, (
            f"{episode[0]}: {episode[1]} to {episode[2]}", top_ticker, f"{top_share * 100:.1f}%",
            "Price-to-sales z-score", "Capex gap")),
        Page("talent", "Talent market", len(latest_targets) + 1, (  # one chart per talent target, and the regimes
            *(f"{sid}: latest {value:,.1f}" for sid, value in latest_targets), "80% interval", "Regime probabilities")),
        Page("backtest", "Backtest", 3, (f"{skill:.3f}", f"{forecasts:,}", "Brier skill score by model and horizon")),
        Page("thesis", "Does the gap lead the talent market?", 2, (
            "The verdicts", "USINFO: no evidence of Granger causality (fixture)",  # the page draws -> as an arrow
            "The long tech basket", "USINFO after a one-sd higher gap z-score")),
        Page("data", "Data", 1, (f"{prices_rows:,}", "marts.prices_daily", "Data dictionary", f"{total}")),
        Page("sql", "SQL", 0, ("Run query",)),
    ]


def submit_query(browser: Browser, text: str) -> None:
    """Type into the query box as a person would (select all, type) and press Run query."""
    browser.evaluate("(() => { const box = document.querySelector('textarea'); box.focus(); box.select(); "
                     "return true; })()")
    browser.send("Input.insertText", text=text)
    browser.evaluate("Array.from(document.querySelectorAll('button')).find(b => b.innerText.includes('Run query'))"
                     ".click()")


def wait_for_text(browser: Browser, *wanted: str, timeout: float = 20) -> str:
    """The page's text once the script has finished and every wanted string is shown (elements arrive one by one)."""
    def shown():
        state = browser.evaluate(PAGE_STATE_JS)
        text = browser.text()
        return text if all(w in text for w in wanted) and state["script"] == "notRunning" else None

    return wait_until(shown, timeout=timeout, what=f"{wanted} on the page")


@pytest.mark.slow
@pytest.mark.allow_hosts(["127.0.0.1"])  # loopback only: the dashboard and Chromium's DevTools endpoint
def test_every_page_draws_its_charts_and_headline_numbers_and_sql_refuses_a_write(chromium, sample_run, tmp_path):
    settings, _ = sample_run
    home = tmp_path / "home"
    db = publish_copy(settings.analytics_db, home)
    add_model_fixtures(db)
    pages = headline_numbers(db)
    series_before = query(db, "SELECT count(*) FROM marts.series")[0][0]
    shots = tmp_path / "screenshots"

    with DashboardServer(home, tmp_path / "server") as server, Browser(chromium, tmp_path / "browser") as browser:
        for page in pages:
            browser.open(f"{server.url}/{page.path}")
            state = wait_for_page(browser, header=page.header, min_charts=page.charts, timeout=40)
            assert state["charts"] == page.charts and state["exceptions"] == 0, (page.header, state)
            text = browser.text()
            missing = [s for s in page.expected if s not in text]
            assert not missing, f"{page.header} page lacks {missing}; it says:\n{text[:3000]}"
            shot = browser.screenshot(shots / f"{page.header.lower().replace(' ', '_')}.png")
            assert shot.stat().st_size > 20_000, shot

        # The SQL page: a query's result, then a write, refused, with the database unchanged.
        submit_query(browser, "SELECT series_id, kind, unit FROM marts.series")
        wait_for_text(browser, f"{series_before} rows", "Download CSV")
        submit_query(browser, "DROP TABLE marts.series")
        text = wait_for_text(browser, "Query refused", "DROP statements are refused")
        assert f"{series_before} rows" not in text
        browser.screenshot(shots / "sql_refused.png", full_page=False)

    assert query(db, "SELECT count(*) FROM marts.series")[0][0] == series_before
    keep = os.environ.get("GAPCAST_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for shot in shots.glob("*.png"):
            shutil.copy2(shot, Path(keep) / shot.name)
