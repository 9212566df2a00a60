"""Epoch AI's AI Companies tables: the real files, bad copies of them, and the AI-lab revenue marts."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType

import duckdb
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.conftest import make_settings, query
from warehouse.catalog import load_catalog
from warehouse.db import SQL_DIR
from warehouse.jobs import build_job, ingest_job
from warehouse.series import SeriesSpec
from warehouse.sources import adapter_for
from warehouse.sources.base import Payload, PayloadError, Query, Records

REVENUE = "epoch_ai_companies/ai_companies_revenue_reports.csv"
FUNDING = "epoch_ai_companies/ai_companies_funding_rounds.csv"
RETRIEVED = datetime(2025, 12, 14)  # PROVENANCE.md: the files were added in a commit of 2025-12-14
ORIGIN = "/incoming/epoch.csv"


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------


def spec(table: str, series_id: str = "epoch_test", **params) -> SeriesSpec:
    return SeriesSpec(id=series_id, kind="funding", adapter="epoch_ai_companies", frequency="event", unit="USD",
                      params=MappingProxyType({"table": table, **params}))


def parse(content: bytes, table: str, **params) -> Records:
    series = spec(table, **params)
    q = Query(series=series, location=ORIGIN, params=dict(series.params), retrieved_at=RETRIEVED)
    return adapter_for("epoch_ai_companies").parse(Payload(query=q, content=content, origin=ORIGIN,
                                                           retrieved_at=RETRIEVED))


def refused(content: bytes, table: str, line: int | None, phrase: str, **params) -> PayloadError:
    with pytest.raises(PayloadError) as info:
        parse(content, table, **params)
    err = info.value
    assert (err.origin, err.series_id) == (ORIGIN, "epoch_test")
    assert err.line == line, str(err)
    assert phrase in err.problem, str(err)
    where = f"{ORIGIN}, series epoch_test" + (f", line {line}" if line is not None else "")
    assert str(err).startswith(f"{where}: ") and "To fix: " in str(err)
    return err


def snapshot_records(data_root: Path, tmp_path: Path, series_id: str) -> Records:
    """Parse a real file exactly as the snapshot catalog declares it (path, params, retrieved_at)."""
    catalog = load_catalog("snapshot", make_settings(tmp_path / "home", data_root=data_root))
    series = catalog.get(series_id)
    adapter = adapter_for(series.adapter)
    (q,) = adapter.queries(series)
    return adapter.parse(adapter.fetch(q))


def value(records: Records, entity: str, obs_date: str, field: str) -> float:
    f = records.frame
    hit = f[(f["entity"] == entity) & (f["obs_date"] == date.fromisoformat(obs_date)) & (f["field"] == field)]
    assert len(hit) == 1, (entity, obs_date, field, len(hit))
    return float(hit["value"].iloc[0])


def rows_of(data_root: Path, path: str) -> list[list[str]]:
    text = (data_root / path).read_text(encoding="utf-8-sig")
    return [r for r in csv.reader(io.StringIO(text, newline=""))]


def to_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def first_line(content: bytes, text: str) -> int:
    """The physical line on which ``text`` (the start of a row) begins."""
    at = content.index(text.encode())
    return content[:at].count(b"\n") + 1


# --------------------------------------------------------------------------------------------------
# the real files
# --------------------------------------------------------------------------------------------------


def test_real_revenue_file_through_the_snapshot_entry(data_root, tmp_path):
    data_rows = [r for r in rows_of(data_root, REVENUE)[1:] if any(c.strip() for c in r)]
    assert len(data_rows) == 32
    records = snapshot_records(data_root, tmp_path, "epoch_ai_revenue")
    frame = records.frame
    assert value(records, "OpenAI", "2025-08-01", "annualised_revenue") == 13e9
    assert value(records, "Anthropic", "2025-10-21", "annualised_revenue") == 7e9
    assert value(records, "xAI", "2025-07-31", "annualised_revenue") == 500e6
    assert set(frame["field"]) == {"annualised_revenue"} and set(frame["unit"]) == {"USD"}
    assert set(frame["entity"]) == {"OpenAI", "Anthropic", "xAI"}
    assert (frame["published_at"] == frame["obs_date"]).all()  # the report date is when a figure became public
    # The file gives OpenAI on 2023-12-31 and 2024-12-31 twice with different amounts: those four rows are
    # set aside (the catalog entry says bad_rows = "quarantine"), the other 28 load.
    assert len(frame) + len(records.rejected) == 32 and len(frame) == 28
    assert [r.line for r in records.rejected] == [8, 9, 16, 17]
    assert all("with different values" in r.reason for r in records.rejected)
    assert records.rejected[0].content == "OpenAI,12/31/2023,2000000000"
    assert sorted(frame["_line"]) == [n for n in range(2, 34) if n not in (8, 9, 16, 17)]


def test_real_revenue_file_is_refused_without_quarantine(data_root):
    err = refused((data_root / REVENUE).read_bytes(), "revenue_reports", 9, "with different values")
    assert "OpenAI on 2023-12-31 appears on lines 8, 9" in err.problem
    assert "'2000000000', '700000000'" in err.problem


def test_real_funding_file_through_the_snapshot_entry(data_root, tmp_path):
    records = snapshot_records(data_root, tmp_path, "epoch_ai_funding_rounds")
    frame = records.frame
    assert records.rejected == ()
    assert frame["entity"].nunique() == 36
    counts = frame.groupby("field").size().to_dict()
    assert counts == {"equity_usd": 35, "debt_usd": 4, "valuation_post_usd": 26, "status_closed": 36,
                      "date_is_report": 36, "excluded_from_graph": 36}
    # Each round is named by the physical line it starts on, though Notes run over many lines.
    lines = frame.drop_duplicates("entity").set_index("entity")["_line"].to_dict()
    content = (data_root / FUNDING).read_bytes()
    assert lines["xAI | Sep 2025 10B"] == 2
    assert lines["OpenAI | 300B final stage"] == 12 == first_line(content, "300B final stage,OpenAI,")
    assert lines["Anthropic | Microsoft/Nvidia"] == 30
    assert lines["OpenAI | 2025 500B tender"] == 217 == first_line(content, "2025 500B tender,OpenAI,")
    assert lines["Anthropic | Apr 2022 Series B"] == 78  # the Id has a trailing space in the file
    # 2E+11 and friends
    assert value(records, "xAI | Sep 2025 10B", "2025-09-19", "valuation_post_usd") == 2e11
    assert value(records, "OpenAI | OpenAI–Nvidia", "2025-09-22", "equity_usd") == 1e11
    assert value(records, "OpenAI | Oct 2024 157B", "2024-10-02", "valuation_post_usd") == 157e9
    assert value(records, "OpenAI | Oct 2024 157B", "2024-10-02", "debt_usd") == 4e9
    assert value(records, "OpenAI | 2025 500B tender", "2025-10-01", "equity_usd") == 0.0
    # not closed: dated by the report date, flagged
    assert value(records, "Anthropic | Microsoft/Nvidia", "2025-11-18", "status_closed") == 0.0
    assert value(records, "Anthropic | Microsoft/Nvidia", "2025-11-18", "date_is_report") == 1.0
    assert value(records, "Anthropic | Sep 2025 183B Series F", "2025-09-02", "status_closed") == 1.0
    assert value(records, "Anthropic | Sep 2025 183B Series F", "2025-09-02", "date_is_report") == 0.0
    status = frame[frame["field"] == "status_closed"]["value"]
    assert (status == 1.0).sum() == 32 and (status == 0.0).sum() == 4
    by_report = frame[frame["field"] == "date_is_report"]
    assert set(by_report[by_report["value"] == 1.0]["entity"]) == {
        "xAI | Sep 2025 10B", "OpenAI | 300B final stage", "OpenAI | OpenAI–Nvidia", "Anthropic | Microsoft/Nvidia"}
    # kept, but flagged as left out of Epoch's charts
    excluded = frame[(frame["field"] == "excluded_from_graph") & (frame["value"] == 1.0)]
    assert set(excluded["entity"]) == {"Mistral AI | June 2023 Seed", "Mistral AI | December 2023 Series A",
                                       "Mistral AI | February 2024 Series A+", "Mistral AI | June 2024 Series B"}
    # published_at: the report date, else the close date
    published = frame.drop_duplicates("entity").set_index("entity")["published_at"].to_dict()
    assert published["OpenAI | 14B tender"] == date(2023, 1, 5)  # closed 2021-07-01, reported 2023
    assert published["OpenAI | Apr 2023 27B"] == date(2023, 4, 26)  # no report date: the close date
    assert set(frame[frame["field"].str.endswith("_usd")]["unit"]) == {"USD"}


def test_snapshot_catalog_entries(data_root, tmp_path):
    catalog = load_catalog("snapshot", make_settings(tmp_path / "home", data_root=data_root))
    revenue, funding = catalog.get("epoch_ai_revenue"), catalog.get("epoch_ai_funding_rounds")
    assert (revenue.roles, funding.roles) == (("ai_lab_revenue",), ("ai_lab_funding",))
    for series, path in ((revenue, REVENUE), (funding, FUNDING)):
        assert series.adapter == "epoch_ai_companies" and series.kind == "funding"
        assert "Epoch AI" in series.description and "CC BY 4.0" in series.description
        (payload,) = series.payloads
        assert payload.path == data_root / path and payload.retrieved_at == RETRIEVED
    assert revenue.params["table"] == "revenue_reports" and funding.params["table"] == "funding_rounds"


# --------------------------------------------------------------------------------------------------
# bad inputs: refused with file, series and line
# --------------------------------------------------------------------------------------------------

HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>Just a moment...</title></head><body>Sign in</body></html>\n"


@pytest.mark.parametrize("table", ["revenue_reports", "funding_rounds"])
def test_html_page_and_empty_file(table):
    refused(HTML_PAGE, table, 1, "HTML page, not CSV")
    refused(b"", table, None, "the file is empty")
    refused(b"\xef\xbb\xbf\r\n", table, None, "the file is empty")


def test_missing_column(data_root):
    rows = rows_of(data_root, REVENUE)
    refused(to_csv([r[:1] + r[2:] for r in rows]), "revenue_reports", 1, "missing column(s) 'Date'")
    rows = rows_of(data_root, FUNDING)
    j = rows[0].index("Status")
    err = refused(to_csv([r[:j] + r[j + 1:] for r in rows]), "funding_rounds", 1, "missing column(s) 'Status'")
    assert "funding_rounds table" in err.problem


def test_the_other_tables_file_is_refused(data_root):
    err = refused((data_root / FUNDING).read_bytes(), "revenue_reports", 1, "does not match Epoch's revenue_reports")
    assert 'params.table = "funding_rounds"' in err.hint
    err = refused((data_root / REVENUE).read_bytes(), "funding_rounds", 1, "does not match Epoch's funding_rounds")
    assert 'params.table = "revenue_reports"' in err.hint
    # an extra named column is another layout (e.g. Epoch's full export with Scope): refused, not ignored
    rows = rows_of(data_root, REVENUE)
    rows = [r[:3] + (["Scope"] if i == 0 else ["Full company"]) + r[4:] for i, r in enumerate(rows)]
    refused(to_csv(rows), "revenue_reports", 1, "unexpected column(s) 'Scope'")
    with pytest.raises(PayloadError, match="params.table is None"):
        parse(b"Company,Date\n", None)


def test_a_value_in_an_unnamed_column_is_refused(data_root):
    content = (data_root / REVENUE).read_bytes().replace(b"OpenAI,3/1/2023,200000000,,,", b"OpenAI,3/1/2023,2,00000000,,")
    refused(content, "revenue_reports", 3, "column 4 has no name in the header")


def test_duplicate_with_different_values(data_root):
    content = (data_root / REVENUE).read_bytes()
    # the same repeated exactly loads once; with another amount both lines are named
    same = content.replace(b"xAI,1/31/2025,178000000,,,\r\n", b"xAI,1/31/2025,178000000,,,\r\n" * 2)
    records = parse(same, "revenue_reports", bad_rows="quarantine")
    assert len(records.frame[records.frame["entity"] == "xAI"]) == 4
    other = content.replace(b"xAI,1/31/2025,178000000,,,\r\n",
                            b"xAI,1/31/2025,178000000,,,\r\nxAI,2025-01-31,187000000,,,\r\n")
    records = parse(other, "revenue_reports", bad_rows="quarantine")
    assert [r.line for r in records.rejected] == [8, 9, 16, 17, 18, 19]
    assert "xAI on 2025-01-31 appears on lines 18, 19" in records.rejected[-1].reason
    # funding: the same round twice with another amount, appended after the last (multi-line) round
    rows = rows_of(data_root, FUNDING)
    copy = next(list(r) for r in rows if r[0] == "2019 Microsoft 1B")
    copy[rows[0].index("Funding (equity)")] = "1100000000"
    original = (data_root / FUNDING).read_bytes()
    content = original + to_csv([copy])
    err = refused(content, "funding_rounds", original.count(b"\n") + 1, "with different values")
    assert "round 'OpenAI | 2019 Microsoft 1B' appears on lines 55, " in err.problem


def test_truncated_files(data_root):
    revenue = (data_root / REVENUE).read_bytes()
    cut = revenue[: revenue.index(b"Anthropic,10/21/2025,") + len(b"Anthropic,10/21/2025,70")]
    refused(cut, "revenue_reports", 33, "the file looks truncated")
    funding = (data_root / FUNDING).read_bytes()
    # cut inside the last round's multi-line quoted Notes: the line named is the one the round starts on
    at = funding.index(b"closed a secondary sale")
    refused(funding[:at], "funding_rounds", 217, "the file looks truncated inside a quoted field")
    # cut inside the first round's Notes, several lines into the quoted field
    at = funding.index(b"The over $10 billion round")
    assert funding[:at].count(b"\n") > 3
    refused(funding[:at], "funding_rounds", 2, "the file looks truncated inside a quoted field")
    # cut just after a closing quote: the row lacks its last fields
    end = funding.index(b'""",Secondary,Confident,\r\n', funding.index(b"2025 500B tender")) + 3
    refused(funding[:end], "funding_rounds", 217, "the file looks truncated")


