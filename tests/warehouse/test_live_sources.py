"""Live sources on recorded responses in the real formats: success and every failure mode, never a socket.

The recorded responses are built from ../shared/data where it holds the source's format (FRED's CSV
download, Indeed's tracker CSVs, OWID's grapher CSV, the layoffs.fyi CSV, Yahoo frames) and from the
providers' documented formats otherwise (FRED's API JSON, SEC companyfacts JSON with MSFT's filed figures,
SEC Form D data-set zips). A mock transport stands in for the network.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pandas as pd
import pytest

from tests.conftest import make_settings, query
from warehouse.http import HttpClient, HttpPolicy
from warehouse.jobs import build_job, dry_run_job, ingest_job
from flows.pipeline import run_plain as run_job
from warehouse.load import NetworkUnavailable

SEC_UA = "gapcast tests tests@example.com"
LAYOFFS_URL = "https://layoffs.example/layoffs.csv"
FAST = HttpPolicy(attempts=4, connect_attempts=2, backoff_initial_s=0.01, backoff_max_s=0.05, default_rate=1e6,
                  rate_per_host={})


# ---------------------------------------------------------------------------------------------------
# Recorded responses
# ---------------------------------------------------------------------------------------------------


def fmp_rows(data_root: Path, ticker: str) -> list[dict]:
    with open(data_root / "fundamentals_quarterly" / f"{ticker}.csv", newline="") as fh:
        return sorted(csv.DictReader(fh), key=lambda r: r["date"])


def companyfacts(data_root: Path, ticker: str = "MSFT", cik: int = 789019, years=range(2019, 2025)) -> dict:
    """A companyfacts JSON as SEC documents it, holding the company's filed quarters from the FMP file.

    10-Qs report three-month revenue for Q1-Q3 and year-to-date capex; the 10-K reports the year only,
    so Q4 revenue and every quarter's capex beyond Q1 must be derived, as for real filings.
    """
    rows = [r for r in fmp_rows(data_root, ticker) if int(r["calendarYear"]) in years]
    revenue, capex, shares = [], [], []
    by_year: dict[int, list[dict]] = {}
    for r in rows:
        by_year.setdefault(int(r["calendarYear"]), []).append(r)
    previous_end = None
    for fy, quarters in sorted(by_year.items()):
        quarters.sort(key=lambda r: r["date"])
        if len(quarters) != 4:
            continue
        fy_start = (date.fromisoformat(previous_end) + timedelta(days=1)).isoformat() if previous_end else \
            (date.fromisoformat(quarters[0]["date"]) - timedelta(days=91)).isoformat()
        start, ytd = fy_start, 0.0
        for n, q in enumerate(quarters, start=1):
            cap = abs(float(q["capexPerShare"]) * float(q["weightedAverageShsOut"]))
            ytd += cap
            form = "10-K" if n == 4 else "10-Q"
            base = {"accn": f"0000-{fy}-{n}", "fy": fy, "fp": "FY" if n == 4 else f"Q{n}", "form": form,
                    "filed": q["fillingDate"]}
            if n < 4:
                revenue.append({**base, "start": start, "end": q["date"], "val": float(q["revenue"])})
            capex.append({**base, "start": fy_start, "end": q["date"], "val": ytd})
            shares.append({**base, "end": q["fillingDate"], "val": float(q["weightedAverageShsOut"])})
            start = (date.fromisoformat(q["date"]) + timedelta(days=1)).isoformat()
        annual = sum(float(q["revenue"]) for q in quarters)
        revenue.append({"accn": f"0000-{fy}-4", "fy": fy, "fp": "FY", "form": "10-K", "filed": quarters[3]["fillingDate"],
                        "start": fy_start, "end": quarters[3]["date"], "val": annual})
        previous_end = quarters[3]["date"]
    return {
        "cik": cik,
        "entityName": ticker,
        "facts": {
            "dei": {"EntityCommonStockSharesOutstanding": {"units": {"shares": shares}}},
            "us-gaap": {
                "RevenueFromContractWithCustomerExcludingAssessedTax": {"units": {"USD": revenue}},
                "PaymentsToAcquirePropertyPlantAndEquipment": {"units": {"USD": capex}},
            },
        },
    }


def form_d_zip(quarter: str, rows: list[tuple[str, str, str, str]]) -> bytes:
    """A Form D quarterly data set: OFFERING.tsv with (industry group, first sale date, amount sold, amendment)."""
    header = ["ACCESSIONNUMBER", "INDUSTRYGROUPTYPE", "INVESTMENTFUNDTYPE", "ISAMENDMENT", "SALE_DATE",
              "YETTOOCCUR", "TOTALOFFERINGAMOUNT", "TOTALAMOUNTSOLD", "TOTALREMAINING"]
    lines = ["\t".join(header)]
    for i, (group, sale, sold, amendment) in enumerate(rows):
        lines.append("\t".join([f"0001-{quarter}-{i}", group, "", amendment, sale, "", "Indefinite", sold, "0"]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(f"{quarter.upper()}_d/OFFERING.tsv", "\n".join(lines) + "\n")
        z.writestr(f"{quarter.upper()}_d/FORMDSUBMISSION.tsv", "ACCESSIONNUMBER\tFILING_DATE\n")
    return buffer.getvalue()


def yahoo_frame(data_root: Path, ticker: str = "NVDA", since: str = "2024-10-01", tz: bool = False) -> pd.DataFrame:
    """What yfinance's history returns with auto_adjust=False and actions=True, from Yahoo's own CSV."""
    frame = pd.read_csv(data_root / "prices_ohlcv_to2024" / f"{ticker}.csv")
    frame["Date"] = pd.to_datetime(frame["Date"], utc=True).dt.tz_convert("America/New_York")
    frame = frame[frame["Date"] >= pd.Timestamp(since, tz="America/New_York")].set_index("Date")
    frame["Adj Close"] = frame["Close"]
    frame["Close"] = frame["Close"] * 1.002  # an as-traded close a little above the dividend-adjusted one
    frame = frame[["Open", "High", "Low", "Close", "Adj Close", "Volume", "Dividends", "Stock Splits"]]
    if not tz:
        frame.index = frame.index.tz_localize(None)
    return frame


class FakeYahoo:
    """Replays yfinance's behaviours: batched MultiIndex frames, logged failures, rate limits, OSErrors."""

    def __init__(self, data_root: Path, *, batch_fails: bool = False, history_errors=(), empty: bool = False,
                 nan_tail: bool = False):
        self.data_root = data_root
        self.batch_fails = batch_fails
        self.history_errors = list(history_errors)
        self.empty = empty
        self.nan_tail = nan_tail
        self.calls: list[tuple] = []

    def download(self, tickers, start):
        self.calls.append(("download", tuple(tickers), start))
        if self.batch_fails or self.empty:
            # yfinance: failed tickers come back as an empty frame and a logged error, not an exception
            return pd.DataFrame(), {t: "YFPricesMissingError('possibly delisted; no price data found')"
                                    for t in tickers}
        frames = {t: yahoo_frame(self.data_root, t) for t in tickers}
        if self.nan_tail:
            for f in frames.values():
                f.iloc[-1] = float("nan")
        return pd.concat(frames, axis=1, names=["Ticker", "Price"]), {}

    def history(self, ticker, start):
        self.calls.append(("history", ticker, start))
        if self.history_errors:
            raise self.history_errors.pop(0)
        if self.empty:
            return pd.DataFrame()
        return yahoo_frame(self.data_root, ticker, tz=True)

    def statements(self, ticker):
        self.calls.append(("statements", ticker))
        rows = [r for r in fmp_rows(self.data_root, "MSFT") if r["date"] >= "2024-01-01"]
        quarters = pd.to_datetime([r["date"] for r in rows])
        income = pd.DataFrame([[float(r["revenue"]) for r in rows]], index=["Total Revenue"], columns=quarters)
        capex = pd.DataFrame([[-abs(float(r["capexPerShare"]) * float(r["weightedAverageShsOut"])) for r in rows]],
                             index=["Capital Expenditure"], columns=quarters)
        return income, capex

    def shares(self, ticker, start):
        self.calls.append(("shares", ticker, start))
        index = pd.to_datetime(["2024-10-20 10:00", "2024-11-21 10:00", "2024-11-21 12:00"]).tz_localize("UTC")
        return pd.Series([24.49e9, 24.48e9, 24.47e9], index=index)


