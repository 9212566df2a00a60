"""gapcast run on the real snapshot files: what the marts hold, idempotency, vintages and as-of builds."""

from __future__ import annotations

import csv
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from tests.conftest import query
from warehouse.jobs import build_job, ingest_job
from flows.pipeline import run_plain as run_job


def test_prices_reach_the_last_snapshot_day(snapshot_run, data_root):
    settings, report = snapshot_run
    assert not report.ingest.failed, [o.error for o in report.ingest.failed]
    rows = query(settings.analytics_db,
                 "SELECT max(date), arg_max(close, date) FROM marts.prices_daily WHERE ticker = 'NVDA'")
    last_date, last_close = rows[0]
    assert last_date == date(2026, 8, 3)
    with open(data_root / "prices_adjclose" / "NVDA.csv") as fh:
        last_row = list(csv.reader(fh))[-1]
    assert last_close == pytest.approx(float(last_row[1]), rel=1e-12)


def test_every_data_check_passed(snapshot_run):
    settings, report = snapshot_run
    assert len(report.build.checks) >= 10
    failed = [c.describe() for c in report.build.checks if not c.passed]
    assert failed == []
    recorded = query(settings.analytics_db,
                     "SELECT count(*), bool_and(passed) FROM meta.check_results WHERE run_id = ?", [report.run_id])
    assert recorded == [(len(report.build.checks), True)]


def test_software_development_postings_reach_into_2026(snapshot_run):
    settings, _ = snapshot_run
    rows = query(settings.analytics_db,
                 "SELECT max(month), count(*) FROM marts.hiring_monthly WHERE series_id = 'IHLIDXUSTPSOFTDEVE'")
    assert rows[0][0] == date(2026, 9, 1)
    assert rows[0][1] == 80  # Feb 2020 .. Sep 2026
    partial = query(settings.analytics_db,
                    "SELECT partial FROM marts.hiring_monthly WHERE series_id = 'IHLIDXUSTPSOFTDEVE' "
                    "AND month IN ('2026-08-01', '2026-09-01') ORDER BY month")
    assert partial == [(False,), (True,)]  # the 2026-09-05 vintage (indeed_softdev_full/hiring.csv) stops on 4 September


def test_later_vintage_wins_and_the_earlier_is_kept(snapshot_run, data_root):
    settings, _ = snapshot_run
    # 2026-02-02 is in both the FRED file (retrieved 2026-04-09) and the later full file (2026-09-05).
    vintages = query(settings.pipeline_db,
                     "SELECT retrieved_at::DATE, value FROM raw.observations WHERE series_id = 'IHLIDXUSTPSOFTDEVE' "
                     "AND obs_date = '2026-02-02' ORDER BY retrieved_at")
    full = {r[0]: float(r[1]) for r in csv.reader(open(data_root / "indeed_softdev_full" / "hiring.csv"))
            if r[0][:1].isdigit()}
    fred = {r[0]: float(r[1]) for r in csv.reader(open(data_root / "indeed_hiring_lab" / "IHLIDXUSTPSOFTDEVE.csv"))
            if r[0][:1].isdigit()}
    assert vintages == [(date(2026, 4, 9), fred["2026-02-02"]), (date(2026, 9, 5), full["2026-02-02"])]
    con = duckdb.connect(str(settings.pipeline_db), read_only=True)
    try:
        staged = con.execute("SELECT value, vintages FROM staging.stg_observations WHERE series_id = "
                             "'IHLIDXUSTPSOFTDEVE' AND obs_date = '2026-02-02'").fetchall()
    finally:
        con.close()
    assert staged == [(full["2026-02-02"], 2)]