def test_bad_revenue_rows(data_root):
    content = (data_root / REVENUE).read_bytes()
    table = "revenue_reports"
    refused(content.replace(b"Anthropic,10/1/2023,", b",10/1/2023,"), table, 5, "the company is blank")
    refused(content.replace(b"OpenAI,12/31/2022,", b"OpenAI,31/12/2022,"), table, 2, "'31/12/2022', which is not a date")
    refused(content.replace(b",28000000,", b",28M,"), table, 2, "non-numeric amount '28M'")
    refused(content.replace(b",28000000,", b",,"), table, 2, "is blank")
    refused(content.replace(b",28000000,", b",-28000000,"), table, 2, "which is negative")
    refused(content.replace(b"OpenAI,3/1/2023,", b"OpenAI,3/1/2099,"), table, 3, "a date in the future")
    refused(content.replace(b"OpenAI,3/1/2023,", b"OpenAI,3/1/0202,"), table, 3, "before 1800-01-01")
    # (the refusals name the first bad line: the file's own conflicting rows start on line 8)
    # quarantine: the bad rows are set aside, the rest loads
    bad = content.replace(b",28000000,", b",-28000000,").replace(b"xAI,7/31/2025,", b"xAI,7/31/2099,")
    records = parse(bad, table, bad_rows="quarantine")
    assert [r.line for r in records.rejected] == [2, 8, 9, 16, 17, 29] and len(records.frame) == 26