class YFRateLimitError(Exception):
    """Stands in for yfinance.exceptions.YFRateLimitError (matched by name, as the adapter does)."""


class Server:
    """Answers by URL prefix from a script of responses or exceptions; records every request."""

    def __init__(self):
        self.routes: dict[str, list] = {}
        self.log: list[str] = []

    def add(self, prefix: str, *answers) -> "Server":
        self.routes[prefix] = list(answers)
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.log.append(url)
        for prefix, answers in self.routes.items():
            if url.startswith(prefix):
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                if isinstance(answer, Exception):
                    raise answer
                return answer() if callable(answer) else answer
        return httpx.Response(404)

    def count(self, prefix: str) -> int:
        return sum(1 for url in self.log if url.startswith(prefix))


CATALOG = """
[catalog]
name = "live-test"
root = "catalog"

[[series]]
id = "NVDA"
kind = "price"
frequency = "daily"
adapter = "yfinance"
unit = "USD"
roles = ["ai_basket"]

[[series]]
id = "MSFT"
kind = "price"
frequency = "daily"
adapter = "yfinance"
unit = "USD"
params = {{ symbol = "NVDA", shares = false, statements = true }}  # prices replayed from NVDA's file

[[series]]
id = "MSFT.fundamentals"
ticker = "MSFT"
kind = "fundamentals"
frequency = "quarterly"
adapter = "sec_companyfacts"
unit = "USD"
params = {{ cik = 789019 }}

[[series]]
id = "CES6054150001"
kind = "hiring"
frequency = "monthly"
adapter = "fred"
unit = "thousands"
roles = ["talent_target"]

[[series]]
id = "indeed_us_total"
kind = "hiring"
frequency = "daily"
adapter = "indeed_tracker"
unit = "index_feb2020_100"
params = {{ file = "US/aggregate_job_postings_US.csv", variable = "total postings" }}

[[series]]
id = "owid_ai_private_investment"
kind = "funding"
frequency = "annual"
adapter = "owid_grapher"
unit = "usd_2021"
params = {{ slug = "private-investment-in-artificial-intelligence" }}

[[series]]
id = "form_d_technology"
kind = "funding"
frequency = "monthly"
adapter = "sec_form_d"
unit = "usd"
params = {{ first_quarter = "{first_quarter}" }}

[[series]]
id = "layoffs_fyi"
kind = "layoffs"
frequency = "event"
adapter = "layoffs_url"
unit = "persons"
"""

