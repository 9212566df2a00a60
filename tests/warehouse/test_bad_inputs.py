"""Bad input: a clear error naming file, series and line, and nothing half-loaded.

For each kind of bad file the issue lists (a missing column, non-numeric values, duplicate dates with
different values, an HTML page instead of CSV, an empty file, a truncated file, dates in the future, zero
or negative prices) and for each file format, the bad file is made here from a small excerpt of a real
file in ../shared/data, then

* ``parse()`` is called directly and must raise PayloadError with the exact line, and
* the whole pipeline runs on it (``ingest_job`` then ``run_job``) after a good first run: the series is
  reported failed with file, series, line and problem; the other series still loads; raw holds exactly
  what it held before for the failing series; and the published analytics.duckdb marts are unchanged.

Hypothesis then feeds random bytes and random mutations of valid files to every adapter: parse returns
records or raises PayloadError, never anything else.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType

import duckdb
import pytest
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from warehouse.catalog import SeriesSpec
from warehouse.jobs import ingest_job
from flows.pipeline import run_plain as run_job
from warehouse.settings import Settings, load_settings
from warehouse.sources import ADAPTERS
from warehouse.sources.base import Payload, PayloadError, Query, Records

from tests.conftest import SHARED_DATA as DATA  # noqa: E402

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"real data files not found at {DATA}")

# Unit-level payloads count as retrieved on this day; "the future" is after it (one day of slack).
RETRIEVED = datetime(2026, 11, 1, 9, 30)
BAD_ROW = 7  # index into the rows (0 = header) of the row a case breaks: physical line 8


# --------------------------------------------------------------------------------------------------
# Formats: which real files the excerpts come from and how the catalog declares them
# --------------------------------------------------------------------------------------------------


INDEED_VINTAGE = "indeed_vintages/aggregate_US/aggregate_job_postings_US_vintage_{}.csv"
INDEED_SECTOR = "indeed_vintages/sector_US/job_postings_by_sector_US_vintage_{}.csv"


@dataclass(frozen=True)
class SeriesDef:
    id: str
    path: str  # relative to ../shared/data
    rows: int  # data rows in the excerpt (the first rows of the file)
    frequency: str
    unit: str
    ticker: str = ""
    skip: int = 0  # data rows to skip before the excerpt
    params: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The value marts use for this series: the ticker for prices and fundamentals, else the id."""
        return self.ticker or self.id


@dataclass(frozen=True)
class Fmt:
    name: str
    adapter: str
    kind: str
    target: SeriesDef  # the series whose file the tests break
    good: SeriesDef  # the other series, which must keep loading
    date_col: str
    value_col: str  # a numeric column every excerpt row fills
    future: str  # a date after RETRIEVED and after today, in the file's own date format
    drop_col: str  # the column the missing-column case removes
    missing_phrase: str
    mart: tuple[str, str] | None  # (mart table, key column) holding the target's rows
    price_col: str | None = None  # the column a zero or negative value is refused in
    negative_phrase: str = "negative"
    zero_refused: bool = False
    duplicates_refused: bool = True
    bad_row: int = BAD_ROW

    @property
    def raw_table(self) -> str:
        return "raw.layoff_events" if ADAPTERS[self.adapter].record_type == "layoff_events" else "raw.observations"