def test_bad_funding_rows(data_root):
    content = (data_root / FUNDING).read_bytes()
    table = "funding_rounds"
    err = refused(content.replace(b",Late discussions,10000000000,", b",Rumoured,10000000000,"), table, 2,
                  "Status 'Rumoured' is not one the adapter maps")
    assert "'Closed' or 'Late discussions'" in err.problem
    refused(content.replace(b",2E+11,9/19/2025,", b",2E+11 (est.),9/19/2025,"), table, 2,
            "non-numeric amount '2E+11 (est.)'")
    refused(content.replace(b",6600000000,4000000000,", b",6600000000,-4000000000,"), table, 149, "negative")
    refused(content.replace(b",10/1/2025,Closed,0,,5E+11,10/2/2025,", b",10/1/2025,Closed,0,,5E+11,10/2/2099,"),
            table, 217, "a date in the future")
    refused(content.replace(b",4/26/2023,Closed,300000000,,27000000000,,", b",,Closed,300000000,,27000000000,,"),
            table, 93, "neither a close date nor a report date")
    refused(content.replace(b",7/22/2019,Closed,", b",22.07.2019,Closed,"), table, 55, "not a date")
    refused(content.replace(b"Primary,Confident,TRUE\r\n", b"Primary,Confident,yes\r\n", 1), table, 105,
            "'Exclude from graph view' is 'yes'")
    refused(content.replace(b"2019 Microsoft 1B,OpenAI,", b",OpenAI,"), table, 55, "the Id of a OpenAI round is blank")