FRED = "https://fred.stlouisfed.org/graph/fredgraph.csv"
FRED_API = "https://api.stlouisfed.org/fred/series/observations"
SEC_FACTS = "https://data.sec.gov/api/xbrl/companyfacts/CIK0000789019.json"
FORM_D = "https://www.sec.gov/files/structureddata/data/form-d-data-sets/"
INDEED = "https://raw.githubusercontent.com/hiring-lab/job_postings_tracker/master/US/aggregate_job_postings_US.csv"
OWID = "https://ourworldindata.org/grapher/private-investment-in-artificial-intelligence.csv"


def catalog_file(tmp_path: Path, first_quarter: str) -> Path:
    path = tmp_path / "live-test.toml"
    path.write_text(CATALOG.format(first_quarter=first_quarter))
    return path


def last_quarters(n: int, today: date | None = None) -> list[str]:
    from warehouse.sources.sec_form_d import quarters_between

    today = today or date.today()
    return [f"{y}q{q}" for y, q in quarters_between("2000q1", today)[-n:]]


def csv_response(path: Path, **headers) -> httpx.Response:
    return httpx.Response(200, content=path.read_bytes(), headers={"Content-Type": "text/csv", **headers})


def healthy_server(data_root: Path, quarters: list[str]) -> Server:
    server = Server()
    server.add(FRED, lambda: csv_response(data_root / "fred" / "CES6054150001.csv"))
    server.add(SEC_FACTS, lambda: httpx.Response(200, json=companyfacts(data_root)))
    server.add(INDEED, lambda: csv_response(data_root / "indeed_hiring_lab" / "aggregate_job_postings_US.csv",
                                            ETag='"indeed-v1"'))
    server.add(OWID, lambda: csv_response(data_root / "owid_ai" / "private-investment-in-artificial-intelligence.csv"))
    server.add(LAYOFFS_URL, lambda: csv_response(data_root / "layoffs_databyab" / "layoffs.csv"))
    for q in quarters[:-1]:
        year = int(q[:4])
        server.add(f"{FORM_D}{q}_d.zip", httpx.Response(200, content=form_d_zip(q, [
            ("Computers", f"{year}-0{int(q[-1]) * 3 - 2}-15", "1500000", "false"),
            ("Other Technology", f"{year}-0{int(q[-1]) * 3 - 2}-20", "Indefinite", "false"),
            ("Computers", f"{year}-0{int(q[-1]) * 3 - 2}-21", "999", "true"),  # an amendment: not counted
            ("Biotechnology", f"{year}-0{int(q[-1]) * 3 - 2}-15", "7000000", "false"),
        ])))
    server.add(f"{FORM_D}{quarters[-1]}_d.zip", httpx.Response(404))  # the newest: not published yet
    return server


def http_for(server: Server, clock=None) -> HttpClient:
    return HttpClient(FAST, transport=httpx.MockTransport(server), sleep=lambda s: None,
                      rate_sleep=lambda s: None, clock=clock)


@pytest.fixture
def live(tmp_path, data_root):
    settings = make_settings(tmp_path / "home", sec_user_agent=SEC_UA, layoffs_url=LAYOFFS_URL)
    quarters = last_quarters(3)
    return settings, catalog_file(tmp_path, quarters[0]), quarters


# ---------------------------------------------------------------------------------------------------
# Success
# ---------------------------------------------------------------------------------------------------


def test_live_run_loads_every_source(live, data_root):
    settings, catalog, quarters = live
    server = healthy_server(data_root, quarters)
    yahoo = FakeYahoo(data_root)
    report = run_job(settings, str(catalog), http=http_for(server), yahoo=yahoo)
    assert [o.error for o in report.ingest.failed] == []
    assert {o.series_id for o in report.ingest.outcomes if o.status == "ok"} == {
        "NVDA", "MSFT", "MSFT.fundamentals", "CES6054150001", "indeed_us_total", "owid_ai_private_investment",
        "form_d_technology", "layoffs_fyi"}
    db = settings.analytics_db
    assert query(db, "SELECT value FROM marts.hiring_monthly WHERE series_id = 'CES6054150001' "
                     "AND month = '2026-08-01'") == [(2362.7,)]
    # yfinance: one batched download, unadjusted and adjusted closes, share history for market caps
    assert [c[0] for c in yahoo.calls] == ["download", "shares", "statements"]
    nvda = query(db, "SELECT close, close_unadjusted, market_cap FROM marts.prices_daily "
                     "WHERE ticker = 'NVDA' AND date = '2024-12-06'")
    assert nvda[0][0] == pytest.approx(142.44000244140625)
    assert nvda[0][1] == pytest.approx(142.44000244140625 * 1.002)
    assert nvda[0][2] == pytest.approx(142.44000244140625 * 1.002 * 24.47e9)
    # Form D: technology offerings only, amendments left out, the unpublished quarter skipped quietly
    funding = query(db, "SELECT sum(deals), sum(amount_usd) FROM marts.funding_monthly "
                        "WHERE series_id = 'form_d_technology'")
    assert funding == [(4, 3_000_000.0)]
    assert server.count(f"{FORM_D}{quarters[-1]}") == 1