FORMATS: dict[str, Fmt] = {
    f.name: f
    for f in (
        Fmt(
            name="yahoo_close",
            adapter="yahoo_csv",
            kind="price",
            target=SeriesDef("NVDA", "prices_adjclose/NVDA.csv", 30, "daily", "USD"),
            good=SeriesDef("MSFT", "prices_adjclose/MSFT.csv", 30, "daily", "USD"),
            date_col="Date",
            value_col="Close",
            future="2099-01-05",
            drop_col="Close",
            missing_phrase="missing column 'Close'",
            mart=("marts.prices_daily", "ticker"),
            price_col="Close",
            negative_phrase="is zero or negative",
            zero_refused=True,
        ),
        Fmt(
            name="yahoo_history",
            adapter="yahoo_csv",
            kind="price",
            target=SeriesDef("NVDA", "prices_ohlcv_to2024/NVDA.csv", 30, "daily", "USD"),
            good=SeriesDef("MSFT", "prices_ohlcv_to2024/MSFT.csv", 30, "daily", "USD"),
            date_col="Date",
            value_col="Close",
            future="2099-01-05 00:00:00-05:00",
            drop_col="Close",
            missing_phrase="missing column 'Close'",
            mart=("marts.prices_daily", "ticker"),
            price_col="Close",
            negative_phrase="is zero or negative",
            zero_refused=True,
        ),
        Fmt(
            name="fred",
            adapter="fred_csv",
            kind="macro",
            target=SeriesDef("DGS10", "fred/DGS10.csv", 30, "daily", "percent"),
            good=SeriesDef("USINFO", "fred/USINFO.csv", 30, "monthly", "thousands_of_persons"),
            date_col="date",
            value_col="DGS10",
            future="2099-01-05",
            drop_col="date",
            missing_phrase="missing column 'date' or 'observation_date'",
            mart=("marts.macro_monthly", "series_id"),
        ),
        Fmt(
            name="indeed_aggregate",
            adapter="indeed_csv",
            kind="hiring",
            target=SeriesDef(
                "indeed_us_total", "indeed_hiring_lab/aggregate_job_postings_US.csv", 30, "daily", "index_feb2020_100"
            ),
            good=SeriesDef(
                "indeed_us_total_later",
                "indeed_hiring_lab/aggregate_job_postings_US.csv",
                30,
                "daily",
                "index_feb2020_100",
                skip=30,
            ),
            date_col="date",
            value_col="indeed_job_postings_index_SA",
            future="2099-01-05",
            drop_col="jobcountry",
            missing_phrase="missing column(s) ['jobcountry']",
            mart=("marts.hiring_monthly", "series_id"),
        ),
        # The other Indeed schemas (indeed_csv reads every vintage onto one scale): unit level only.
        Fmt(
            name="indeed_aggregate_pct",  # to 2022-04: one SA % change column
            adapter="indeed_csv",
            kind="hiring",
            target=SeriesDef("indeed_us_total", INDEED_VINTAGE.format("2022-04-06_5599c920"), 30, "daily",
                             "index_feb2020_100"),
            good=SeriesDef("indeed_us_total_later", INDEED_VINTAGE.format("2022-04-06_5599c920"), 30, "daily",
                           "index_feb2020_100", skip=30),
            date_col="date",
            value_col="pct_chng_feb_1",
            future="2099-01-05",
            drop_col="pct_chng_feb_1",
            missing_phrase="missing column(s): no value column",
            mart=("marts.hiring_monthly", "series_id"),
        ),
        Fmt(
            name="indeed_aggregate_pct_sa_nsa",  # 2022-07..2022-10: SA and NSA % change columns
            adapter="indeed_csv",
            kind="hiring",
            target=SeriesDef("indeed_us_total", INDEED_VINTAGE.format("2022-10-05_b27a2b96"), 30, "daily",
                             "index_feb2020_100"),
            good=SeriesDef("indeed_us_total_later", INDEED_VINTAGE.format("2022-10-05_b27a2b96"), 30, "daily",
                           "index_feb2020_100", skip=30),
            date_col="date",
            value_col="seasonally_adjusted_pct_chng_feb_1",
            future="2099-01-05",
            drop_col="non_seasonally_adjusted_pct_chng_feb_1",
            missing_phrase="missing column(s) ['non_seasonally_adjusted_pct_chng_feb_1']",
            mart=("marts.hiring_monthly", "series_id"),
        ),
        Fmt(
            name="indeed_sector_pct",  # the 2022 by-sector file: % change
            adapter="indeed_csv",
            kind="hiring",
            target=SeriesDef("indeed_accounting", INDEED_SECTOR.format("2022-10-05_b27a2b96"), 30, "daily",
                             "index_feb2020_100", params={"sector": "Accounting"}),
            good=SeriesDef("indeed_accounting_later", INDEED_SECTOR.format("2022-10-05_b27a2b96"), 30, "daily",
                           "index_feb2020_100", skip=30, params={"sector": "Accounting"}),
            date_col="date",
            value_col="pct_chng_feb_1",
            future="2099-01-05",
            drop_col="display_name",
            missing_phrase="missing column(s) ['display_name']",
            mart=("marts.hiring_monthly", "series_id"),
        ),
        Fmt(
            name="indeed_sector_index",  # the by-sector file from 2023: the index
            adapter="indeed_csv",
            kind="hiring",
            target=SeriesDef("indeed_accounting", INDEED_SECTOR.format("2023-10-03_40edb26c"), 30, "daily",
                             "index_feb2020_100", params={"sector": "Accounting"}),
            good=SeriesDef("indeed_accounting_later", INDEED_SECTOR.format("2023-10-03_40edb26c"), 30, "daily",
                           "index_feb2020_100", skip=30, params={"sector": "Accounting"}),
            date_col="date",
            value_col="indeed_job_postings_index",
            future="2099-01-05",
            drop_col="jobcountry",
            missing_phrase="missing column(s) ['jobcountry']",
            mart=("marts.hiring_monthly", "series_id"),
        ),
        Fmt(
            name="indeed_series",  # a plain date,value series (hiring.csv; FRED's copy is the same layout)
            adapter="indeed_csv",
            kind="hiring",
            target=SeriesDef("IHLIDXUSTPSOFTDEVE", "indeed_softdev_full/hiring.csv", 30, "daily",
                             "index_feb2020_100", params={"sector": "Software Development"}),
            good=SeriesDef("IHLIDXUSTPSOFTDEVE_later", "indeed_softdev_full/hiring.csv", 30, "daily",
                           "index_feb2020_100", skip=30, params={"sector": "Software Development"}),
            date_col="date",
            value_col="hiring_index",
            future="2099-01-05",
            drop_col="hiring_index",
            missing_phrase="missing column(s): no value column beside 'date'",
            mart=("marts.hiring_monthly", "series_id"),
        ),
        Fmt(
            name="fmp_fundamentals",
            adapter="fmp_csv",
            kind="fundamentals",
            target=SeriesDef("MSFT.fundamentals", "fundamentals_quarterly/MSFT.csv", 20, "quarterly", "USD", "MSFT"),
            good=SeriesDef("GOOGL.fundamentals", "fundamentals_quarterly/GOOGL.csv", 20, "quarterly", "USD", "GOOGL"),
            date_col="date",
            value_col="revenue",
            future="2099-01-05",
            drop_col="revenue",
            missing_phrase="missing column(s) 'revenue'",
            mart=("marts.fundamentals_quarterly", "ticker"),
            price_col="revenue",
            negative_phrase="negative revenue",
        ),
        Fmt(
            name="layoffs",
            adapter="layoffs_csv",
            kind="layoffs",
            target=SeriesDef("layoffs_databyab", "layoffs_databyab/layoffs.csv", 30, "event", "persons"),
            good=SeriesDef("layoffs_datainsider", "layoffs_datainsider/layoffs.csv", 30, "event", "persons"),
            date_col="date",
            value_col="total_laid_off",
            future="1/5/2099",
            drop_col="total_laid_off",
            missing_phrase="missing column 'total_laid_off'",
            mart=("marts.layoffs_monthly", "series_id"),
            price_col="total_laid_off",
            negative_phrase="is negative",
            duplicates_refused=False,  # several layoffs on one day are normal: no key to be unique
            bad_row=8,  # row 7 of the excerpt states no head count
        ),
        Fmt(
            name="owid",
            adapter="owid_csv",
            kind="funding",
            target=SeriesDef(
                "ai_private_investment",
                "owid_ai/private-investment-in-artificial-intelligence.csv",
                30,
                "annual",
                "usd_2021",
            ),
            good=SeriesDef(
                "ai_job_share", "owid_ai/share-artificial-intelligence-job-postings.csv", 30, "annual", "percent"
            ),
            date_col="Year",
            value_col="Global total private investment in AI",
            future="2099",
            drop_col="Year",
            missing_phrase="missing column(s) 'Year'",
            mart=("marts.signals_annual", "series_id"),
        ),
        Fmt(
            name="epoch",
            adapter="epoch_csv",
            kind="progress",
            target=SeriesDef(
                "epoch_notable_models",
                "epoch_ai/notable_ai_models.csv",
                12,
                "event",
                "",
                params={
                    "date_column": "Publication date",
                    "entity_column": "Model",
                    "fields": {"training_compute_flop": "Training compute (FLOP)", "parameters": "Parameters"},
                },
            ),
            good=SeriesDef(
                "epoch_frontier_models",
                "epoch_ai/frontier_ai_models.csv",
                12,
                "event",
                "",
                params={
                    "date_column": "Publication date",
                    "entity_column": "Model",
                    "fields": {"training_compute_flop": "Training compute (FLOP)"},
                },
            ),
            date_col="Publication date",
            value_col="Training compute (FLOP)",
            future="2099-01-05",
            drop_col="Publication date",
            missing_phrase="missing column(s) 'Publication date'",
            mart=None,  # event-frequency progress series reach only marts.series
            bad_row=1,  # the first rows with a training-compute figure
        ),
    )
}
# The pipeline-level tests cover the seven formats the issue names; epoch and the other Indeed schemas (the same
# adapter and load path as indeed_aggregate) are covered at unit level.
UNIT_ONLY = {"epoch", "indeed_aggregate_pct", "indeed_aggregate_pct_sa_nsa", "indeed_sector_pct", "indeed_sector_index",
             "indeed_series"}
PIPELINE_FORMATS = [n for n in FORMATS if n not in UNIT_ONLY]


# --------------------------------------------------------------------------------------------------
# Reading excerpts and writing CSV
# --------------------------------------------------------------------------------------------------


@functools.cache
def _all_rows(path: str) -> tuple[tuple[str, ...], ...]:
    text = (DATA / path).read_text(encoding="utf-8-sig")
    return tuple(tuple(r) for r in csv.reader(io.StringIO(text, newline="")))


def excerpt(series: SeriesDef, extra: int = 0) -> list[list[str]]:
    """Header plus ``series.rows + extra`` data rows of a real file, as lists of strings."""
    rows = _all_rows(series.path)
    start = 1 + series.skip
    return [list(rows[0])] + [list(r) for r in rows[start : start + series.rows + extra]]


def to_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def line_of(rows: list[list[str]], index: int) -> int:
    """Physical (1-based) line on which row ``index`` starts once ``rows`` are written as CSV."""
    return 1 + to_csv(rows[:index]).count(b"\n")


def col(rows: list[list[str]], name: str) -> int:
    return rows[0].index(name)