def test_software_development_vintages_are_read_in_real_time(tmp_path, data_root):
    """The software index's five dated vintages (the 2022-10, 2023-10 and 2024-10 by-sector files, FRED's copy,
    the full later file): a backtest origin reads the latest one retrieved by the origin's end, e.g. January
    2023 reads the 2022-10-05 file -- the values as published then, nothing after the origin -- and every
    origin the backtest plans (2023-02..2026-07) is real time."""
    from models.backtest import known_at
    from tests.conftest import make_settings
    from warehouse import results

    settings = make_settings(tmp_path / "home", data_root=data_root)
    report = ingest_job(settings, "snapshot", only={"IHLIDXUSTPSOFTDEVE"})
    assert not report.failed, [o.error for o in report.failed]
    con = duckdb.connect(str(settings.pipeline_db), read_only=True)
    try:
        vintages = results.target_vintages(con)
    finally:
        con.close()
    mine = vintages[vintages["series_id"] == "IHLIDXUSTPSOFTDEVE"]
    assert sorted(pd.Timestamp(v).date() for v in mine["vintage"].unique()) == [
        date(2022, 10, 5), date(2023, 10, 3), date(2024, 10, 3), date(2026, 4, 9), date(2026, 9, 5)]

    level, vintage, real_time = known_at(mine, pd.Timestamp("2023-01-01"), lag=0)
    assert real_time and vintage == pd.Timestamp("2022-10-05")
    assert level.index.min() == pd.Timestamp("2020-02-01") and level.index.max() == pd.Timestamp("2022-09-01")
    path = data_root / "indeed_vintages/sector_US/job_postings_by_sector_US_vintage_2022-10-05_b27a2b96.csv"
    with open(path, newline="") as fh:
        september = [100 + float(r["pct_chng_feb_1"]) for r in csv.DictReader(fh)
                     if r["display_name"] == "Software Development" and r["date"].startswith("2022-09")]
    assert len(september) == 30 and level[pd.Timestamp("2022-09-01")] == pytest.approx(sum(september) / 30)

    level, vintage, real_time = known_at(mine, pd.Timestamp("2023-10-01"), lag=0)
    assert real_time and vintage == pd.Timestamp("2023-10-03") and level.index.max() == pd.Timestamp("2023-09-01")
    origins = pd.date_range("2023-02-01", "2026-07-01", freq="MS")
    seen = [known_at(mine, origin, lag=0) for origin in origins]
    assert all(rt for _, _, rt in seen) and len(seen) == 42
    assert all(lv.index.max() <= origin for (lv, _, _), origin in zip(seen, origins))


def test_ai_basket_excludes_twd_revenue_and_uses_filed_revenue_only(snapshot_run):
    settings, _ = snapshot_run
    # Before ConceptStocks' USD rows (2023-) TSM has TWD revenue only: never summed, named as excluded.
    early = query(settings.analytics_db, "SELECT members, excluded_tickers FROM marts.ai_basket_daily "
                  "WHERE date = '2022-06-30'")
    assert early == [(10, ["TSM"])]
    rows = query(settings.analytics_db,
                 "SELECT members, excluded_tickers, price_to_sales, newest_revenue_period, member_tickers "
                 "FROM marts.ai_basket_daily WHERE date = '2025-02-03'")
    members, excluded, price_to_sales, newest, tickers = rows[0]
    assert excluded == [] and members == 11 and "TSM" in tickers
    assert 5 < price_to_sales < 40
    # NVDA's quarter ended 2025-01-26 was filed 2025-02-26: on 2025-02-03 it must not be used yet.
    assert newest < date(2025, 1, 26)
    nvda = query(settings.analytics_db,
                 "SELECT fiscal_period_end, filed_at, ttm_revenue_usd FROM marts.fundamentals_quarterly "
                 "WHERE ticker = 'NVDA' AND fiscal_period_end = '2025-01-26'")
    # NVDA FY2025 revenue: 130.497 bn USD (10-K), the sum of the four quarters; its filing date is FMP's,
    # the quarter's figures ConceptStocks' (the newer source), and both agree.
    assert nvda == [(date(2025, 1, 26), date(2025, 2, 26), pytest.approx(130_497e6, rel=1e-9))]
    tsm = query(settings.analytics_db,
                "SELECT fiscal_period_end, currency, revenue_usd IS NOT NULL, ttm_revenue_usd IS NOT NULL "
                "FROM marts.fundamentals_quarterly WHERE ticker = 'TSM' AND fiscal_period_end IN "
                "('2022-12-31', '2026-06-30') ORDER BY fiscal_period_end")
    assert tsm == [(date(2022, 12, 31), "TWD", False, False), (date(2026, 6, 30), "USD", True, True)]