def test_sec_quarters_match_the_filed_figures(live, data_root):
    """Q4 revenue (annual minus three quarters) and capex (from year-to-date figures) come out exact."""
    settings, catalog, quarters = live
    run_job(settings, str(catalog), http=http_for(healthy_server(data_root, quarters)), yahoo=FakeYahoo(data_root))
    got = {r[0]: (r[1], r[2], r[3], r[4]) for r in query(
        settings.analytics_db,
        "SELECT fiscal_period_end, revenue, capex, fiscal_quarter, filed_at FROM marts.fundamentals_quarterly "
        "WHERE ticker = 'MSFT'")}
    expected = [r for r in fmp_rows(data_root, "MSFT") if 2020 <= int(r["calendarYear"]) <= 2024]
    assert len(expected) == 20
    for r in expected:
        end = date.fromisoformat(r["date"])
        revenue, capex, quarter, filed = got[end]
        assert revenue == pytest.approx(float(r["revenue"]), rel=1e-12), end
        assert capex == pytest.approx(abs(float(r["capexPerShare"]) * float(r["weightedAverageShsOut"])), rel=1e-9)
        assert quarter == int(r["period"][1])
        assert filed == date.fromisoformat(r["fillingDate"])
    # Yahoo's statements (here MSFT's filed figures, as Yahoo shows them) agree with SEC's quarter by quarter.
    check = query(settings.analytics_db, "SELECT count(*), min(revenue_ratio), max(revenue_ratio), "
                                         "min(capex_ratio), max(capex_ratio) FROM marts.revenue_crosscheck")
    assert check[0][0] == 2  # the quarters both hold: 2024-03-31 and 2024-06-30
    assert all(v == pytest.approx(1.0) for v in check[0][1:])
    ttm = query(settings.analytics_db, "SELECT ttm_revenue_usd FROM marts.fundamentals_quarterly "
                                       "WHERE ticker = 'MSFT' AND fiscal_period_end = '2024-06-30'")
    assert ttm == [(pytest.approx(245_122e6),)]  # MSFT FY2024 revenue, USD 245.122 bn


def test_fred_api_when_a_key_is_set_and_the_key_never_leaks(tmp_path, data_root):
    settings = make_settings(tmp_path / "home", fred_api_key="sekret-key-123")
    catalog = tmp_path / "fred.toml"
    catalog.write_text('[catalog]\nname = "f"\nroot = "catalog"\n[[series]]\nid = "USINFO"\nkind = "hiring"\n'
                       'frequency = "monthly"\nadapter = "fred"\nunit = "thousands"\n')
    observations = [{"realtime_start": "2026-11-01", "realtime_end": "2026-11-01", "date": d, "value": v}
                    for d, v in (("2026-05-01", "2790"), ("2026-06-01", "."), ("2026-07-01", "2780"))]
    server = Server().add(FRED_API, httpx.Response(500), httpx.Response(200, json={"observations": observations}))
    report = run_job(settings, str(catalog), http=http_for(server))
    assert not report.ingest.failed
    api_calls = [url for url in server.log if url.startswith(FRED_API)]
    assert len(api_calls) == 2 and "api_key=sekret-key-123" in api_calls[0]  # it was sent...
    rows = query(settings.analytics_db, "SELECT month, value FROM marts.hiring_monthly ORDER BY month")
    assert rows == [(date(2026, 5, 1), 2790.0), (date(2026, 7, 1), 2780.0)]
    origins = query(settings.pipeline_db, "SELECT origin FROM meta.load_batches")
    assert origins and all("sekret" not in o[0] and "api_key=***" in o[0] for o in origins)
    for path in (settings.pipeline_db, settings.analytics_db):
        assert b"sekret-key-123" not in path.read_bytes()  # ...and stored nowhere
    plan = dry_run_job(settings, str(catalog))
    assert plan[0]["location"].startswith(FRED_API) and "sekret" not in json.dumps(plan)


# ---------------------------------------------------------------------------------------------------
# Failure modes, per HTTP source
# ---------------------------------------------------------------------------------------------------

HTTP_SOURCES = {
    "CES6054150001": (FRED, "fred/CES6054150001.csv"),
    "indeed_us_total": (INDEED, "indeed_hiring_lab/aggregate_job_postings_US.csv"),
    "owid_ai_private_investment": (OWID, "owid_ai/private-investment-in-artificial-intelligence.csv"),
    "layoffs_fyi": (LAYOFFS_URL, "layoffs_databyab/layoffs.csv"),
    "MSFT.fundamentals": (SEC_FACTS, None),
}


def good_body(data_root, series_id):
    prefix, path = HTTP_SOURCES[series_id]
    if path is None:
        return json.dumps(companyfacts(data_root)).encode()
    return (data_root / path).read_bytes()


def run_one(live, data_root, series_id, *answers):
    settings, catalog, quarters = live
    server = healthy_server(data_root, quarters)
    server.add(HTTP_SOURCES[series_id][0], *answers)
    report = ingest_job(settings, str(catalog), only={series_id}, http=http_for(server))
    return report.outcomes[0], server


@pytest.mark.parametrize("series_id", sorted(HTTP_SOURCES))
def test_rate_limit_then_success(live, data_root, series_id):
    outcome, server = run_one(live, data_root, series_id,
                              httpx.Response(429, headers={"Retry-After": "0"}),
                              httpx.Response(200, content=good_body(data_root, series_id)))
    assert outcome.status == "ok" and outcome.rows_added > 0
    assert server.count(HTTP_SOURCES[series_id][0]) == 2