def test_a_bad_file_fails_its_series_with_file_series_and_line(data_root, tmp_path):
    """Through ingest: the truncated funding file fails its series, naming the line; the revenue series loads."""
    files = tmp_path / "files"
    files.mkdir()
    funding = (data_root / FUNDING).read_bytes()
    (files / "funding.csv").write_bytes(funding[: funding.index(b"closed a secondary sale")])
    (files / "revenue.csv").write_bytes((data_root / REVENUE).read_bytes())
    catalog = tmp_path / "epoch.toml"
    catalog.write_text(CATALOG.format(revenue="files/revenue.csv", funding="files/funding.csv", root="catalog"),
                       encoding="utf-8")
    report = ingest_job(make_settings(tmp_path / "home"), str(catalog))
    assert [o.series_id for o in report.failed] == ["epoch_ai_funding_rounds"]
    error = report.failed[0].error
    assert error.startswith(f"{files / 'funding.csv'}, series epoch_ai_funding_rounds, line 217: ")
    assert "truncated inside a quoted field" in error
    ok = {o.series_id: o for o in report.outcomes}["epoch_ai_revenue"]
    assert (ok.status, ok.rows_added, ok.rows_rejected) == ("ok", 28, 4)


# --------------------------------------------------------------------------------------------------
# the marts: ai_lab_revenue and ai_lab_revenue_monthly on a two-series catalog
# --------------------------------------------------------------------------------------------------