def test_market_caps_are_split_consistent(snapshot_run):
    settings, _ = snapshot_run
    # NVDA split 4:1 (2021-07-20) and 10:1 (2024-06-10): market cap must not jump on those days.
    rows = query(settings.analytics_db,
                 "SELECT date, market_cap / lag(market_cap) OVER (ORDER BY date) FROM marts.prices_daily "
                 "WHERE ticker = 'NVDA' AND date BETWEEN '2021-07-15' AND '2021-07-23' "
                 "OR ticker = 'NVDA' AND date BETWEEN '2024-06-05' AND '2024-06-13' ORDER BY date")
    ratios = [r[1] for r in rows if r[1] is not None and r[0] not in (date(2024, 6, 5),)]
    assert all(0.85 < r < 1.15 for r in ratios), rows
    splits = query(settings.analytics_db,
                   "SELECT date, split_ratio FROM marts.prices_daily WHERE ticker = 'NVDA' AND split_ratio > 0 "
                   "AND date >= '2021-01-01' ORDER BY date")
    assert splits == [(date(2021, 7, 20), 4.0), (date(2024, 6, 10), 10.0)]


def test_marts_are_documented_with_comments(snapshot_run):
    settings, _ = snapshot_run
    undocumented = query(settings.analytics_db,
                         "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' AND comment IS NULL")
    assert undocumented == []
    documented = query(settings.analytics_db,
                       "SELECT count(*) FROM duckdb_columns() WHERE schema_name = 'marts' AND comment IS NOT NULL")
    assert documented[0][0] >= 40
    tables = {r[0] for r in query(settings.analytics_db,
                                  "SELECT schema_name || '.' || table_name FROM duckdb_tables()")}
    assert {"marts.prices_daily", "marts.fundamentals_quarterly", "marts.ai_basket_daily", "marts.hiring_monthly",
            "marts.macro_monthly", "marts.layoffs_monthly", "meta.runs", "meta.series_status"} <= tables
    assert not any(t.startswith(("raw.", "staging.")) for t in tables)


def test_both_layoffs_files_load_whole(snapshot_run, data_root):
    settings, _ = snapshot_run
    for series_id, path in (("layoffs_fyi_databyab", "layoffs_databyab/layoffs.csv"),
                            ("layoffs_fyi_datainsider", "layoffs_datainsider/layoffs.csv")):
        with open(data_root / path, newline="") as fh:
            rows = [r for r in csv.reader(fh)][1:]
        expected = sum(1 for r in rows if any(cell.strip() for cell in r))
        loaded = query(settings.pipeline_db, "SELECT count(*) FROM raw.layoff_events WHERE series_id = ?", [series_id])
        assert loaded == [(expected,)]
    # (the ConceptStocks adapters and Epoch AI's conflicting revenue rows are set aside by design: only the layoffs
    # files must load whole)
    assert query(settings.analytics_db, "SELECT count(*) FROM meta.rejected_rows WHERE series_id IN "
                 "('layoffs_fyi_databyab', 'layoffs_fyi_datainsider')") == [(0,)]
    monthly = query(settings.analytics_db,
                    "SELECT sum(events) FROM marts.layoffs_monthly WHERE series_id = 'layoffs_fyi_databyab'")
    assert monthly == [(4277,)]


def test_second_run_adds_nothing_to_raw(tmp_path, data_root):
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "home", data_root=data_root)
    first = run_job(settings, "snapshot")
    counts = query(settings.pipeline_db,
                   "SELECT (SELECT count(*) FROM raw.observations), (SELECT count(*) FROM raw.layoff_events)")
    assert first.ingest.rows_added == counts[0][0] + counts[0][1] > 700_000
    second = run_job(settings, "snapshot")
    assert second.ingest.rows_added == 0
    assert {o.status for o in second.ingest.outcomes} == {"unchanged"}
    assert query(settings.pipeline_db,
                 "SELECT (SELECT count(*) FROM raw.observations), (SELECT count(*) FROM raw.layoff_events)") == counts

    # --as-of: before the full later file was retrieved, the software series ends where the FRED file ends.
    build_job(settings, as_of=datetime(2026, 5, 1, 23, 59, 59))
    rows = query(settings.analytics_db,
                 "SELECT max(month) FROM marts.hiring_monthly WHERE series_id = 'IHLIDXUSTPSOFTDEVE'")
    assert rows == [(date(2026, 3, 1),)]
    # Before 2024-12-09 only the 2024 OHLCV file had been retrieved: NVDA ends on 2024-12-06.
    build_job(settings, as_of=datetime(2025, 1, 1))
    rows = query(settings.analytics_db, "SELECT max(date) FROM marts.prices_daily WHERE ticker = 'NVDA'")
    assert rows == [(date(2024, 12, 6),)]
    as_of = query(settings.analytics_db, "SELECT as_of FROM meta.build_context")
    assert as_of == [(datetime(2025, 1, 1),)]
