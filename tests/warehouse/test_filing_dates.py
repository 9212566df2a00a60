"""Revenue is public at its filing date: a quarter whose source gives no filing date, or one equal to its period end,
enters the basket only at the imputed SEC deadline; two sources of one quarter never count it twice."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from tests.conftest import query
from warehouse.jobs import build_job, ingest_job

CATALOG = """
[catalog]
name = "filing"
root = "catalog"

[[series]]
id = "NVDA"
kind = "price"
frequency = "daily"
adapter = "yahoo_csv"
unit = "USD"
roles = ["ai_basket"]
payloads = [{ path = "nvda.csv", retrieved_at = "2025-06-30" }]

[[series]]
id = "NVDA.fundamentals"
ticker = "NVDA"
kind = "fundamentals"
frequency = "quarterly"
adapter = "fmp_csv"
unit = "USD"
payloads = [{ path = "nvda_fmp.csv", retrieved_at = "2025-06-30" }]
"""

HEADER = "date,symbol,reportedCurrency,fillingDate,calendarYear,period,revenue,weightedAverageShsOut\n"
# Four quarters filed about four weeks after they end, then one whose fillingDate is its period end (as in
# some copies of the FMP files): its true public date is unknown, so the 10-Q deadline (40 days) is imputed.
QUARTERS = [
    ("2024-01-28", "2024-02-21", 2024, "Q4", 22.1e9),
    ("2024-04-28", "2024-05-29", 2025, "Q1", 26.0e9),
    ("2024-07-28", "2024-08-28", 2025, "Q2", 30.0e9),
    ("2024-10-27", "2024-11-20", 2025, "Q3", 35.1e9),
    ("2025-01-26", "2025-01-26", 2025, "Q4", 39.3e9),
    ("2025-04-27", "2025-04-27", 2026, "Q1", 44.1e9),
]


def write_catalog(folder, quarters=QUARTERS) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    days = pd.bdate_range("2024-01-02", "2025-06-27")
    (folder / "nvda.csv").write_text("Date,Close\n" + "".join(f"{d:%Y-%m-%d},{100 + i * 0.01:.2f}\n"
                                                             for i, d in enumerate(days)))
    rows = "".join(f"{end},NVDA,USD,{filed},{fy},{q},{rev},24400000000\n" for end, filed, fy, q, rev in quarters)
    (folder / "nvda_fmp.csv").write_text(HEADER + rows)
    (folder / "filing.toml").write_text(CATALOG)
    return str(folder / "filing.toml")


def used_period(settings, day: date):
    rows = query(settings.pipeline_db, "SELECT revenue_period_end, revenue_filed_at, revenue_filed_at_imputed "
                 "FROM marts.ai_basket_member_daily WHERE ticker = 'NVDA' AND date = ?", [day])
    return rows[0]


def test_a_quarter_filed_on_its_period_end_enters_the_basket_at_the_imputed_deadline(tmp_path, settings):
    report = ingest_job(settings, write_catalog(tmp_path / "src"))
    assert not report.failed
    build_job(settings)
    quarters = query(settings.pipeline_db, "SELECT fiscal_period_end, filed_at, filed_at_imputed, filed_at_reported "
                     "FROM marts.fundamentals_quarterly WHERE ticker = 'NVDA' ORDER BY fiscal_period_end")
    by_end = {q[0]: q[1:] for q in quarters}
    # Reported filing dates after the period end are kept as they are.
    assert by_end[date(2024, 11, 20) - timedelta(days=24)] == (date(2024, 11, 20), False, date(2024, 11, 20))
    # Fiscal Q4 (10-K): period end + 60 days; fiscal Q1 (10-Q): + 40 days.
    assert by_end[date(2025, 1, 26)] == (date(2025, 3, 27), True, date(2025, 1, 26))
    assert by_end[date(2025, 4, 27)] == (date(2025, 6, 6), True, date(2025, 4, 27))

    # The day before the imputed date the basket still uses the quarter before; on it, the new quarter.
    assert used_period(settings, date(2025, 3, 26))[0] == date(2024, 10, 27)
    assert used_period(settings, date(2025, 3, 27)) == (date(2025, 1, 26), date(2025, 3, 27), True)
    assert used_period(settings, date(2025, 6, 5))[0] == date(2025, 1, 26)
    assert used_period(settings, date(2025, 6, 6))[0] == date(2025, 4, 27)
    # The data check that guards it passes on the build (and would list any member-day that broke it).
    offending = query(settings.pipeline_db, open_check("revenue_public_before_use"))
    assert offending == []


def open_check(name: str) -> str:
    from warehouse.db import sql_text

    return sql_text(f"checks/{name}.sql")


def test_stale_revenue_leaves_the_basket_and_is_named(tmp_path, settings):
    ingest_job(settings, write_catalog(tmp_path / "src"))
    build_job(settings)
    # On the last day NVDA uses the quarter ended 2025-04-27 (public 2025-06-06): counted, its age stated.
    last = query(settings.pipeline_db, "SELECT date, members, stale_tickers, member_revenue_age_days['NVDA'] "
                 "FROM marts.ai_basket_daily ORDER BY date DESC LIMIT 1")[0]
    assert last == (date(2025, 6, 27), 1, [], (date(2025, 6, 27) - date(2025, 4, 27)).days)
    # Under a strict rule (due at the quarter end, no quarter overdue allowed), on 2025-03-26 NVDA's newest
    # public quarter (ended 2024-10-27) is a quarter overdue: it is left out, and the mart says why.
    from warehouse.build import RevenueRules

    build_job(settings, revenue_rules=RevenueRules(filing_lag_days=0, max_overdue_quarters=0))
    assert query(settings.pipeline_db, "SELECT count(*) FROM marts.ai_basket_daily WHERE date = '2025-03-26'") \
        == [(0,)]
    member = query(settings.pipeline_db, "SELECT counted, left_out_because FROM marts.ai_basket_member_daily "
                   "WHERE ticker = 'NVDA' AND date = '2025-03-26'")[0]
    assert member[0] is False
    assert member[1] == "stale: newest filed quarter ended 2024-10-27, 1 quarter(s) overdue (limit 0)"
    # On 2025-06-27 the quarter ended 2025-04-27 is less than a quarter old: counted again.
    assert query(settings.pipeline_db, "SELECT members FROM marts.ai_basket_daily WHERE date = '2025-06-27'") \
        == [(1,)]


def test_a_filer_behind_on_its_filings_holds_back_its_undated_quarters(tmp_path, settings):
    """SMCI's case: its fiscal 2017 10-K came in 2019-05 and fiscal 2018 in 2019-12. An undated quarter before a
    filing more than 100 days late is public only from that filing, and no quarter before an earlier one."""
    late = [
        ("2024-01-28", "2024-02-21", 2024, "Q4", 22.1e9),
        ("2024-04-28", "2024-12-02", 2025, "Q1", 26.0e9),   # filed 218 days late
        ("2024-07-28", "2024-07-28", 2025, "Q2", 30.0e9),   # no filing date (the period end)
        ("2024-10-27", "2025-02-10", 2025, "Q3", 35.1e9),   # filed 106 days late
        ("2025-01-26", "2025-03-20", 2025, "Q4", 39.3e9),
    ]
    ingest_job(settings, write_catalog(tmp_path / "src", late))
    build_job(settings)
    rows = query(settings.pipeline_db, "SELECT fiscal_period_end, filed_at, filed_at_imputed "
                 "FROM marts.fundamentals_quarterly WHERE ticker = 'NVDA' ORDER BY fiscal_period_end")
    filed = {r[0]: (r[1], r[2]) for r in rows}
    # Q2's deadline (2024-09-06) would fall before Q1's late filing: held to it, then to Q3's late filing.
    assert filed[date(2024, 7, 28)] == (date(2025, 2, 10), True)
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)  # never public before an earlier quarter
    # So on 2024-12-31 only two quarters are public: no TTM revenue yet (the Q2 figure would have given one).
    assert used_period(settings, date(2024, 12, 31))[0] is None
    assert used_period(settings, date(2025, 2, 10))[0] == date(2024, 10, 27)
