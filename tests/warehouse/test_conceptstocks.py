"""The ConceptStocks adapters: income (revenue, capex, RPO) and quarterly segments.

On the real files (found through the ``data_root`` fixture, like test_adapters.py): the catalogued tickers
parse, with the figures PROVENANCE.md checks and fourth quarters derived by hand. On small files written
here from the real headers: every bad input is refused with file, series and line, and nothing is returned.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from itertools import pairwise
from types import MappingProxyType

import duckdb
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.conftest import make_settings
from warehouse.catalog import load_catalog
from warehouse.series import SeriesSpec
from warehouse.sources import adapter_for
from warehouse.sources.base import Payload, PayloadError, Query, Records

INCOME = "fundamentals_conceptstocks/raw_conceptstock_company_income.csv"
SEGMENTS = "fundamentals_conceptstocks/raw_conceptstock_company_quarterly_segments.csv"
RETRIEVED = datetime(2026, 8, 22)
CATALOGUED = ("NVDA", "MSFT", "GOOGL", "META", "AMZN", "AMD", "AVGO", "ORCL", "TSM", "AAPL")

# The real headers (test_headers_are_the_real_ones checks them against the files).
INCOME_HEADER = (
    "symbol,company_name,fiscal_year,end_date,period,total_revenue,gross_profit,cost_of_revenue,operating_expenses,"
    "research_and_development,selling_and_marketing,general_and_administrative,amortization,operating_income,"
    "other_income,income_before_tax,tax,net_income,eps,non_gaap_eps,eps_estimate,eps_surprise_pct,rpo,capex,"
    "gross_margin,operating_margin,net_margin,revenue_yoy_pct,currency,source,validation_status,file_type,"
    "source_file,download_success,download_timestamp,process_timestamp,stage1_process_timestamp"
).split(",")
SEGMENTS_HEADER = ("symbol,company_name,fiscal_year,quarter,segment_name,revenue,end_date,is_calculated,"
                   "download_timestamp,process_timestamp").split(",")


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def spec(adapter: str, ticker: str, params: dict | None = None, series_id: str | None = None) -> SeriesSpec:
    return SeriesSpec(id=series_id or f"{ticker}.cs", kind="fundamentals", adapter=adapter, frequency="quarterly",
                      unit="USD", params=MappingProxyType(params or {}), ticker=ticker)


def parse_file(data_root, adapter: str, path: str, ticker: str, params: dict | None = None) -> Records:
    series = spec(adapter, ticker, params)
    query = Query(series=series, location=str(data_root / path), params=dict(params or {}), retrieved_at=RETRIEVED)
    parser = adapter_for(adapter)
    return parser.parse(parser.fetch(query))


def parse_bytes(adapter: str, content: bytes, ticker: str = "NVDA", params: dict | None = None,
                origin: str = "/incoming/cs.csv") -> Records:
    series = spec(adapter, ticker, params)
    query = Query(series=series, location=origin, params=dict(params or {}), retrieved_at=RETRIEVED)
    return adapter_for(adapter).parse(Payload(query=query, content=content, origin=origin, retrieved_at=RETRIEVED))


def refused(adapter: str, content: bytes, phrase: str, line: int | None, **kw) -> PayloadError:
    with pytest.raises(PayloadError) as info:
        parse_bytes(adapter, content, **kw)
    err = info.value
    assert err.origin == "/incoming/cs.csv" and err.series_id == f"{kw.get('ticker', 'NVDA')}.cs", str(err)
    assert err.line == line, f"{err} (expected line {line})"
    assert phrase in err.problem, str(err)
    where = "/incoming/cs.csv, series " + err.series_id + (f", line {line}" if line is not None else "")
    assert str(err).startswith(f"{where}: ")
    return err


def values(records: Records, field: str) -> dict[date, float]:
    frame = records.frame[records.frame["field"] == field]
    assert not frame["obs_date"].duplicated().any(), field
    return dict(zip(frame["obs_date"], frame["value"]))


def value(records: Records, obs_date: str, field: str) -> float:
    got = values(records, field)
    day = date.fromisoformat(obs_date)
    assert day in got, (obs_date, field, sorted(got)[-6:])
    return got[day]


def to_csv(header: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    return out.getvalue().encode()


def income_row(symbol, fiscal_year, end, period, revenue="", capex="", rpo="", source="SEC", currency="USD"):
    return {"symbol": symbol, "company_name": f"{symbol} Inc.", "fiscal_year": str(fiscal_year), "end_date": end,
            "period": period, "total_revenue": revenue, "capex": capex, "rpo": rpo, "currency": currency,
            "source": source, "file_type": "INCOME_STATEMENT", "download_success": "True"}


# NVIDIA fiscal 2026 as the real file has it (lines 2..12), and one Microsoft row (line 13).
INCOME_ROWS = [
    income_row("NVDA", 2026, "2025-04-27", "Q1", "44062000000", "1227000000", "1800000000"),
    income_row("NVDA", 2026, "2025-07-27", "Q2", "46743000000", "1895000000", "1900000000"),
    income_row("NVDA", 2026, "2025-10-26", "Q3", "57006000000", "1636000000", "2500000000"),
    income_row("NVDA", 2026, "2026-01-25", "FY", "215938000000", "6042000000", "2300000000"),
    income_row("NVDA", 2025, "2025-04-30", "Q2", "44062000000.0", source="AlphaVantage"),
    income_row("NVDA", 2025, "2025-07-31", "Q3", "46743000000.0", source="AlphaVantage"),
    income_row("NVDA", 2025, "2025-10-31", "Q4", "57006000000.0", source="AlphaVantage"),
    income_row("NVDA", 2026, "2026-01-31", "FY", "215938000000.0", source="AlphaVantage"),
    income_row("NVDA", 2026, "2026-01-31", "Q1", "68127000000.0", source="AlphaVantage"),
    income_row("NVDA", 2027, "2026-04-26", "Q1", "81615000000", "1757000000", "2600000000"),
    income_row("NVDA", 2026, "2026-04-30", "Q2", "81615000000.0", source="AlphaVantage"),
    income_row("MSFT", 2026, "2025-09-30", "Q1", "77673000000", "19394000000", "398000000000"),
]


def income_csv(rows=None) -> bytes:
    return to_csv(INCOME_HEADER, INCOME_ROWS if rows is None else rows)


def segment_row(fiscal_year, quarter, revenue, end, calculated="False", segment="Data Center", symbol="NVDA"):
    return {"symbol": symbol, "company_name": f"{symbol} Corporation", "fiscal_year": str(fiscal_year),
            "quarter": quarter, "segment_name": segment, "revenue": revenue, "end_date": end,
            "is_calculated": calculated, "download_timestamp": "2026-08-22 01:03:57 CST",
            "process_timestamp": "2026-08-22 01:03:57 CST"}


# NVIDIA Data Center fiscal 2026 as in the real file (lines 2..6), a Gaming row (7), a Microsoft row (8).
SEGMENT_ROWS = [
    segment_row(2026, "Q1", "39100000000.0", "2025-05-28"),
    segment_row(2026, "Q2", "41100000000.0", "2025-08-27"),
    segment_row(2026, "Q3", "51200000000.0", "2025-11-19"),
    segment_row(2026, "Q4", "62337000000.0", "", calculated="True"),
    segment_row(2027, "Q1", "75200000000.0", "2026-05-20"),
    segment_row(2026, "Q2", "4300000000.0", "2025-08-27", segment="Gaming"),
    segment_row(2026, "Q1", "30900000000.0", "2025-10-29", segment="Intelligent Cloud", symbol="MSFT"),
]


def segments_csv(rows=None) -> bytes:
    return to_csv(SEGMENTS_HEADER, SEGMENT_ROWS if rows is None else rows)


DATA_CENTER = {"segment": "Data Center"}


# --------------------------------------------------------------------------------------------------
# The real income file
# --------------------------------------------------------------------------------------------------


def test_headers_are_the_real_ones(data_root):
    for path, header in ((INCOME, INCOME_HEADER), (SEGMENTS, SEGMENTS_HEADER)):
        with open(data_root / path, newline="", encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == header, path


@pytest.fixture(scope="module")
def income(data_root) -> dict[str, Records]:
    return {t: parse_file(data_root, "conceptstocks_income", INCOME, t) for t in CATALOGUED}


@pytest.mark.parametrize("ticker", CATALOGUED)
def test_each_catalogued_ticker_parses_one_quarter_per_date(income, ticker):
    records = income[ticker]
    frame = records.frame
    assert set(frame["field"]) <= {"revenue", "capex", "rpo", "fiscal_year", "fiscal_quarter",
                                   "period_end_calendarised"}
    assert frame["published_at"].isna().all()  # the file has no filing dates
    assert not frame["value"].isna().any()
    assert set(frame.loc[frame["field"].isin(["revenue", "capex", "rpo"]), "unit"]) == {"USD"}
    assert set(frame.loc[~frame["field"].isin(["revenue", "capex", "rpo"]), "unit"]) == {""}
    assert (frame.loc[frame["field"] == "capex", "value"] > 0).all()
    # No quarter counted twice: at most one revenue per ticker in any 20-day window ...
    days = sorted(values(records, "revenue"))
    assert all((b - a).days > 20 for a, b in pairwise(days))
    # ... and one row per fiscal quarter, each quarter labelled 1..4.
    labels = list(zip(values(records, "fiscal_year").values(), values(records, "fiscal_quarter").values()))
    assert len(labels) == len(set(labels)) and {q for _, q in labels} <= {1.0, 2.0, 3.0, 4.0}
    assert set(values(records, "period_end_calendarised").values()) <= {0.0, 1.0}


@pytest.mark.parametrize(
    ("ticker", "period_end", "revenue_bn", "capex_bn"),
    # PROVENANCE.md, "Sanity checks (SEC rows)".
    [
        ("NVDA", "2025-07-27", 46.743, 1.895),
        ("NVDA", "2025-10-26", 57.006, 1.636),
        ("NVDA", "2026-04-26", 81.615, 1.757),
        ("MSFT", "2025-09-30", 77.673, 19.394),
        ("GOOGL", "2025-09-30", 102.346, 23.953),
        ("AMZN", "2025-09-30", 180.169, 35.095),
        ("META", "2025-09-30", 51.242, 18.829),
        ("ORCL", "2025-11-30", 16.058, 12.033),
    ],
)
def test_sec_quarters_match_provenance(income, ticker, period_end, revenue_bn, capex_bn):
    records = income[ticker]
    assert value(records, period_end, "revenue") / 1e9 == pytest.approx(revenue_bn, abs=5e-4)
    assert value(records, period_end, "capex") / 1e9 == pytest.approx(capex_bn, abs=5e-4)
    assert value(records, period_end, "period_end_calendarised") == 0.0


def test_fiscal_labels_are_secs_not_alphavantages(income):
    # AlphaVantage calls NVIDIA's quarter to 2025-07-31 "Q3 2025"; it is fiscal 2026 Q2 (SEC, 2025-07-27).
    nvda = income["NVDA"]
    assert value(nvda, "2025-07-27", "fiscal_year") == 2026 and value(nvda, "2025-07-27", "fiscal_quarter") == 2
    assert date(2025, 7, 31) not in values(nvda, "revenue")


def test_fourth_quarters_msft_revenue_from_alphavantage_capex_derived(income):
    msft = income["MSFT"]
    # PROVENANCE: the quarter to 2025-06-30 has no SEC row; revenue 76.441 bn is the AlphaVantage row's.
    assert value(msft, "2025-06-30", "revenue") == 76_441_000_000
    assert (value(msft, "2025-06-30", "fiscal_year"), value(msft, "2025-06-30", "fiscal_quarter")) == (2025, 4)
    # Capex by hand: FY2025 64.551 bn - (Q1 14.923 + Q2 15.804 + Q3 16.745) = 17.079 bn.
    assert value(msft, "2025-06-30", "capex") == 64_551_000_000 - 14_923_000_000 - 15_804_000_000 - 16_745_000_000
    # Dated at SEC's FY period end, not calendarised; RPO is the FY row's year-end balance.
    assert value(msft, "2025-06-30", "period_end_calendarised") == 0.0
    assert value(msft, "2025-06-30", "rpo") == 375_000_000_000
    # FY2026 Q4 has no Q4 row in either source: revenue = FY 331.839 bn - 9M (77.673 + 81.273 + 82.886).
    assert value(msft, "2026-06-30", "revenue") == 331_839_000_000 - 77_673_000_000 - 81_273_000_000 - 82_886_000_000


def test_fourth_quarter_capex_by_hand_nvda(income):
    nvda = income["NVDA"]
    # FY2026 capex 6.042 bn - (1.227 + 1.895 + 1.636) = 1.284 bn, dated at SEC's 2026-01-25, not AV's 01-31.
    assert value(nvda, "2026-01-25", "capex") == 6_042_000_000 - 1_227_000_000 - 1_895_000_000 - 1_636_000_000
    assert value(nvda, "2026-01-25", "revenue") == 68_127_000_000  # PROVENANCE: the AV row
    assert value(nvda, "2026-01-25", "fiscal_quarter") == 4 and value(nvda, "2026-01-25", "fiscal_year") == 2026
    assert date(2026, 1, 31) not in values(nvda, "revenue")


def test_quarter_only_alphavantage_has_keeps_its_date_and_is_flagged(income):
    # MSFT's SEC row for fiscal 2024 Q3 is the prior year's quarter relabelled: AlphaVantage gives revenue only.
    msft = income["MSFT"]
    assert value(msft, "2024-03-31", "revenue") == 61_858_000_000
    assert value(msft, "2024-03-31", "period_end_calendarised") == 1.0
    assert (value(msft, "2024-03-31", "fiscal_year"), value(msft, "2024-03-31", "fiscal_quarter")) == (2024, 3)
    assert date(2024, 3, 31) not in values(msft, "capex")
    assert any(r.line == 1709 and "labelled 2024 Q3 ends 2023-03-31" in r.reason for r in msft.rejected)


def test_stale_fy_capex_is_quarantined_orcl(income):
    orcl = income["ORCL"]
    reasons = {r.line: r.reason for r in orcl.rejected}
    assert "FY2024 capex 8,695,000,000 repeats FY2023" in reasons[2133] and "ORCL" in reasons[2133]
    assert date(2024, 5, 31) not in values(orcl, "capex")  # no fourth quarter derived from it
    assert value(orcl, "2024-05-31", "period_end_calendarised") == 1.0  # AV revenue, its own date
    # The good FY2023 row still gives its fourth quarter: 8.695 - (1.719 + 2.435 + 2.628) = 1.913 bn.
    assert value(orcl, "2023-05-31", "capex") == 8_695_000_000 - 1_719_000_000 - 2_435_000_000 - 2_628_000_000


def test_stale_quarter_capex_is_set_aside_googl(income):
    googl = income["GOOGL"]
    # FY2024 Q2 capex 6.888 bn is FY2023 Q2's figure again (Alphabet spent about 13 bn): not loaded.
    assert date(2024, 6, 30) not in values(googl, "capex")
    assert value(googl, "2024-06-30", "revenue") == 84_742_000_000  # the row's revenue still loads
    assert any("fiscal 2024 Q2 capex 6,888,000,000 repeats fiscal 2023 Q2" in r.reason for r in googl.rejected)


def test_tsm_is_sec_6k_revenue_only(income):
    tsm = income["TSM"]
    assert set(tsm.frame["field"]) == {"revenue", "fiscal_year", "fiscal_quarter", "period_end_calendarised"}
    assert value(tsm, "2026-06-30", "revenue") == 40_200_000_000 and value(tsm, "2026-06-30", "fiscal_quarter") == 2


def test_unknown_symbol_lists_the_symbols(data_root):
    with pytest.raises(PayloadError, match="no rows for symbol 'PLTR'; the file holds AAPL, AMD.*WDC"):
        parse_file(data_root, "conceptstocks_income", INCOME, "PLTR")


# --------------------------------------------------------------------------------------------------
# The real segments file
# --------------------------------------------------------------------------------------------------


def test_segments_nvda_data_center(data_root):
    records = parse_file(data_root, "conceptstocks_segments", SEGMENTS, "NVDA", DATA_CENTER)
    frame = records.frame
    q2 = frame[frame["obs_date"] == date(2025, 8, 27)].set_index("field")
    assert q2.loc["segment_revenue", "value"] == 41_100_000_000 and q2.loc["segment_revenue", "unit"] == "USD"
    assert (q2.loc["fiscal_year", "value"], q2.loc["fiscal_quarter", "value"]) == (2026, 2)
    assert q2.loc["release_imputed", "value"] == 0.0
    assert set(q2["published_at"]) == {date(2025, 8, 27)}  # the release date
    # Fiscal 2026 Q4 is calculated and undated: Q3 release 2025-11-19 + 98 days = 2026-02-25.
    q4 = frame[frame["obs_date"] == date(2026, 2, 25)].set_index("field")
    assert q4.loc["segment_revenue", "value"] == 62_337_000_000
    assert q4.loc["release_imputed", "value"] == 1.0 and q4.loc["fiscal_quarter", "value"] == 4
    assert set(q4["published_at"]) == {date(2026, 2, 25)}
    assert len(values(records, "segment_revenue")) == 16 and records.rejected == ()


@pytest.mark.parametrize(("ticker", "segment", "release", "revenue_bn"), [
    ("MSFT", "Intelligent Cloud", "2025-07-30", 29.9),
    ("GOOGL", "Google Cloud", "2025-07-23", 13.6),
    ("ORCL", "Oracle Cloud Infrastructure", "2025-12-10", 4.1),
])
def test_segments_catalogued(data_root, ticker, segment, release, revenue_bn):
    records = parse_file(data_root, "conceptstocks_segments", SEGMENTS, ticker, {"segment": segment})
    assert value(records, release, "segment_revenue") / 1e9 == pytest.approx(revenue_bn)


def test_segments_amzn_labels_are_a_year_behind(data_root):
    records = parse_file(data_root, "conceptstocks_segments", SEGMENTS, "AMZN", {"segment": "AWS"})
    # AWS Q3 2022 (20.5 bn) was released 2022-10-27 but is labelled fiscal 2021 Q3: its revenue loads at its
    # release date, its labels do not; the Q4 rows are labelled right.
    assert value(records, "2022-10-27", "segment_revenue") == 20_500_000_000
    assert date(2022, 10, 27) not in values(records, "fiscal_year")
    assert value(records, "2023-02-02", "fiscal_year") == 2022 and value(records, "2023-02-02", "fiscal_quarter") == 4
    assert len(values(records, "segment_revenue")) == 16 and len(records.rejected) == 12
    assert all("fiscal_year and fiscal_quarter not" in r.reason for r in records.rejected)


def test_segments_amd_dates_are_period_ends(data_root):
    with pytest.raises(PayloadError, match="falls on a weekend.*set params.dates"):
        parse_file(data_root, "conceptstocks_segments", SEGMENTS, "AMD", DATA_CENTER)
    records = parse_file(data_root, "conceptstocks_segments", SEGMENTS, "AMD", {**DATA_CENTER, "dates": "period_end"})
    assert records.frame["published_at"].isna().all()
    assert value(records, "2025-09-27", "segment_revenue") == 4_341_000_000
    # Fiscal 2025 Q4 (calculated): Q3 end 2025-09-27 + 13 weeks = 2025-12-27, AMD's fiscal year end.
    assert value(records, "2025-12-27", "segment_revenue") == 5_225_000_000
    assert value(records, "2025-12-27", "release_imputed") == 1.0


def test_segments_unknown_segment_lists_the_symbols_segments(data_root):
    with pytest.raises(PayloadError, match=r"no rows for segment 'Datacenter' of NVDA; its segments are "
                                           r"\['Automotive', 'Data Center', 'Gaming', 'Professional Visualization'\]"):
        parse_file(data_root, "conceptstocks_segments", SEGMENTS, "NVDA", {"segment": "Datacenter"})


# --------------------------------------------------------------------------------------------------
# Small files built from the real header: good ones parse, bad ones are refused with the line
# --------------------------------------------------------------------------------------------------


def test_income_fixture_parses():
    records = parse_bytes("conceptstocks_income", income_csv())
    assert value(records, "2026-01-25", "capex") == 1_284_000_000
    assert value(records, "2026-01-25", "revenue") == 68_127_000_000
    assert set(values(records, "revenue")) == {date(2025, 4, 27), date(2025, 7, 27), date(2025, 10, 26),
                                               date(2026, 1, 25), date(2026, 4, 26)}
    assert records.rejected == ()
    # An exact repeat of a row is the same quarter once.
    again = parse_bytes("conceptstocks_income", income_csv(INCOME_ROWS + [INCOME_ROWS[1]]))
    assert again.frame.equals(records.frame)


def test_income_fy_minus_nine_months_when_no_q4_row():
    """Without any Q4 row, fiscal Q4 revenue is FY revenue minus the three quarters."""
    rows = [r for r in INCOME_ROWS if r["end_date"] != "2026-01-31" or r["period"] == "FY"]
    records = parse_bytes("conceptstocks_income", income_csv(rows))
    assert value(records, "2026-01-25", "revenue") == 215_938_000_000 - 44_062_000_000 - 46_743_000_000 - 57_006_000_000


def test_income_stale_fy_row_and_negative_derived_capex_are_quarantined():
    stale = [income_row("NVDA", 2025, "2025-01-26", "FY", "130497000000", "6042000000", "1700000000")]
    records = parse_bytes("conceptstocks_income", income_csv(stale + INCOME_ROWS))
    assert [(r.line, "FY2026 capex 6,042,000,000 repeats FY2025" in r.reason) for r in records.rejected] == [(6, True)]
    assert date(2026, 1, 25) not in values(records, "capex")
    rows = [dict(r) for r in INCOME_ROWS]
    rows[3]["capex"] = "4000000000"  # FY below the three quarters' 4.758 bn
    records = parse_bytes("conceptstocks_income", income_csv(rows))
    assert [r.line for r in records.rejected] == [5] and "is negative" in records.rejected[0].reason
    assert date(2026, 1, 25) not in values(records, "capex")


def test_income_missing_column():
    j = INCOME_HEADER.index("capex")
    header = INCOME_HEADER[:j] + INCOME_HEADER[j + 1:]
    refused("conceptstocks_income", to_csv(header, INCOME_ROWS), "missing column(s) 'capex'", 1)


def test_income_duplicate_quarter_with_different_values():
    copy = dict(INCOME_ROWS[1], total_revenue="46000000000")
    refused("conceptstocks_income", income_csv(INCOME_ROWS[:2] + [copy] + INCOME_ROWS[2:]),
            "the same quarter twice from SEC with different values: fiscal 2026 Q2", 4)


def test_income_duplicate_alphavantage_quarter_with_different_values():
    copy = dict(INCOME_ROWS[5], total_revenue="1.0")
    refused("conceptstocks_income", income_csv(INCOME_ROWS + [copy]),
            "the same quarter twice from AlphaVantage with different values", len(INCOME_ROWS) + 2)


@pytest.mark.parametrize("adapter,params", [("conceptstocks_income", None), ("conceptstocks_segments", DATA_CENTER)])
def test_html_page(adapter, params):
    page = b"<!DOCTYPE html>\n<html><head><title>429 Too Many Requests</title></head><body></body></html>\n"
    refused(adapter, page, "HTML page, not CSV", 1, params=params)


@pytest.mark.parametrize("adapter,params", [("conceptstocks_income", None), ("conceptstocks_segments", DATA_CENTER)])
def test_empty_file(adapter, params):
    refused(adapter, b"", "the file is empty", None, params=params)
    refused(adapter, ",".join(INCOME_HEADER if params is None else SEGMENTS_HEADER).encode() + b"\n",
            "a header but no data rows", 1, params=params)


@pytest.mark.parametrize("adapter,params", [("conceptstocks_income", None), ("conceptstocks_segments", DATA_CENTER)])
def test_truncated_file(adapter, params):
    content = income_csv() if params is None else segments_csv()
    lines = content.rstrip(b"\n").split(b"\n")
    cut = lines[-1][: len(lines[-1]) // 3]  # the download stopped inside the last row
    refused(adapter, b"\n".join(lines[:-1] + [cut]), "the file looks truncated", len(lines), params=params)


@pytest.mark.parametrize(
    ("column", "bad", "phrase"),
    [
        ("end_date", "2099-01-05", "after the payload was retrieved"),
        ("end_date", "2025-07-32", "not a date"),
        ("total_revenue", "-46743000000", "negative revenue"),
        ("total_revenue", "46.7 bn", "non-numeric value '46.7 bn'"),
        ("capex", "n/a?", "non-numeric value 'n/a?'"),
        ("currency", "US$", "currency 'US$' is not a three-letter currency code"),
        ("fiscal_year", "FY26", "non-numeric value 'FY26'"),
        ("period", "H1", "period 'H1' is not one of"),
        ("source", "FMP", "source 'FMP' is not one of"),
    ],
)
def test_income_bad_values_name_the_line(column, bad, phrase):
    rows = [dict(r) for r in INCOME_ROWS]
    rows[1][column] = bad
    refused("conceptstocks_income", income_csv(rows), phrase, 3)


def test_income_unknown_symbol():
    refused("conceptstocks_income", income_csv(), "no rows for symbol 'AMD'; the file holds MSFT, NVDA", None,
            ticker="AMD")


def test_income_blank_currency_row_is_set_aside():
    rows = [dict(r) for r in INCOME_ROWS]
    rows[10]["currency"] = ""  # the AMZN 2026-06-30 AlphaVantage row of the real file has none
    records = parse_bytes("conceptstocks_income", income_csv(rows))
    assert [r.line for r in records.rejected] == [12] and "no currency" in records.rejected[0].reason
    assert value(records, "2026-04-26", "revenue") == 81_615_000_000  # SEC's row is the quarter anyway


def test_segments_fixture_parses():
    records = parse_bytes("conceptstocks_segments", segments_csv(), params=DATA_CENTER)
    assert values(records, "segment_revenue") == {
        date(2025, 5, 28): 39.1e9, date(2025, 8, 27): 41.1e9, date(2025, 11, 19): 51.2e9,
        date(2026, 2, 25): 62.337e9, date(2026, 5, 20): 75.2e9}
    assert values(records, "release_imputed")[date(2026, 2, 25)] == 1.0


def test_segments_q4_without_q3_is_quarantined():
    rows = [r for r in SEGMENT_ROWS if not (r["quarter"] == "Q3" and r["segment_name"] == "Data Center")]
    records = parse_bytes("conceptstocks_segments", segments_csv(rows), params=DATA_CENTER)
    assert [r.line for r in records.rejected] == [4]
    assert "no fiscal 2026 Q3 date to impute it from" in records.rejected[0].reason
    assert date(2026, 2, 25) not in values(records, "segment_revenue")


def test_segments_missing_column():
    j = SEGMENTS_HEADER.index("is_calculated")
    header = SEGMENTS_HEADER[:j] + SEGMENTS_HEADER[j + 1:]
    refused("conceptstocks_segments", to_csv(header, SEGMENT_ROWS), "missing column(s) 'is_calculated'", 1,
            params=DATA_CENTER)


def test_segments_duplicate_quarter_with_different_values():
    copy = dict(SEGMENT_ROWS[1], revenue="40000000000.0")
    refused("conceptstocks_segments", segments_csv(SEGMENT_ROWS[:2] + [copy] + SEGMENT_ROWS[2:]),
            "the same quarter twice with different values: NVDA 'Data Center' fiscal 2026 Q2", 4, params=DATA_CENTER)


@pytest.mark.parametrize(
    ("column", "bad", "phrase"),
    [
        ("end_date", "2099-01-07", "after the payload was retrieved"),
        ("end_date", "", "a reported (not calculated) row has no end_date"),
        ("revenue", "-41100000000", "negative segment revenue"),
        ("revenue", "41.1bn", "non-numeric value '41.1bn'"),
        ("quarter", "Q5", "quarter 'Q5' is not Q1..Q4"),
        ("is_calculated", "maybe", "is_calculated 'maybe' is not True or False"),
    ],
)
def test_segments_bad_values_name_the_line(column, bad, phrase):
    rows = [dict(r) for r in SEGMENT_ROWS]
    rows[1][column] = bad
    refused("conceptstocks_segments", segments_csv(rows), phrase, 3, params=DATA_CENTER)


def test_segments_needs_a_segment():
    refused("conceptstocks_segments", segments_csv(), "needs params.segment", None)


# --------------------------------------------------------------------------------------------------
# Random damage: records or PayloadError, never anything else
# --------------------------------------------------------------------------------------------------

JUNK = ["", "NaN", "-1", "0", "abc", "2099-01-05", "2020-02-30", "Q9", "FY", "usd", "True", "SEC", "1e999", '"']


@st.composite
def damaged(draw, adapter: str) -> bytes:
    header = INCOME_HEADER if adapter == "conceptstocks_income" else SEGMENTS_HEADER
    rows = [dict(r) for r in (INCOME_ROWS if adapter == "conceptstocks_income" else SEGMENT_ROWS)]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(rows) - 1))
        op = draw(st.sampled_from(["cell", "drop", "dup"]))
        if op == "cell":
            rows[i][draw(st.sampled_from(header))] = draw(st.sampled_from(JUNK))
        elif op == "drop" and len(rows) > 1:
            del rows[i]
        else:
            rows.insert(i, dict(rows[i]))
    content = to_csv(header, rows)
    cut = draw(st.integers(0, len(content)))
    return content[:cut] if draw(st.booleans()) else content


@pytest.mark.parametrize("adapter,params", [("conceptstocks_income", None), ("conceptstocks_segments", DATA_CENTER)])
@hsettings(max_examples=60, deadline=None, database=None, derandomize=True,
           suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_damaged_files_give_records_or_payload_error(adapter, params, data):
    content = data.draw(damaged(adapter))
    try:
        records = parse_bytes(adapter, content, params=params)
    except PayloadError as err:
        assert err.origin == "/incoming/cs.csv" and err.series_id == "NVDA.cs"
        return
    assert not records.frame["value"].isna().any()
    assert not records.frame.duplicated(["obs_date", "field"]).any()


# --------------------------------------------------------------------------------------------------
# Catalog and warehouse
# --------------------------------------------------------------------------------------------------


def test_snapshot_catalog_declares_the_series(data_root, tmp_path):
    catalog = load_catalog("snapshot", make_settings(tmp_path / "home", data_root=data_root))
    fundamentals = {s.ticker: s for s in catalog.series if s.adapter == "conceptstocks_income"}
    # TSM too: staging picks one source per quarter, so its FMP (TWD) and ConceptStocks (USD) rows never mix.
    assert set(fundamentals) == set(CATALOGUED)
    for ticker, series in fundamentals.items():
        assert series.id == f"{ticker}.fundamentals_cs" and series.kind == "fundamentals"
        assert series.roles == catalog.get(f"{ticker}.fundamentals").roles
        assert dict(series.params) == {"symbol": ticker}
        assert [p.retrieved_at for p in series.payloads] == [datetime(2026, 8, 22)]
    segments = {s.ticker: s for s in catalog.series if s.adapter == "conceptstocks_segments"}
    assert {t: s.params["segment"] for t, s in segments.items()} == {
        "NVDA": "Data Center", "MSFT": "Intelligent Cloud", "GOOGL": "Google Cloud", "AMZN": "AWS",
        "AMD": "Data Center", "ORCL": "Oracle Cloud Infrastructure"}
    assert all(s.kind == "segment" and s.roles == ("datacenter_segment",) for s in segments.values())


def test_ingest_stores_null_published_at_and_the_quarantined_rows(tmp_path):
    from warehouse.jobs import ingest_job

    files = tmp_path / "files"
    files.mkdir()
    stale = [income_row("NVDA", 2025, "2025-01-26", "FY", "130497000000", "6042000000", "1700000000")]
    (files / "income.csv").write_bytes(income_csv(stale + INCOME_ROWS))
    (files / "segments.csv").write_bytes(segments_csv())
    entries = [
        ("NVDA.fundamentals_cs", "fundamentals", "conceptstocks_income", '{ symbol = "NVDA" }', "income.csv"),
        ("NVDA.segment_datacenter", "segment", "conceptstocks_segments", '{ segment = "Data Center" }',
         "segments.csv"),
    ]
    text = '[catalog]\nname = "cs"\nroot = "catalog"\n'
    for sid, kind, adapter, params, path in entries:
        text += (f'\n[[series]]\nid = "{sid}"\nticker = "NVDA"\nkind = "{kind}"\nfrequency = "quarterly"\n'
                 f'adapter = "{adapter}"\nunit = "USD"\nparams = {params}\n'
                 f'payloads = [{{ path = "files/{path}", retrieved_at = "2026-08-22" }}]\n')
    (tmp_path / "catalog.toml").write_text(text, encoding="utf-8")
    settings = make_settings(tmp_path / "home")
    report = ingest_job(settings, str(tmp_path / "catalog.toml"))
    assert report.failed == []
    with duckdb.connect(str(settings.pipeline_db), read_only=True) as con:
        rows = dict(con.execute("SELECT series_id, count(*) FILTER (WHERE published_at IS NULL) || '/' || count(*) "
                                "FROM raw.observations GROUP BY 1").fetchall())
        assert rows == {"NVDA.fundamentals_cs": "32/32", "NVDA.segment_datacenter": "0/20"}
        rejected = con.execute("SELECT series_id, line, reason FROM meta.rejected_rows").fetchall()
    assert [(s, line) for s, line, _ in rejected] == [("NVDA.fundamentals_cs", 6)]
    assert "repeats FY2025" in rejected[0][2]