# --------------------------------------------------------------------------------------------------
# The bad inputs
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    content: bytes
    line: int | None  # the line the error must name (None: no line is meaningful)
    phrase: str  # words the problem must contain


HTML_PAGE = (
    b"<!DOCTYPE html>\n<html lang=\"en\">\n<head><title>Too Many Requests</title></head>\n"
    b"<body><h1>429 Too Many Requests</h1><p>Please sign in to continue.</p></body>\n</html>\n"
)


def bad_missing_column(fmt: Fmt) -> Bad:
    rows = excerpt(fmt.target)
    j = col(rows, fmt.drop_col)
    return Bad(to_csv([r[:j] + r[j + 1 :] for r in rows]), 1, fmt.missing_phrase)


def bad_non_numeric(fmt: Fmt) -> Bad:
    rows = excerpt(fmt.target)
    k = fmt.bad_row
    assert rows[k][col(rows, fmt.value_col)].strip(), "the excerpt row must have a value to spoil"
    rows[k][col(rows, fmt.value_col)] = "12.5 (est.)"
    # Yahoo says "non-numeric price", the others "non-numeric value".
    return Bad(to_csv(rows), line_of(rows, k), "has a non-numeric ")


def bad_duplicate_date(fmt: Fmt) -> Bad:
    """Row k+1 repeats row k's date (and key) with a different value."""
    rows = excerpt(fmt.target)
    k, j = fmt.bad_row, col(rows, fmt.value_col)
    copy = list(rows[k])
    copy[j] = repr(float(copy[j]) * 1.5 + 1)
    rows[k + 1] = copy
    return Bad(to_csv(rows), line_of(rows, k + 1), "with different values")


def bad_html_page(fmt: Fmt) -> Bad:
    return Bad(HTML_PAGE, 1, "HTML page, not CSV")


def bad_empty_file(fmt: Fmt) -> Bad:
    return Bad(b"", None, "the file is empty")