@pytest.mark.parametrize("series_id", sorted(HTTP_SOURCES))
def test_server_error_three_times_then_success(live, data_root, series_id):
    outcome, server = run_one(live, data_root, series_id, httpx.Response(500), httpx.Response(503),
                              httpx.Response(502), httpx.Response(200, content=good_body(data_root, series_id)))
    assert outcome.status == "ok"
    assert server.count(HTTP_SOURCES[series_id][0]) == 4


@pytest.mark.parametrize("series_id", sorted(HTTP_SOURCES))
def test_server_error_throughout_fails_that_series_only(live, data_root, series_id):
    outcome, _ = run_one(live, data_root, series_id, httpx.Response(500))
    assert outcome.status == "failed"
    assert "HTTP 500 after 4 attempts" in outcome.error and "To fix:" in outcome.error


@pytest.mark.parametrize("series_id", sorted(HTTP_SOURCES))
def test_timeout(live, data_root, series_id):
    outcome, server = run_one(live, data_root, series_id, httpx.ReadTimeout("read timed out"))
    assert outcome.status == "failed" and "timed out" in outcome.error
    assert server.count(HTTP_SOURCES[series_id][0]) == 4


@pytest.mark.parametrize("series_id", sorted(HTTP_SOURCES))
def test_truncated_body_is_fetched_again(live, data_root, series_id):
    outcome, _ = run_one(live, data_root, series_id,
                         httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
                         httpx.Response(200, content=good_body(data_root, series_id)))
    assert outcome.status == "ok"


@pytest.mark.parametrize("series_id", sorted(HTTP_SOURCES))
def test_connection_reset_then_success(live, data_root, series_id):
    outcome, server = run_one(live, data_root, series_id, httpx.ReadError("[Errno 104] Connection reset by peer"),
                              httpx.ReadError("[Errno 104] Connection reset by peer"),
                              httpx.Response(200, content=good_body(data_root, series_id)))
    assert outcome.status == "ok"
    assert server.count(HTTP_SOURCES[series_id][0]) == 3


@pytest.mark.parametrize("series_id", sorted(HTTP_SOURCES))
def test_slow_drip_times_out_and_fails_that_series_only(live, data_root, series_id):
    """A server sending a byte at a time never finishes within the read timeout: httpx raises ReadTimeout."""
    settings, catalog, quarters = live
    server = healthy_server(data_root, quarters)
    server.add(HTTP_SOURCES[series_id][0], httpx.ReadTimeout("The read operation timed out"))
    report = ingest_job(settings, str(catalog), only={series_id, "owid_ai_private_investment"
                                                      if series_id != "owid_ai_private_investment" else "CES6054150001"},
                        http=http_for(server))
    by_id = {o.series_id: o for o in report.outcomes}
    assert by_id[series_id].status == "failed" and "timed out" in by_id[series_id].error
    other = next(o for sid, o in by_id.items() if sid != series_id)
    assert other.status == "ok"  # per-source isolation


@pytest.mark.parametrize("series_id", sorted(HTTP_SOURCES))
def test_html_error_page_is_refused(live, data_root, series_id):
    page = b"<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1></body></html>"
    outcome, _ = run_one(live, data_root, series_id, httpx.Response(200, content=page))
    assert outcome.status == "failed"
    assert "HTML page" in outcome.error or "not JSON" in outcome.error
    assert series_id in outcome.error