CATALOG = """[catalog]
name = "epoch-ai-companies"
root = "{root}"

[[series]]
id = "epoch_ai_revenue"
kind = "funding"
frequency = "event"
adapter = "epoch_ai_companies"
unit = "USD"
roles = ["ai_lab_revenue"]
params = {{ table = "revenue_reports", bad_rows = "quarantine" }}
payloads = [{{ path = "{revenue}", retrieved_at = "2025-12-14" }}]

[[series]]
id = "epoch_ai_funding_rounds"
kind = "funding"
frequency = "event"
adapter = "epoch_ai_companies"
unit = "USD"
roles = ["ai_lab_funding"]
params = {{ table = "funding_rounds" }}
payloads = [{{ path = "{funding}", retrieved_at = "2025-12-14" }}]
"""


@pytest.fixture(scope="module")
def epoch_home(tmp_path_factory, data_root):
    root = tmp_path_factory.mktemp("epoch-marts")
    catalog = root / "epoch.toml"
    catalog.write_text(CATALOG.format(revenue=REVENUE, funding=FUNDING, root="data_root"), encoding="utf-8")
    settings = make_settings(root / "home", data_root=data_root)
    report = ingest_job(settings, str(catalog))
    assert report.failed == [], [o.error for o in report.failed]
    built = build_job(settings, as_of=datetime(2025, 12, 14, 12))
    assert all(c.passed for c in built.checks), [c.describe() for c in built.checks if not c.passed]
    assert "ai_lab_revenue_no_lookahead" in {c.name for c in built.checks}
    return settings


def monthly(settings, month: str, company: str):
    rows = query(settings.analytics_db,
                 "SELECT annualised_revenue_usd, report_date, published_at, age_days, companies "
                 "FROM marts.ai_lab_revenue_monthly WHERE month = ? AND company = ?", [month, company])
    assert len(rows) == 1, (month, company, rows)
    return rows[0]


def test_revenue_mart_has_one_row_per_company_and_report(epoch_home):
    rows = query(epoch_home.analytics_db,
                 "SELECT count(*), count(DISTINCT (company, report_date)), min(report_date), max(report_date) "
                 "FROM marts.ai_lab_revenue")
    assert rows == [(28, 28, date(2022, 12, 31), date(2025, 10, 21))]
    anthropic = query(epoch_home.analytics_db,
                      "SELECT annualised_revenue_usd, published_at FROM marts.ai_lab_revenue "
                      "WHERE company = 'Anthropic' AND report_date = '2025-10-21'")
    assert anthropic == [(7e9, date(2025, 10, 21))]