def bad_truncated_file(fmt: Fmt) -> Bad:
    """The download stopped mid-row: the last row has only some of its fields, the last one cut short."""
    rows = excerpt(fmt.target)
    last = rows[-1]
    keep = max(1, len(last) // 2)
    cut = last[:keep]
    cut[-1] = cut[-1][: max(1, len(cut[-1]) // 2)]
    content = to_csv(rows[:-1] + [cut]).rstrip(b"\n")
    return Bad(content, line_of(rows, len(rows) - 1), "the file looks truncated")


def bad_future_date(fmt: Fmt) -> Bad:
    rows = excerpt(fmt.target)
    k = fmt.bad_row
    rows[k][col(rows, fmt.date_col)] = fmt.future
    return Bad(to_csv(rows), line_of(rows, k), "after the payload was retrieved")


def bad_zero_price(fmt: Fmt) -> Bad:
    rows = excerpt(fmt.target)
    k = fmt.bad_row
    rows[k][col(rows, fmt.price_col)] = "0.0"
    return Bad(to_csv(rows), line_of(rows, k), fmt.negative_phrase)


def bad_negative_price(fmt: Fmt) -> Bad:
    rows = excerpt(fmt.target)
    k = fmt.bad_row
    rows[k][col(rows, fmt.price_col)] = "-" + rows[k][col(rows, fmt.price_col)].strip()
    return Bad(to_csv(rows), line_of(rows, k), fmt.negative_phrase)


CASES: dict[str, tuple[Callable[[Fmt], Bad], Callable[[Fmt], bool]]] = {
    "missing_column": (bad_missing_column, lambda f: True),
    "non_numeric": (bad_non_numeric, lambda f: True),
    "duplicate_date": (bad_duplicate_date, lambda f: f.duplicates_refused),
    "html_page": (bad_html_page, lambda f: True),
    "empty_file": (bad_empty_file, lambda f: True),
    "truncated_file": (bad_truncated_file, lambda f: True),
    "future_date": (bad_future_date, lambda f: True),
    "zero_price": (bad_zero_price, lambda f: f.zero_refused),
    "negative_price": (bad_negative_price, lambda f: f.price_col is not None),
}


def formats_for(case: str, *, pipeline: bool = False) -> list[str]:
    names = PIPELINE_FORMATS if pipeline else list(FORMATS)
    return [n for n in names if CASES[case][1](FORMATS[n])]


# --------------------------------------------------------------------------------------------------
# Unit level: parse() on a hand-built Payload
# --------------------------------------------------------------------------------------------------


def spec_for(fmt: Fmt, series: SeriesDef, **changes) -> SeriesSpec:
    spec = SeriesSpec(
        id=series.id,
        kind=fmt.kind,
        adapter=fmt.adapter,
        frequency=series.frequency,
        unit=series.unit,
        params=MappingProxyType(dict(series.params)),
        ticker=series.ticker,
    )
    return replace(spec, **changes)


def payload_for(spec: SeriesSpec, content: bytes, origin: str, *, retrieved_at: datetime = RETRIEVED) -> Payload:
    query = Query(series=spec, location=origin, params=dict(spec.params), retrieved_at=retrieved_at)
    return Payload(query=query, content=content, origin=origin, retrieved_at=retrieved_at)


def parse(fmt: Fmt, content: bytes, origin: str = "/incoming/target.csv", **spec_changes) -> Records:
    spec = spec_for(fmt, fmt.target, **spec_changes)
    return ADAPTERS[fmt.adapter]().parse(payload_for(spec, content, origin))


def assert_refused(fmt: Fmt, bad: Bad, origin: str = "/incoming/target.csv", **spec_changes) -> PayloadError:
    with pytest.raises(PayloadError) as info:
        parse(fmt, bad.content, origin, **spec_changes)
    err = info.value
    assert err.origin == origin
    assert err.series_id == fmt.target.id
    assert err.line == bad.line, f"{err} (expected line {bad.line})"
    assert bad.phrase in err.problem, str(err)
    where = f"{origin}, series {fmt.target.id}" + (f", line {bad.line}" if bad.line is not None else "")
    assert str(err).startswith(f"{where}: {err.problem}. To fix: ")
    return err


@pytest.mark.parametrize("fmt_name", list(FORMATS))
def test_good_excerpt_parses(fmt_name: str) -> None:
    """The excerpts the cases break are valid: every row of them loads (so the break is what fails)."""
    fmt = FORMATS[fmt_name]
    rows = excerpt(fmt.target)
    records = parse(fmt, to_csv(rows))
    frame = records.frame
    assert len(frame) > 0
    lines = frame["row_number"] if records.record_type == "layoff_events" else frame["_line"]
    assert set(lines) <= {line_of(rows, i) for i in range(1, len(rows))}
    if fmt.adapter == "layoffs_csv":
        assert len(frame) == fmt.target.rows
        assert frame["company"].iloc[0] == rows[1][col(rows, "company")]
    elif fmt.adapter in {"yahoo_csv", "fred_csv"}:
        assert frame["obs_date"].nunique() == fmt.target.rows
        first = frame[frame["_line"] == 2]
        expected = float(rows[1][col(rows, fmt.value_col)])
        assert expected in set(first["value"])


@pytest.mark.parametrize("fmt_name", formats_for("missing_column"))
def test_missing_column(fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    assert_refused(fmt, bad_missing_column(fmt))


@pytest.mark.parametrize("fmt_name", formats_for("non_numeric"))
def test_non_numeric(fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    err = assert_refused(fmt, bad_non_numeric(fmt))
    assert err.problem.startswith(f"column {fmt.value_col!r} has a non-numeric ")
    assert err.problem.endswith("'12.5 (est.)'")


@pytest.mark.parametrize("fmt_name", formats_for("duplicate_date"))
def test_duplicate_date(fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    bad = bad_duplicate_date(fmt)
    err = assert_refused(fmt, bad)
    # Both lines are named so the user can compare them.
    first = line_of(excerpt(fmt.target), fmt.bad_row)
    assert err.problem.endswith(f"on lines {first}, {bad.line}")


def test_same_bad_bytes_for_two_series_name_each_its_own_file_indeed() -> None:
    """One file may feed several series (and is decoded once): each error names its own file and series."""
    fmt = FORMATS["indeed_aggregate"]
    bad = bad_non_numeric(fmt)
    errors = []
    for series_id, origin in (("indeed_us_total", "/a/aggregate.csv"), ("indeed_us_copy", "/b/copy.csv")):
        with pytest.raises(PayloadError) as info:
            parse(fmt, bad.content, origin, id=series_id)
        errors.append((info.value.origin, info.value.series_id, info.value.line))
    assert errors == [("/a/aggregate.csv", "indeed_us_total", bad.line), ("/b/copy.csv", "indeed_us_copy", bad.line)]


@pytest.mark.parametrize("fmt_name", formats_for("duplicate_date"))
def test_exact_duplicate_rows_are_kept_once(fmt_name: str) -> None:
    """The same date with the same values twice is a harmless repeat, not an error."""
    fmt = FORMATS[fmt_name]
    rows = excerpt(fmt.target)
    clean = parse(fmt, to_csv(rows)).frame
    rows.insert(fmt.bad_row + 1, list(rows[fmt.bad_row]))
    doubled = parse(fmt, to_csv(rows)).frame
    assert len(doubled) == len(clean)


@pytest.mark.parametrize("fmt_name", list(FORMATS))
def test_duplicate_column_name(fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    rows = excerpt(fmt.target)
    j = col(rows, fmt.date_col)
    rows = [r + [r[j]] for r in rows]
    with pytest.raises(PayloadError) as info:
        parse(fmt, to_csv(rows))
    assert info.value.line == 1
    assert repr(fmt.date_col) in info.value.problem


@pytest.mark.parametrize("fmt_name", formats_for("html_page"))
def test_html_page(fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    err = assert_refused(fmt, bad_html_page(fmt))
    assert "re-download" in err.hint


@pytest.mark.parametrize(
    "page",
    [
        b"   \n\n<html><body>Service unavailable</body></html>",
        b"<?xml version=\"1.0\"?>\n<Error><Code>AccessDenied</Code></Error>\n",
        b"<HTML><HEAD><TITLE>Moved</TITLE></HEAD></HTML>",
        b"\xef\xbb\xbf<!doctype html><html></html>",
    ],
    ids=["leading_blank_lines", "xml_error", "upper_case", "utf8_bom"],
)
def test_html_page_variants_fred(page: bytes) -> None:
    fmt = FORMATS["fred"]
    assert_refused(fmt, Bad(page, 1, "not CSV"))


@pytest.mark.parametrize("fmt_name", formats_for("empty_file"))
def test_empty_file(fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    err = assert_refused(fmt, bad_empty_file(fmt))
    assert ", line" not in str(err)


@pytest.mark.parametrize("content", [b" \n\n\t\r\n", b"\n"], ids=["whitespace", "newline"])
def test_blank_file_is_empty_yahoo_close(content: bytes) -> None:
    assert_refused(FORMATS["yahoo_close"], Bad(content, None, "the file is empty"))


@pytest.mark.parametrize("fmt_name", ["yahoo_close", "fred", "layoffs", "owid"])
def test_header_only_file(fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    header = to_csv(excerpt(fmt.target)[:1])
    assert_refused(fmt, Bad(header, 1, "the file has a header but no data rows"))


def test_bom_only_file_is_empty_fred() -> None:
    assert_refused(FORMATS["fred"], Bad(b"\xef\xbb\xbf", None, "the file is empty"))


@pytest.mark.parametrize("fmt_name", formats_for("truncated_file"))
def test_truncated_file(fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    assert_refused(fmt, bad_truncated_file(fmt))


def test_truncated_file_is_refused_even_in_quarantine_mode_layoffs() -> None:
    """Quarantine sets bad rows aside; a cut-off file is not a bad row but a bad file."""
    fmt = FORMATS["layoffs"]
    assert_refused(fmt, bad_truncated_file(fmt), params=MappingProxyType({"bad_rows": "quarantine"}))


@pytest.mark.parametrize("fmt_name", ["fred", "layoffs"])
def test_truncated_inside_quotes(fmt_name: str) -> None:
    """Cut inside a quoted last field: the field count is right, only the unclosed quote shows the cut."""
    fmt = FORMATS[fmt_name]
    rows = excerpt(fmt.target)
    last = rows[-1]
    # The last field was quoted and the download stopped inside it: the closing quote never came.
    content = to_csv(rows[:-1]) + to_csv([last[:-1]]).rstrip(b"\n") + b',"' + last[-1][: len(last[-1]) // 2].encode()
    with pytest.raises(PayloadError) as info:
        parse(fmt, content)
    assert info.value.line == line_of(rows, len(rows) - 1)
    assert "truncated" in info.value.problem


@pytest.mark.parametrize("fmt_name", formats_for("future_date"))
def test_future_date(fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    err = assert_refused(fmt, bad_future_date(fmt))
    assert "2026-11-01" in err.problem  # the retrieval date it is compared with


@pytest.mark.parametrize("fmt_name", ["yahoo_close", "fred", "indeed_aggregate", "fmp_fundamentals"])
def test_future_date_allows_one_day_of_time_zone_slack(fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    rows = excerpt(fmt.target)
    rows[fmt.bad_row][col(rows, fmt.date_col)] = "2026-11-02"  # the day after RETRIEVED
    if fmt.adapter == "fmp_csv":
        rows[fmt.bad_row][col(rows, "fillingDate")] = "2026-11-02"
    parse(fmt, to_csv(rows))  # accepted
    rows[fmt.bad_row][col(rows, fmt.date_col)] = "2026-11-03"
    assert_refused(fmt, Bad(to_csv(rows), line_of(rows, fmt.bad_row), "a date in the future"))


@pytest.mark.parametrize(
    "fmt_name", ["yahoo_close", "fred", "indeed_aggregate", "fmp_fundamentals", "layoffs", "epoch"]
)
def test_far_future_sentinel_date(fmt_name: str) -> None:
    """9999-12-31, a common "no end" sentinel, is a date in the future (pandas 3 keeps such years)."""
    fmt = FORMATS[fmt_name]
    rows = excerpt(fmt.target)
    rows[fmt.bad_row][col(rows, fmt.date_col)] = "12/31/9999" if fmt_name == "layoffs" else "9999-12-31"
    with pytest.raises(PayloadError) as info:
        parse(fmt, to_csv(rows))
    assert info.value.line == line_of(rows, fmt.bad_row)
    assert "a date in the future" in info.value.problem or "after the payload was retrieved" in info.value.problem


@pytest.mark.parametrize("fmt_name", ["yahoo_close", "fred", "indeed_aggregate", "fmp_fundamentals", "epoch"])
def test_typo_year_date(fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    rows = excerpt(fmt.target)
    rows[fmt.bad_row][col(rows, fmt.date_col)] = "0202-06-26"
    if fmt.adapter == "fmp_csv":
        rows[fmt.bad_row][col(rows, "fillingDate")] = "0202-07-26"
    with pytest.raises(PayloadError) as info:
        parse(fmt, to_csv(rows))
    assert info.value.line == line_of(rows, fmt.bad_row)


@pytest.mark.parametrize("fmt_name", formats_for("zero_price"))
def test_zero_price(fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    err = assert_refused(fmt, bad_zero_price(fmt))
    assert 'unit = "percent"' in err.hint  # tells a yield series what to do


@pytest.mark.parametrize("fmt_name", formats_for("negative_price"))
def test_negative_price(fmt_name: str) -> None:
    fmt = FORMATS[fmt_name]
    assert_refused(fmt, bad_negative_price(fmt))


@pytest.mark.parametrize("column", ["Open", "High", "Low"])
def test_negative_open_high_low_yahoo_history(column: str) -> None:
    fmt = FORMATS["yahoo_history"]
    rows = excerpt(fmt.target)
    rows[fmt.bad_row][col(rows, column)] = "-0.5"
    day = rows[fmt.bad_row][0][:10]
    assert_refused(fmt, Bad(to_csv(rows), line_of(rows, fmt.bad_row), f"price -0.5 on {day} is zero or negative"))


def test_zero_open_is_unrecorded_not_refused_yahoo_history() -> None:
    """Yahoo writes 0 for an open it never recorded: that value is skipped, the close still loads."""
    fmt = FORMATS["yahoo_history"]
    rows = excerpt(fmt.target)
    rows[fmt.bad_row][col(rows, "Open")] = "0.0"
    records = parse(fmt, to_csv(rows))
    day = records.frame[records.frame["_line"] == line_of(rows, fmt.bad_row)]
    assert set(day["field"]) == {"high", "low", "adj_close", "volume", "dividends", "split_ratio"}
    assert records.skipped_missing == 1


# --- yields: zero and negative values are refused for prices but allowed in percent -----------------


def irx_excerpt() -> list[list[str]]:
    """^IRX around March 2020, when the 13-week bill yield went to zero and below; one day set to 0."""
    rows = excerpt(SeriesDef("^IRX", "prices_adjclose/^IRX.csv", 30, "daily", "percent", skip=10910))
    rows[5][1] = "0.0"
    return rows


def test_zero_and_negative_yield_allowed_in_percent_yahoo_close() -> None:
    fmt = FORMATS["yahoo_close"]
    rows = irx_excerpt()
    assert any(float(r[1]) < 0 for r in rows[1:]), "the excerpt must hold the real negative yields"
    records = parse(fmt, to_csv(rows), id="^IRX", kind="macro", unit="percent")
    values = dict(zip(records.frame["obs_date"].astype(str), records.frame["value"]))
    assert len(values) == 30
    assert values[rows[5][0]] == 0.0
    assert values["2020-03-26"] == pytest.approx(-0.105, abs=1e-6)
    assert set(records.frame["unit"]) == {"percent"}


def test_zero_yield_refused_as_a_price_yahoo_close() -> None:
    fmt = FORMATS["yahoo_close"]
    rows = irx_excerpt()
    err = assert_refused(fmt, Bad(to_csv(rows), 6, "price 0.0 on 2020-03-"), unit="USD")
    assert 'give it unit = "percent"' in err.hint


# --- FRED: blank and "." are missing values, not errors -----------------------------------------------


def test_blank_and_dot_are_missing_fred() -> None:
    fmt = FORMATS["fred"]
    rows = excerpt(fmt.target)
    rows[3][1], rows[9][1], rows[12][1] = ".", "", " . "
    records = parse(fmt, to_csv(rows))
    assert records.skipped_missing == 3
    loaded = set(records.frame["_line"])
    assert loaded == set(range(2, 32)) - {4, 10, 13}
    assert not records.frame["value"].isna().any()


def test_real_holiday_blanks_are_missing_fred_vixcls() -> None:
    """VIXCLS leaves market holidays blank (e.g. 1990-02-19, line 36 of the real file)."""
    fmt = FORMATS["fred"]
    rows = excerpt(SeriesDef("VIXCLS", "fred/VIXCLS.csv", 40, "daily", "index_points"))
    assert rows[35] == ["1990-02-19", ""]
    records = parse(fmt, to_csv(rows), id="VIXCLS", unit="index_points")
    assert records.skipped_missing == 1
    assert date(1990, 2, 19) not in set(records.frame["obs_date"])
    assert len(records.frame) == 39


# --- layoffs quarantine ------------------------------------------------------------------------------


def quarantine_excerpt() -> tuple[list[list[str]], dict[int, str]]:
    """The databyab excerpt with three bad rows; returns the rows and {line: reason phrase}."""
    rows = excerpt(FORMATS["layoffs"].target)
    c = functools.partial(col, rows)
    rows[4][c("total_laid_off")] = "hundreds"
    rows[9][c("date")] = "13/45/2025"
    rows[15][c("company")] = "  "
    return rows, {5: "'hundreds'", 10: "'13/45/2025' is not a date", 16: "the company is blank"}


def test_quarantine_sets_bad_rows_aside_layoffs() -> None:
    fmt = FORMATS["layoffs"]
    rows, bad = quarantine_excerpt()
    records = parse(fmt, to_csv(rows), params=MappingProxyType({"bad_rows": "quarantine"}))
    assert [r.line for r in records.rejected] == sorted(bad)
    for r in records.rejected:
        assert bad[r.line] in r.reason
    assert records.rejected[0].content.startswith(rows[4][0] + ",")
    assert len(records.frame) == 27
    assert not set(records.frame["row_number"]) & set(bad)
    # Without quarantine the first bad row fails the payload.
    assert_refused(fmt, Bad(to_csv(rows), 5, "non-numeric value 'hundreds'"))


def test_quarantine_parses_numbers_like_refuse_mode_layoffs() -> None:
    fmt = FORMATS["layoffs"]
    rows = excerpt(fmt.target)
    c = functools.partial(col, rows)
    rows[4][c("total_laid_off")] = "hundreds"
    rows[5][c("total_laid_off")] = "inf"
    rows[6][c("total_laid_off")] = "1,200"
    records = parse(fmt, to_csv(rows), params=MappingProxyType({"bad_rows": "quarantine"}))
    assert [r.line for r in records.rejected] == [5, 6]
    assert records.frame.set_index("row_number").loc[7, "laid_off"] == 1200.0


def test_quarantine_typo_year_layoffs() -> None:
    """PROVENANCE.md mentions a layoffs row dated 0202-06-26: quarantine sets such a row aside."""
    fmt = FORMATS["layoffs"]
    rows = excerpt(fmt.target)
    rows[4][col(rows, "date")] = "6/26/0202"
    records = parse(fmt, to_csv(rows), params=MappingProxyType({"bad_rows": "quarantine"}))
    assert [(r.line, "before 2000-01-01" in r.reason) for r in records.rejected] == [(5, True)]


def test_quarantine_pipeline_layoffs(tmp_path: Path) -> None:
    """Quarantined rows land in meta.rejected_rows (and the published copy); the rest loads and publishes."""
    fmt = FORMATS["layoffs"]
    rows, bad = quarantine_excerpt()
    target = replace(fmt.target, params={"bad_rows": "quarantine"})
    catalog = write_catalog(tmp_path, replace(fmt, target=target), to_csv(rows), to_csv(excerpt(fmt.good)))
    settings = settings_for(tmp_path)
    report = run_job(settings, str(catalog))
    assert report.ingest.failed == []
    outcome = {o.series_id: o for o in report.ingest.outcomes}[target.id]
    assert (outcome.status, outcome.rows_added, outcome.rows_rejected) == ("ok", 27, 3)
    with duckdb.connect(str(settings.pipeline_db), read_only=True) as con:
        loaded = con.execute(
            "SELECT row_number FROM raw.layoff_events WHERE series_id = ? ORDER BY row_number", [target.id]
        ).fetchall()
        assert [r[0] for r in loaded] == [n for n in range(2, 32) if n not in bad]
    with duckdb.connect(str(settings.analytics_db), read_only=True) as con:
        rejected = con.execute(
            "SELECT line, reason, origin FROM meta.rejected_rows WHERE series_id = ? ORDER BY line", [target.id]
        ).fetchall()
        events = con.execute("SELECT sum(events) FROM marts.layoffs_monthly WHERE series_id = ?", [target.id])
        assert events.fetchall()[0][0] == 27
    assert [r[0] for r in rejected] == sorted(bad)
    assert all(bad[line] in reason for line, reason, _ in rejected)
    assert {r[2] for r in rejected} == {str(tmp_path / "files" / "target.csv")}


def test_corrected_quarantined_file_reaches_the_marts_layoffs(tmp_path: Path) -> None:
    """The quarantine hint says: correct the rows and ingest again. The correction must never be dropped
    silently: re-ingesting it with the same retrieved_at either loads it (and the marts show it) or is
    refused with a clear error (and the marts keep the old version); with a new retrieved_at it loads."""
    fmt = FORMATS["layoffs"]
    rows, _ = quarantine_excerpt()
    fmt = replace(fmt, target=replace(fmt.target, params={"bad_rows": "quarantine"}))
    good = to_csv(excerpt(fmt.good))
    catalog = str(write_catalog(tmp_path, fmt, to_csv(rows), good, retrieved_at=BASELINE_RETRIEVED))
    settings = settings_for(tmp_path)

    def events() -> int:
        with duckdb.connect(str(settings.analytics_db), read_only=True) as con:
            sql = "SELECT sum(events) FROM marts.layoffs_monthly WHERE series_id = ?"
            return con.execute(sql, [fmt.target.id]).fetchall()[0][0]

    run_job(settings, catalog)
    assert events() == 27
    corrected = to_csv(excerpt(fmt.target))
    write_catalog(tmp_path, fmt, corrected, good, retrieved_at=BASELINE_RETRIEVED)
    outcome = {o.series_id: o for o in run_job(settings, catalog).ingest.outcomes}[fmt.target.id]
    if outcome.status == "failed":
        assert outcome.error.startswith(f"{tmp_path / 'files' / 'target.csv'}, series {fmt.target.id}: ")
        assert "retrieved_at" in outcome.error  # says what to change
        assert events() == 27
    else:
        assert (outcome.status, outcome.rows_added, outcome.rows_rejected) == ("ok", 30, 0)
        assert events() == 30
    write_catalog(tmp_path, fmt, corrected, good, retrieved_at=NEXT_RETRIEVED)
    outcome = {o.series_id: o for o in run_job(settings, catalog).ingest.outcomes}[fmt.target.id]
    assert (outcome.status, outcome.rows_rejected) == ("ok", 0)
    assert events() == 30


# --------------------------------------------------------------------------------------------------
# Pipeline level: a good run, then the bad file; raw and the published marts must not move
# --------------------------------------------------------------------------------------------------


def toml_value(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise TypeError(value)


def toml_key(key: str) -> str:
    return key if key.replace("_", "").isalnum() else toml_value(key)


def write_catalog(
    root: Path, fmt: Fmt, target: bytes, good: bytes | None, retrieved_at: str | None = None
) -> Path:
    """Write the files and a catalog (root = "catalog") declaring the good series (unless None), then the target."""
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    (files / "target.csv").write_bytes(target)
    entries = [(fmt.target, "files/target.csv")]
    if good is not None:
        (files / "good.csv").write_bytes(good)
        entries.insert(0, (fmt.good, "files/good.csv"))
    parts = ['[catalog]\nname = "bad-inputs"\nroot = "catalog"\n']
    for series, path in entries:
        parts.append(
            "[[series]]\n"
            f"id = {toml_value(series.id)}\n"
            + (f"ticker = {toml_value(series.ticker)}\n" if series.ticker else "")
            + f'kind = "{fmt.kind}"\nfrequency = "{series.frequency}"\nadapter = "{fmt.adapter}"\n'
            f"unit = {toml_value(series.unit)}\n"
            + (f"params = {toml_value(series.params)}\n" if series.params else "")
            + f'payloads = [{{ path = "{path}"'
            + (f', retrieved_at = "{retrieved_at}"' if retrieved_at else "")
            + " }]\n"
        )
    catalog = root / "catalog.toml"
    catalog.write_text("\n".join(parts), encoding="utf-8")
    return catalog


def settings_for(root: Path) -> Settings:
    return load_settings({}).with_(home=root / "home")


def rows_digest(
    con: duckdb.DuckDBPyConnection, sql: str, params: list, *, aggregated: bool = False
) -> tuple[int, str]:
    """Row count and a hash of the ordered rows.

    Marts hold averages and sums; DuckDB may add the same values in another order from one build to the
    next, which moves the last bit of a double. For marts (``aggregated``) doubles are compared to 12
    significant digits; raw rows are compared exactly.
    """
    rows = con.execute(sql, params).fetchall()
    if aggregated:
        rows = [tuple(f"{v:.12g}" if isinstance(v, float) else v for v in row) for row in rows]
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


@dataclass(frozen=True)
class State:
    """(row count, hash) of what the databases hold for the two series."""

    raw_target: tuple[int, str]
    raw_good: tuple[int, str]
    batches_target: int
    mart_target: tuple[int, str] | None = None  # from analytics.duckdb, when asked for
    mart_good: tuple[int, str] | None = None
    series_target: tuple[int, str] | None = None


def state(settings: Settings, fmt: Fmt, *, marts: bool = True) -> State:
    raw_sql = f"SELECT * FROM {fmt.raw_table} WHERE series_id = ? ORDER BY ALL"
    with duckdb.connect(str(settings.pipeline_db), read_only=True) as con:
        raw_target = rows_digest(con, raw_sql, [fmt.target.id])
        raw_good = rows_digest(con, raw_sql, [fmt.good.id])
        batches = con.execute("SELECT count(*) FROM meta.load_batches WHERE series_id = ?", [fmt.target.id])
        batches_target = batches.fetchall()[0][0]
    if not marts:
        return State(raw_target, raw_good, batches_target)
    with duckdb.connect(str(settings.analytics_db), read_only=True) as con:
        table, key = fmt.mart
        mart_sql = f"SELECT * FROM {table} WHERE {key} = ? ORDER BY ALL"
        target_key = fmt.target.key if key == "ticker" else fmt.target.id
        good_key = fmt.good.key if key == "ticker" else fmt.good.id
        mart_target = rows_digest(con, mart_sql, [target_key], aggregated=True)
        mart_good = rows_digest(con, mart_sql, [good_key], aggregated=True)
        series_sql = "SELECT * FROM marts.series WHERE series_id = ?"
        series_target = rows_digest(con, series_sql, [fmt.target.id], aggregated=True)
    return State(raw_target, raw_good, batches_target, mart_target, mart_good, series_target)


# Pinned retrieval times: two vintages a day apart, so "the latest payload" never depends on a tie.
BASELINE_RETRIEVED = "2026-11-01T09:30:00"
NEXT_RETRIEVED = "2026-11-02T09:30:00"


@pytest.fixture(scope="module")
def baselines(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], tuple[Path, State]]:
    """Per format, a folder with catalog, good files and a home after one good run_job, and its State.

    Built once per format; each test copies the folder (the copy's State is the baseline's).
    """
    built: dict[str, tuple[Path, State]] = {}

    def get(fmt_name: str) -> tuple[Path, State]:
        if fmt_name not in built:
            fmt = FORMATS[fmt_name]
            root = tmp_path_factory.mktemp(f"baseline-{fmt_name}")
            catalog = write_catalog(
                root, fmt, to_csv(excerpt(fmt.target)), to_csv(excerpt(fmt.good)), retrieved_at=BASELINE_RETRIEVED
            )
            report = run_job(settings_for(root), str(catalog))
            assert report.ingest.failed == [], [o.error for o in report.ingest.failed]
            assert {o.status for o in report.ingest.outcomes} == {"ok"}
            before = state(settings_for(root), fmt)
            assert before.raw_target[0] > 0 and before.mart_target[0] > 0, "the baseline must hold the target"
            built[fmt_name] = root, before
        return built[fmt_name]

    return get


def check_pipeline(case: str, fmt_name: str, baselines, tmp_path: Path) -> None:
    fmt = FORMATS[fmt_name]
    work = tmp_path / "w"
    baseline, before = baselines(fmt_name)
    shutil.copytree(baseline, work)
    settings = settings_for(work)
    catalog = str(work / "catalog.toml")
    target_path = work / "files" / "target.csv"

    # A new download of both files, a day later: the target's is bad; the other series' has ten more rows
    # and must still load.
    bad = CASES[case][0](fmt)
    write_catalog(work, fmt, bad.content, to_csv(excerpt(fmt.good, extra=10)), retrieved_at=NEXT_RETRIEVED)

    def check_failure(report) -> str:
        assert [o.series_id for o in report.failed] == [fmt.target.id]
        error = report.failed[0].error
        assert error.startswith(f"{target_path}, series {fmt.target.id}")
        if bad.line is None:
            assert ", line " not in error.split(": ")[0]
        else:
            assert f", series {fmt.target.id}, line {bad.line}: " in error
        assert bad.phrase in error
        assert "To fix: " in error
        return error

    report = ingest_job(settings, catalog)
    error = check_failure(report)
    good = {o.series_id: o for o in report.outcomes}[fmt.good.id]
    assert good.status == "ok" and good.rows_added > 0 and good.error is None

    after_ingest = state(settings, fmt, marts=False)
    assert after_ingest.raw_target == before.raw_target
    assert after_ingest.batches_target == before.batches_target
    assert after_ingest.raw_good[0] > before.raw_good[0]
    with duckdb.connect(str(settings.pipeline_db), read_only=True) as con:
        attempts = con.execute(
            "SELECT status, rows_added, error FROM meta.ingest_attempts WHERE series_id = ? ORDER BY attempted_at",
            [fmt.target.id],
        ).fetchall()
    assert attempts[-1] == ("failed", 0, error)

    run = run_job(settings, catalog)
    assert check_failure(run.ingest) == error
    assert {o.series_id: o.status for o in run.ingest.outcomes}[fmt.good.id] == "unchanged"
    after_run = state(settings, fmt)
    assert after_run.raw_target == before.raw_target
    assert after_run.batches_target == before.batches_target
    assert after_run.mart_target == before.mart_target
    assert after_run.series_target == before.series_target
    assert after_run.mart_good != before.mart_good, "the good series' new rows were published"
    with duckdb.connect(str(settings.analytics_db), read_only=True) as con:
        published = con.execute(
            "SELECT status, error FROM meta.ingest_attempts WHERE run_id = ? AND series_id = ?",
            [run.run_id, fmt.target.id],
        ).fetchall()
        run_row = con.execute("SELECT status, message FROM meta.runs WHERE run_id = ?", [run.run_id]).fetchall()
    assert published == [("failed", error)]
    assert run_row[0][0] == "failed" and error in run_row[0][1]


@pytest.mark.parametrize(("case", "fmt_name"),
                         [(case, fmt) for case in CASES for fmt in formats_for(case, pipeline=True)])
def test_bad_payload_through_the_pipeline(case: str, fmt_name: str, baselines, tmp_path: Path) -> None:
    check_pipeline(case, fmt_name, baselines, tmp_path)


def test_bad_second_payload_never_lands_yahoo(tmp_path: Path) -> None:
    """A series with two payloads, the second bad: that payload adds nothing; any other lands whole or not at all."""
    close = excerpt(FORMATS["yahoo_close"].target)
    history = excerpt(FORMATS["yahoo_history"].target)
    history[BAD_ROW][col(history, "Volume")] = "lots"
    files = tmp_path / "files"
    files.mkdir()
    (files / "close.csv").write_bytes(to_csv(close))
    (files / "history.csv").write_bytes(to_csv(history))
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(
        '[catalog]\nname = "two-payloads"\nroot = "catalog"\n\n[[series]]\nid = "NVDA"\nkind = "price"\n'
        'frequency = "daily"\nadapter = "yahoo_csv"\nunit = "USD"\n'
        'payloads = [{ path = "files/close.csv" }, { path = "files/history.csv" }]\n',
        encoding="utf-8",
    )
    settings = settings_for(tmp_path)
    report = run_job(settings, str(catalog))
    assert [o.series_id for o in report.ingest.failed] == ["NVDA"]
    error = report.ingest.failed[0].error
    assert error.startswith(f"{files / 'history.csv'}, series NVDA, line {BAD_ROW + 1}: ")
    assert "column 'Volume' has a non-numeric value 'lots'" in error
    with duckdb.connect(str(settings.pipeline_db), read_only=True) as con:
        origins = con.execute("SELECT origin, rows_added FROM meta.load_batches WHERE series_id = 'NVDA'").fetchall()
        fields = con.execute(
            "SELECT field, count(*) FROM raw.observations WHERE series_id = 'NVDA' GROUP BY field"
        ).fetchall()
    assert str(files / "history.csv") not in {o for o, _ in origins}
    # Only the good payload may have landed, and then whole: 30 adjusted closes, nothing from the bad file.
    assert dict(fields) in ({}, {"adj_close": 30})
    assert origins in ([], [(str(files / "close.csv"), 30)])


def test_yield_series_reach_macro_monthly_pipeline(tmp_path: Path) -> None:
    fmt = FORMATS["yahoo_close"]
    irx = SeriesDef("^IRX", "prices_adjclose/^IRX.csv", 30, "daily", "percent")
    catalog = write_catalog(tmp_path, replace(fmt, kind="macro", target=irx), to_csv(irx_excerpt()), None)
    settings = settings_for(tmp_path)
    report = run_job(settings, str(catalog))
    assert report.ingest.failed == []
    with duckdb.connect(str(settings.analytics_db), read_only=True) as con:
        months = con.execute(
            "SELECT month, n_obs FROM marts.macro_monthly WHERE series_id = '^IRX' ORDER BY month"
        ).fetchall()
    assert sum(n for _, n in months) == 30


def test_zero_yield_loads_in_percent_pipeline(tmp_path: Path) -> None:
    """^IRX at zero and below loads as a percent series; the same file as a USD price series is refused."""
    fmt = FORMATS["yahoo_close"]
    irx = SeriesDef("^IRX", "prices_adjclose/^IRX.csv", 30, "daily", "percent")
    as_price = SeriesDef("IRX_AS_PRICE", "prices_adjclose/^IRX.csv", 30, "daily", "USD")
    content = to_csv(irx_excerpt())
    catalog = write_catalog(tmp_path, replace(fmt, kind="macro", target=as_price, good=irx), content, content)
    settings = settings_for(tmp_path)
    report = run_job(settings, str(catalog))
    assert [o.series_id for o in report.ingest.failed] == ["IRX_AS_PRICE"]
    assert "line 6: price 0.0 on" in report.ingest.failed[0].error
    with duckdb.connect(str(settings.pipeline_db), read_only=True) as con:
        loaded = con.execute(
            "SELECT count(*), min(value), count(*) FILTER (WHERE value = 0), any_value(unit) "
            "FROM raw.observations WHERE series_id = '^IRX'"
        ).fetchall()[0]
        refused = con.execute("SELECT count(*) FROM raw.observations WHERE series_id = 'IRX_AS_PRICE'").fetchall()
    assert loaded == (30, pytest.approx(-0.105, abs=1e-6), 1, "percent")
    assert refused == [(0,)]


def test_percentage_above_one_pipeline_layoffs(baselines, tmp_path: Path) -> None:
    """15 meaning 15% (the file wants 0.15) is refused at ingest; accepted, it would fail every later build."""
    fmt = FORMATS["layoffs"]
    work = tmp_path / "w"
    baseline, before = baselines("layoffs")
    shutil.copytree(baseline, work)
    settings = settings_for(work)
    rows = excerpt(fmt.target)
    rows[4][col(rows, "percentage_laid_off")] = "15"
    (work / "files" / "target.csv").write_bytes(to_csv(rows))
    report = run_job(settings, str(work / "catalog.toml"))
    assert [o.series_id for o in report.ingest.failed] == [fmt.target.id]
    assert ", line 5: " in report.ingest.failed[0].error
    assert "percentage_laid_off '15' is above 1" in report.ingest.failed[0].error
    assert state(settings, fmt).raw_target == before.raw_target


# --------------------------------------------------------------------------------------------------
# Property: random bytes and random mutations give records or PayloadError, nothing else
# --------------------------------------------------------------------------------------------------

PROPERTY_SETTINGS = hsettings(
    max_examples=100,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# Dates far outside pandas' nanosecond range and typo years are in the generators too: they once crashed.
JUNK_CELLS = [
    "", ".", "NaN", "inf", "-inf", "1e999", "-1", "0", "1,000", "12.5.3", "abc", '"', '""', "\x00", "<html>",
    "2099-01-05", "1/5/2099", "2020-02-30", "13/45/2025", "Q9", "usd", " ", "\t", "é", "\u2028", "3 000",
    "0202-06-26", "9999-12-31", "6/26/0202", "4,07", "2015-01-02junk",
]  # fmt: skip


def parse_or_refuse(fmt: Fmt, content: bytes, quarantine: bool = False) -> None:
    params = dict(fmt.target.params)
    if quarantine:
        params["bad_rows"] = "quarantine"
    try:
        records = parse(fmt, content, params=MappingProxyType(params))
    except PayloadError as err:
        event(f"refused: {err.problem[:25]}")
        assert err.series_id == fmt.target.id and err.origin == "/incoming/target.csv"
        # csv ends a line at \n, \r or \r\n: the line named must exist.
        assert err.line is None or 1 <= err.line <= content.count(b"\n") + content.count(b"\r") + 1, str(err)
        return
    event("records")
    assert isinstance(records, Records)
    assert records.record_type == ADAPTERS[fmt.adapter].record_type
    if records.record_type == "observations":
        assert not records.frame["value"].isna().any()


# Text that looks like CSV, so that random input gets past decoding and into the row checks.
CSV_TEXT = st.text(alphabet=st.sampled_from(list('0123456789,,,..--/:+"\n\r\t eEQUSDnaNinf')), min_size=1, max_size=40)


@st.composite
def mutated(draw, fmt_name: str) -> bytes:
    fmt = FORMATS[fmt_name]
    rows = excerpt(fmt.target)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["cell", "cell_text", "drop_row", "dup_row", "swap", "drop_col", "header"]))
        i = draw(st.integers(1, len(rows) - 1))
        if op in {"cell", "cell_text"}:
            j = draw(st.integers(0, len(rows[i]) - 1))
            rows[i][j] = draw(st.sampled_from(JUNK_CELLS) if op == "cell" else st.text(max_size=12))
        elif op == "drop_row" and len(rows) > 2:
            del rows[i]
        elif op == "dup_row":
            rows.insert(i, list(rows[i]))
        elif op == "swap":
            k = draw(st.integers(1, len(rows) - 1))
            rows[i], rows[k] = rows[k], rows[i]
        elif op == "drop_col" and len(rows[0]) > 1:
            j = draw(st.integers(0, len(rows[0]) - 1))
            rows = [r[:j] + r[j + 1 :] for r in rows]
        elif op == "header":
            j = draw(st.integers(0, len(rows[0]) - 1))
            name = draw(st.sampled_from(["", " Date ", "date", "value", "Close", "x", rows[0][j].upper()]))
            rows[0][j] = name  # may repeat another column's name: refused, see test_duplicate_column_name
    content = to_csv(rows)
    # Then maybe damage the bytes themselves: cut, insert or overwrite.
    byte_op = draw(st.sampled_from(["none", "none", "cut", "insert", "insert", "overwrite"]))
    at = draw(st.integers(0, len(content)))
    if byte_op == "cut":
        content = content[:at]
    elif byte_op == "insert":
        content = content[:at] + draw(CSV_TEXT.map(str.encode)) + content[at:]
    elif byte_op == "overwrite":
        content = content[:at] + draw(st.binary(min_size=1, max_size=4)) + content[at + 4 :]
    return content


@pytest.mark.parametrize("fmt_name", list(FORMATS))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_random_bytes_give_records_or_payload_error(fmt_name: str, data) -> None:
    fmt = FORMATS[fmt_name]
    header = to_csv(excerpt(fmt.target)[:1])
    content = data.draw(
        st.one_of(
            st.binary(max_size=300),
            st.text(max_size=200).map(str.encode),
            st.binary(max_size=300).map(lambda b: header + b),
            st.lists(CSV_TEXT, max_size=8).map(lambda parts: header + "".join(parts).encode()),
        )
    )
    parse_or_refuse(fmt, content)


@pytest.mark.parametrize("fmt_name", list(FORMATS))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_mutated_csv_gives_records_or_payload_error(fmt_name: str, data) -> None:
    fmt = FORMATS[fmt_name]
    content = data.draw(mutated(fmt_name))
    parse_or_refuse(fmt, content, quarantine=fmt.adapter == "layoffs_csv" and data.draw(st.booleans()))