@pytest.mark.parametrize("series_id", sorted(HTTP_SOURCES))
def test_a_body_cut_short_is_refused(live, data_root, series_id):
    body = good_body(data_root, series_id)
    outcome, _ = run_one(live, data_root, series_id, httpx.Response(200, content=body[: len(body) // 2 + 7]))
    assert outcome.status == "failed", outcome
    assert any(word in outcome.error for word in ("truncated", "not JSON", "field(s)", "not a date",
                                                  "non-numeric", "malformed"))


@pytest.mark.parametrize("series_id", ["CES6054150001", "indeed_us_total", "owid_ai_private_investment",
                                       "layoffs_fyi"])
def test_renamed_column_is_refused(live, data_root, series_id):
    text = good_body(data_root, series_id).decode()
    header, rest = text.split("\n", 1)
    renamed = header.replace("observation_date", "obs_date").replace("indeed_job_postings_index_SA", "index_sa") \
        .replace("Entity", "Country").replace("total_laid_off", "laid_off_total")
    assert renamed != header
    outcome, _ = run_one(live, data_root, series_id, httpx.Response(200, content=(renamed + "\n" + rest).encode()))
    assert outcome.status == "failed" and "column" in outcome.error


def test_sec_refuses_to_run_without_a_contact(tmp_path, data_root):
    settings = make_settings(tmp_path / "home", sec_user_agent=None, layoffs_url=LAYOFFS_URL)
    catalog = catalog_file(tmp_path, last_quarters(2)[0])
    server = healthy_server(data_root, last_quarters(2))
    report = ingest_job(settings, str(catalog), only={"MSFT.fundamentals", "CES6054150001"}, http=http_for(server))
    by_id = {o.series_id: o for o in report.outcomes}
    assert by_id["MSFT.fundamentals"].status == "failed"
    assert "GAPCAST_SEC_USER_AGENT" in by_id["MSFT.fundamentals"].error
    assert by_id["CES6054150001"].status == "ok"
    assert server.count("https://data.sec.gov") == 0  # nothing was sent to SEC


def test_sec_user_agent_is_sent(live, data_root):
    settings, catalog, quarters = live
    seen = []

    def sec(request):
        seen.append(request.headers["User-Agent"])
        return httpx.Response(200, json=companyfacts(data_root))

    server = healthy_server(data_root, quarters)
    server.routes[SEC_FACTS] = [lambda: None]
    transport = httpx.MockTransport(lambda r: sec(r) if str(r.url).startswith(SEC_FACTS) else server(r))
    client = HttpClient(FAST, transport=transport, sleep=lambda s: None, rate_sleep=lambda s: None)
    report = ingest_job(settings, str(catalog), only={"MSFT.fundamentals"}, http=client)
    assert report.outcomes[0].status == "ok" and seen == [SEC_UA]


# ---------------------------------------------------------------------------------------------------
# yfinance's failure modes
# ---------------------------------------------------------------------------------------------------


def run_yahoo(live, data_root, yahoo):
    settings, catalog, quarters = live
    return ingest_job(settings, str(catalog), only={"NVDA"}, http=http_for(healthy_server(data_root, quarters)),
                      yahoo=yahoo)


def test_yahoo_empty_batch_falls_back_to_one_ticker(live, data_root):
    yahoo = FakeYahoo(data_root, batch_fails=True)
    report = run_yahoo(live, data_root, yahoo)
    assert report.outcomes[0].status == "ok"
    assert [c[0] for c in yahoo.calls] == ["download", "history", "shares"]


def test_yahoo_rate_limit_is_retried(live, data_root):
    yahoo = FakeYahoo(data_root, batch_fails=True, history_errors=[YFRateLimitError("Too Many Requests")])
    from warehouse.sources import yfinance_prices

    adapter_cls = yfinance_prices.YFinancePrices
    original = adapter_cls.__init__
    adapter_cls.__init__ = lambda self, attempts=3, sleep=None: original(self, attempts, sleep=lambda s: None)
    try:
        report = run_yahoo(live, data_root, yahoo)
    finally:
        adapter_cls.__init__ = original
    assert report.outcomes[0].status == "ok"
    assert [c[0] for c in yahoo.calls] == ["download", "history", "history", "shares"]


def test_yahoo_empty_everywhere_fails_the_series_with_the_reason(live, data_root):
    from warehouse.sources import yfinance_prices

    adapter_cls = yfinance_prices.YFinancePrices
    original = adapter_cls.__init__
    adapter_cls.__init__ = lambda self, attempts=3, sleep=None: original(self, attempts, sleep=lambda s: None)
    try:
        report = run_yahoo(live, data_root, FakeYahoo(data_root, empty=True))
    finally:
        adapter_cls.__init__ = original
    outcome = report.outcomes[0]
    assert outcome.status == "failed"
    assert "Yahoo returned no prices" in outcome.error and "possibly delisted" in outcome.error


def fast_yahoo_retries(monkeypatch):
    from warehouse.sources import yfinance_prices

    original = yfinance_prices.YFinancePrices.__init__
    monkeypatch.setattr(yfinance_prices.YFinancePrices, "__init__",
                        lambda self, attempts=3, sleep=None: original(self, attempts, sleep=lambda s: None))


def test_yahoo_server_error_is_retried(live, data_root, monkeypatch):
    from curl_cffi.requests.exceptions import HTTPError

    fast_yahoo_retries(monkeypatch)
    yahoo = FakeYahoo(data_root, batch_fails=True, history_errors=[HTTPError("HTTP Error 500: Internal Server Error")])
    report = run_yahoo(live, data_root, yahoo)
    assert report.outcomes[0].status == "ok"


def test_yahoo_timeout_fails_the_series_after_retries(live, data_root, monkeypatch):
    from curl_cffi.requests.exceptions import Timeout

    fast_yahoo_retries(monkeypatch)
    yahoo = FakeYahoo(data_root, batch_fails=True, history_errors=[Timeout("Operation timed out")] * 3)
    outcome = run_yahoo(live, data_root, yahoo).outcomes[0]
    assert outcome.status == "failed" and "Yahoo returned no prices" in outcome.error
    assert [c[0] for c in yahoo.calls].count("history") == 3


def test_yahoo_dns_failure_fails_the_other_tickers_at_once(live, data_root, monkeypatch, tmp_path):
    from curl_cffi.requests.exceptions import DNSError

    fast_yahoo_retries(monkeypatch)
    settings, _, quarters = live
    catalog = tmp_path / "two.toml"
    catalog.write_text('[catalog]\nname = "y"\nroot = "catalog"\n' + "".join(
        f'[[series]]\nid = "{t}"\nkind = "price"\nfrequency = "daily"\nadapter = "yfinance"\nunit = "USD"\n'
        f'params = {{ shares = false }}\n' for t in ("NVDA", "AMD")))
    yahoo = FakeYahoo(data_root, batch_fails=True,
                      history_errors=[DNSError("Could not resolve host: query2.finance.yahoo.com")] * 3)
    report = ingest_job(settings, str(catalog), http=http_for(healthy_server(data_root, quarters)), yahoo=yahoo)
    assert [o.status for o in report.outcomes] == ["failed", "failed"]
    assert "could not be reached" in report.outcomes[1].error
    assert [c[0] for c in yahoo.calls].count("history") == 3  # the second ticker sent nothing


def test_yahoo_malformed_frame_is_refused(live, data_root):
    class Garbled(FakeYahoo):
        def download(self, tickers, start):
            frame, errors = super().download(tickers, start)
            frame[("NVDA", "Close")] = frame[("NVDA", "Close")].astype(str).str.replace("1", "x", regex=False)
            return frame, errors

    outcome = run_yahoo(live, data_root, Garbled(data_root)).outcomes[0]
    assert outcome.status == "failed" and "non-numeric price" in outcome.error and "line" in outcome.error


FORM_D_FAILURES = [
    ("rate limit then success", [httpx.Response(429, headers={"Retry-After": "0"})], "ok"),
    ("server error three times then success", [httpx.Response(500)] * 3, "ok"),
    ("server error throughout", [httpx.Response(500)] * 4, "HTTP 500 after 4 attempts"),
    ("timeout", [httpx.ReadTimeout("read timed out")] * 4, "timed out"),
    ("HTML error page", [httpx.Response(200, content=b"<html><body>Request Rate Threshold Exceeded</body></html>")],
     "an HTML page"),
    ("truncated zip", "truncate", "not a zip archive"),
]


@pytest.mark.parametrize(("case", "before", "expected"), FORM_D_FAILURES, ids=[c[0] for c in FORM_D_FAILURES])
def test_form_d_failure_modes(live, data_root, case, before, expected):
    settings, catalog, quarters = live
    server = healthy_server(data_root, quarters)
    url = f"{FORM_D}{quarters[0]}_d.zip"
    good = server.routes[url][0]
    if before == "truncate":
        answers = [httpx.Response(200, content=good.content[: len(good.content) // 2])]
    else:
        answers = [*before, good]
    server.add(url, *answers)
    outcome = ingest_job(settings, str(catalog), only={"form_d_technology"}, http=http_for(server)).outcomes[0]
    if expected == "ok":
        assert outcome.status == "ok" and outcome.rows_added > 0
    else:
        assert outcome.status == "failed" and expected in outcome.error and "form_d_technology" in outcome.error


def test_yahoo_nan_in_the_latest_row_is_dropped(live, data_root):
    settings = live[0]
    report = run_yahoo(live, data_root, FakeYahoo(data_root, nan_tail=True))
    assert report.outcomes[0].status == "ok"
    last = query(settings.pipeline_db, "SELECT max(obs_date) FROM raw.observations WHERE series_id = 'NVDA' "
                                       "AND field = 'adj_close'")
    assert last == [(date(2024, 12, 5),)]  # 2024-12-06 was all NaN


def test_yahoo_incremental_pull_starts_before_the_last_stored_day(live, data_root):
    yahoo = FakeYahoo(data_root)
    run_yahoo(live, data_root, yahoo)
    yahoo.calls.clear()
    report = run_yahoo(live, data_root, yahoo)
    assert yahoo.calls[0] == ("download", ("NVDA",), date(2024, 12, 6) - timedelta(days=10))
    assert report.outcomes[0].rows_added == 0  # the overlap re-reads days already stored, unchanged


# ---------------------------------------------------------------------------------------------------
# Reruns, vintages, no network, offline, dry run
# ---------------------------------------------------------------------------------------------------


def raw_counts(settings):
    return query(settings.pipeline_db, "SELECT series_id, count(*) FROM raw.observations GROUP BY 1 ORDER BY 1")


def test_rerun_after_partial_failure_fetches_only_what_is_missing(live, data_root):
    settings, catalog, quarters = live
    server = healthy_server(data_root, quarters)
    server.add(FRED, httpx.Response(500))
    server.add(f"{FORM_D}{quarters[0]}_d.zip", httpx.Response(200, content=form_d_zip(quarters[0], [
        ("Computers", f"{quarters[0][:4]}-0{int(quarters[0][-1]) * 3 - 2}-15", "1500000", "false")])))
    first = run_job(settings, str(catalog), http=http_for(server), yahoo=FakeYahoo(data_root))
    assert [o.series_id for o in first.ingest.failed] == ["CES6054150001"]
    status = query(settings.analytics_db, "SELECT status FROM meta.series_status WHERE series_id = 'CES6054150001'")
    assert status == [("failed",)]
    loaded = raw_counts(settings)

    healed = healthy_server(data_root, quarters)
    second = run_job(settings, str(catalog), http=http_for(healed), yahoo=FakeYahoo(data_root))
    assert not second.ingest.failed
    outcomes = {o.series_id: o for o in second.ingest.outcomes}
    assert outcomes["CES6054150001"].status == "ok" and outcomes["CES6054150001"].rows_added == 56
    # The finished Form D quarter is not fetched again; sources that loaded before add nothing.
    assert healed.count(f"{FORM_D}{quarters[0]}") == 0
    assert all(outcomes[s].rows_added == 0 for s in ("indeed_us_total", "owid_ai_private_investment", "NVDA"))
    after = dict(raw_counts(settings))
    for series_id, count in loaded:
        assert after[series_id] == count  # no duplicates
    assert query(settings.pipeline_db, "SELECT count(*) FROM (SELECT series_id, entity, obs_date, field, retrieved_at "
                                       "FROM raw.observations GROUP BY ALL HAVING count(*) > 1)") == [(0,)]


def test_two_pulls_of_a_revised_series_keep_both_vintages(tmp_path, data_root):
    settings = make_settings(tmp_path / "home")
    catalog = tmp_path / "fred.toml"
    catalog.write_text('[catalog]\nname = "f"\nroot = "catalog"\n[[series]]\nid = "USINFO"\nkind = "hiring"\n'
                       'frequency = "monthly"\nadapter = "fred"\nunit = "thousands"\n')
    first_body = b"observation_date,USINFO\n2026-05-01,2790\n2026-06-01,2785\n"
    revised = b"observation_date,USINFO\n2026-05-01,2790\n2026-06-01,2783\n2026-07-01,2780\n"
    times = iter([datetime(2026, 8, 1, 12), datetime(2026, 9, 1, 12)])
    server = Server().add(FRED, httpx.Response(200, content=first_body), httpx.Response(200, content=revised))
    client = http_for(server, clock=lambda: next(times))
    ingest_job(settings, str(catalog), http=client)
    ingest_job(settings, str(catalog), http=client)
    vintages = query(settings.pipeline_db, "SELECT obs_date, value, retrieved_at FROM raw.observations "
                                           "ORDER BY obs_date, retrieved_at")
    assert vintages == [(date(2026, 5, 1), 2790.0, datetime(2026, 8, 1, 12)),
                        (date(2026, 6, 1), 2785.0, datetime(2026, 8, 1, 12)),
                        (date(2026, 6, 1), 2783.0, datetime(2026, 9, 1, 12)),
                        (date(2026, 7, 1), 2780.0, datetime(2026, 9, 1, 12))]
    build_job(settings, as_of=datetime(2026, 8, 15))
    assert query(settings.analytics_db, "SELECT month, value FROM marts.hiring_monthly ORDER BY month") == [
        (date(2026, 5, 1), 2790.0), (date(2026, 6, 1), 2785.0)]
    build_job(settings)
    assert query(settings.analytics_db, "SELECT month, value FROM marts.hiring_monthly ORDER BY month") == [
        (date(2026, 5, 1), 2790.0), (date(2026, 6, 1), 2783.0), (date(2026, 7, 1), 2780.0)]
    # The second pull resumed from the last stored month minus FRED's revision window.
    pulls = [url for url in server.log if url.startswith(FRED)]
    assert "cosd" not in pulls[0] and "cosd=2024-06-01" in pulls[1]


def test_no_network_stops_at_once_and_writes_nothing(live, data_root):
    settings, catalog, _ = live
    server = Server().add("https://", httpx.ConnectError("[Errno -3] Temporary failure in name resolution"))

    class NoYahoo(FakeYahoo):
        def download(self, tickers, start):
            raise AssertionError("nothing may be fetched after the preflight failed")

    started = time.monotonic()
    with pytest.raises(NetworkUnavailable) as err:
        run_job(settings, str(catalog), http=http_for(server), yahoo=NoYahoo(data_root))
    assert time.monotonic() - started < 30
    lines = str(err.value).splitlines()
    for source in ("fred", "indeed_tracker", "owid_grapher", "sec_companyfacts", "sec_form_d", "yfinance",
                   "layoffs_url"):
        assert any(line.strip().startswith(f"{source}: cannot reach") for line in lines), source
    assert "--catalog sample" in str(err.value)
    assert not settings.pipeline_db.exists() and not settings.analytics_db.exists()


def test_offline_skips_live_sources(live, data_root):
    settings, catalog, quarters = live
    server = healthy_server(data_root, quarters)
    report = ingest_job(settings, str(catalog), offline=True, http=http_for(server))
    assert {o.status for o in report.outcomes} == {"skipped"}
    assert server.log == []


def test_dry_run_lists_what_would_be_fetched(live, data_root):
    settings, catalog, quarters = live
    run_job(settings, str(catalog), http=http_for(healthy_server(data_root, quarters)), yahoo=FakeYahoo(data_root))
    plan = dry_run_job(settings, str(catalog))
    by_series = {}
    for item in plan:
        by_series.setdefault(item["series_id"], []).append(item)
    assert by_series["CES6054150001"][0]["location"] == FRED
    assert by_series["CES6054150001"][0]["note"] == "from 2024-08-01"  # 2026-08-01 minus 730 days
    assert [i["location"] for i in by_series["NVDA"]] == ["yfinance:NVDA:prices", "yfinance:NVDA:shares"]
    # Finished Form D quarters already loaded are not planned again; the two latest are.
    assert [i["location"].rsplit("/", 1)[1] for i in by_series["form_d_technology"]] == \
        [f"{q}_d.zip" for q in quarters[1:]]


def test_cli_without_network_exits_within_30_seconds(tmp_path):
    """The real command, with every request sent to a closed port on this machine (nothing leaves it)."""
    env = {**os.environ, "GAPCAST_HOME": str(tmp_path / "home"), "GAPCAST_SEC_USER_AGENT": SEC_UA,
           "GAPCAST_LAYOFFS_URL": LAYOFFS_URL, "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
           "ALL_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost"}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "flows.cli", "run", "--catalog", "live"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 30
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "no live source can be used" in done.stderr
    for source in ("fred", "yfinance", "sec_companyfacts", "indeed_tracker"):
        assert f"  {source}: cannot reach" in done.stderr
    assert not (tmp_path / "home" / "gapcast.duckdb").exists()