def test_monthly_mart_uses_only_what_was_published_by_the_month_end(epoch_home):
    # Anthropic's 7 bn is dated (and published) 2025-10-21: not in September, in October.
    assert monthly(epoch_home, "2025-09-01", "Anthropic")[:2] == (5e9, date(2025, 7, 29))
    assert monthly(epoch_home, "2025-10-01", "Anthropic")[:2] == (7e9, date(2025, 10, 21))
    leaks = query(epoch_home.analytics_db,
                  "SELECT month, company FROM marts.ai_lab_revenue_monthly "
                  "WHERE report_date = '2025-10-21' AND month < '2025-10-01'")
    assert leaks == []
    assert monthly(epoch_home, "2025-09-01", "Anthropic")[3] == (date(2025, 9, 30) - date(2025, 7, 29)).days
    # totals: per company the highest of its reports in the 183 days up to its newest (Anthropic's 100 M of
    # 2023-10-01 beats its 87 M of 2024-01-01; OpenAI's 13 bn of 2025-08-01 beats the 3 bn of 2025-08-26, a
    # partial-period figure the copy does not label); the age is that of the company's newest report.
    assert monthly(epoch_home, "2024-06-01", "labs_total") == (
        3.4e9 + 100e6, date(2023, 10, 1), date(2024, 6, 12), 181, 2)
    assert monthly(epoch_home, "2025-09-01", "OpenAI")[:2] == (13e9, date(2025, 8, 1))
    assert monthly(epoch_home, "2025-09-01", "labs_total")[0] == pytest.approx(13e9 + 5e9 + 0.5e9)
    assert monthly(epoch_home, "2025-09-01", "labs_total")[4] == 3
    span = query(epoch_home.analytics_db,
                 "SELECT min(month), max(month), count(DISTINCT month) FROM marts.ai_lab_revenue_monthly")
    # from the first report public (2022-12-31, a month-end figure, counts from 2023-01-30) to the last month
    # ended by the as-of (2025-12-14)
    assert span == [(date(2023, 1, 1), date(2025, 11, 1), 35)]


def test_the_new_series_stay_out_of_funding_monthly(epoch_home):
    assert query(epoch_home.analytics_db, "SELECT count(*) FROM marts.funding_monthly") == [(0,)]
    assert query(epoch_home.analytics_db, "SELECT count(*) FROM marts.series WHERE kind = 'funding'") == [(2,)]


def test_lookahead_check_finds_a_report_used_before_it_was_published(epoch_home, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "gapcast.duckdb").write_bytes(epoch_home.pipeline_db.read_bytes())
    check = (SQL_DIR / "checks" / "ai_lab_revenue_no_lookahead.sql").read_text(encoding="utf-8")
    with duckdb.connect(str(home / "gapcast.duckdb")) as con:
        assert con.execute(check).fetchall() == []
        con.execute("UPDATE marts.ai_lab_revenue_monthly SET annualised_revenue_usd = 7e9, "
                    "report_date = DATE '2025-10-21', published_at = DATE '2025-10-21' "
                    "WHERE month = DATE '2025-09-01' AND company = 'Anthropic'")
        offending = con.execute(check).fetchall()
    problems = {(r[0], r[1], r[4]) for r in offending}
    assert (date(2025, 9, 1), "Anthropic", "figure published or dated after the month end") in problems
    assert (date(2025, 9, 1), "labs_total", "labs_total is not the sum of the company rows") in problems


# --------------------------------------------------------------------------------------------------
# property: random damage to the real files gives records or PayloadError, nothing else
# --------------------------------------------------------------------------------------------------

JUNK = ["", "NaN", "-1", "1e999", "2E+11", "12/31/2099", "2/30/2025", "0202-06-26", '"', "\n", "TRUE", "Closed",
        "Late discussions", "Rumoured", "<html>", "1,000", "é"]


@pytest.mark.parametrize(("path", "table"), [(REVENUE, "revenue_reports"), (FUNDING, "funding_rounds")])
@hsettings(max_examples=60, deadline=None, database=None, derandomize=True,
           suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_files_give_records_or_payload_error(data_root, path, table, data):
    rows = rows_of(data_root, path)
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(1, len(rows) - 1))
        op = data.draw(st.sampled_from(["cell", "drop_row", "dup_row"]))
        if op == "cell":
            j = data.draw(st.integers(0, len(rows[i]) - 1))
            rows[i][j] = data.draw(st.sampled_from(JUNK) | st.text(max_size=8))
        elif op == "drop_row" and len(rows) > 2:
            del rows[i]
        elif op == "dup_row":
            rows.insert(i, list(rows[i]))
    content = to_csv(rows)
    if data.draw(st.booleans()):
        content = content[: data.draw(st.integers(0, len(content)))]
    quarantine = data.draw(st.booleans())
    try:
        records = parse(content, table, **({"bad_rows": "quarantine"} if quarantine else {}))
    except PayloadError as err:
        assert err.series_id == "epoch_test" and err.origin == ORIGIN
        assert err.line is None or 1 <= err.line <= content.count(b"\n") + 1, str(err)
        return
    assert records.record_type == "observations"
    assert not records.frame["value"].isna().any()
    assert records.frame["obs_date"].notna().all() and records.frame["published_at"].notna().all()
