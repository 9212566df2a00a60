"""Epoch AI's "AI Companies" tables (CC BY 4.0): AI labs' revenue reports and funding rounds.

Two tables, one catalog entry each (``params.table``):

* ``revenue_reports`` -- ``Company,Date,Revenue amount (normalize to annual)`` (the export leaves three
  unnamed, empty columns after them). One observation per report: entity = company, obs_date = the
  report date, field ``annualised_revenue`` (USD), published_at = the report date.
* ``funding_rounds`` -- ``Id,Company,Close date,Status,Funding (equity),Funding (debt),Valuation
  (post-money),Report date,Notes,Type,Confidence,Exclude from graph view``, Notes quoted over many lines.
  One entity per round, ``<Company> | <Id>``, dated by its close date or, for a round not closed (no close
  date), by its report date; fields ``equity_usd``, ``debt_usd``, ``valuation_post_usd`` where given, and
  the flags ``status_closed``, ``date_is_report``, ``excluded_from_graph`` (1.0 / 0.0) on every round.
  published_at = the report date, or the close date when no report date is given.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from warehouse.sources.base import Adapter, Payload, Records, RejectedRow
from warehouse.sources.csvtools import EARLIEST_DATE, is_missing, numbers_and_bad, read_table, to_dates

REVENUE_COLUMNS = ("Company", "Date", "Revenue amount (normalize to annual)")
FUNDING_COLUMNS = (
    "Id",
    "Company",
    "Close date",
    "Status",
    "Funding (equity)",
    "Funding (debt)",
    "Valuation (post-money)",
    "Report date",
    "Notes",
    "Type",
    "Confidence",
    "Exclude from graph view",
)
TABLES = {"revenue_reports": REVENUE_COLUMNS, "funding_rounds": FUNDING_COLUMNS}

# Every Status the file uses, mapped explicitly: anything else is a bad row, never a guess.
STATUS_CLOSED = {"closed": 1.0, "late discussions": 0.0}
# "Exclude from graph view": TRUE on the rows Epoch leaves out of its charts (e.g. a round entered twice).
EXCLUDE_FLAGS = {"": 0.0, "true": 1.0, "false": 0.0}
MONEY_FIELDS = {"Funding (equity)": "equity_usd", "Funding (debt)": "debt_usd",
                "Valuation (post-money)": "valuation_post_usd"}
DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")
_HINT = 'correct the row, or set params.bad_rows = "quarantine" to set bad rows aside'


class EpochAiCompanies(Adapter):
    name = "epoch_ai_companies"
    about = (
        "Epoch AI's AI Companies data (CC BY 4.0, cite Epoch AI): params.table = 'revenue_reports' gives each "
        "lab's annualised revenue by report date (field annualised_revenue, USD); 'funding_rounds' gives each "
        "round (entity '<Company> | <Id>') with equity_usd, debt_usd, valuation_post_usd where stated and the "
        "flags status_closed, date_is_report, excluded_from_graph. The revenue table has no column saying "
        "what a figure measures (run rate, a year's revenue, one product): rows are loaded as given."
    )
    params_doc = {
        "table": "which table the file is: 'revenue_reports' or 'funding_rounds' (required; a file whose "
        "header is not that table's is refused)",
        "bad_rows": "'refuse' (default) fails the payload on a bad row; 'quarantine' sets such rows aside in "
        "meta.rejected_rows and loads the rest",
    }

    def parse(self, payload: Payload) -> Records:
        params = payload.query.params
        table = params.get("table")
        if table not in TABLES:
            raise payload.error(
                f"params.table is {table!r}, not one of {sorted(TABLES)}",
                hint="set params.table in the catalog to the table this file holds",
            )
        bad_rows = str(params.get("bad_rows", "refuse"))
        if bad_rows not in ("refuse", "quarantine"):
            raise payload.error(f"params.bad_rows is {bad_rows!r}, not 'refuse' or 'quarantine'",
                                hint="set params.bad_rows to one of those")
        frame = _read(payload, table)
        rows = _Rows(payload, frame)
        if table == "revenue_reports":
            records = _revenue(rows)
        else:
            records = _funding(rows)
        return rows.finish(records, quarantine=bad_rows == "quarantine")


def _read(payload: Payload, table: str):
    frame = read_table(payload, drop_empty_unnamed=True)
    header = [c for c in frame.columns if c != "_line"]
    expected = TABLES[table]
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing or extra:
        problem = f"the header does not match Epoch's {table} table: "
        problem += "; ".join(part for part in (
            f"missing column(s) {', '.join(repr(c) for c in missing)}" if missing else "",
            f"unexpected column(s) {', '.join(repr(c) for c in extra)}" if extra else "",
        ) if part)
        other = [name for name, cols in TABLES.items() if name != table and set(cols) <= set(header)]
        hint = (f"this looks like the {other[0]} table: set params.table = \"{other[0]}\" in the catalog"
                if other else "check that the catalog points this entry at the right Epoch AI Companies file")
        raise payload.error(f"{problem}; the header has {header}", line=1, hint=hint)
    return frame


class _Rows:
    """The rows of one payload and what is wrong with each: refused at once, or set aside (quarantine)."""

    def __init__(self, payload: Payload, frame: pd.DataFrame):
        self.payload = payload
        self.frame = frame
        self.lines = frame["_line"].astype("int64")
        # row index -> (reason, the line an error names)
        self.problems: dict[int, tuple[str, int]] = {}

    def bad(self, i, reason: str, line: int | None = None) -> None:
        if i not in self.problems:
            self.problems[i] = (reason, int(line if line is not None else self.lines[i]))

    def ok(self) -> pd.Series:
        return ~self.frame.index.isin(list(self.problems))

    def text(self, column: str) -> pd.Series:
        values = self.frame[column].astype(str).str.strip()
        return values.where(~is_missing(self.frame[column]), "")

    def dates(self, column: str, *, required: bool) -> pd.Series:
        """Dates (M/D/YYYY or ISO) or None where blank; unparseable, too early or future dates are bad rows."""
        raw = self.text(column)
        parsed = to_dates(raw, DATE_FORMATS)
        limit = self.payload.retrieved_at.date() + timedelta(days=1)
        for i in raw.index:
            if not raw[i]:
                if required:
                    self.bad(i, f"column {column!r} is blank")
            elif pd.isna(parsed[i]):
                self.bad(i, f"column {column!r} has {raw[i]!r}, which is not a date")
            elif parsed[i] < pd.Timestamp(EARLIEST_DATE):
                self.bad(i, f"column {column!r} has {raw[i]!r}, before {EARLIEST_DATE} (a typo in the year?)")
            elif parsed[i].date() > limit:
                self.bad(i, f"column {column!r} has {parsed[i].date()}, after the payload was retrieved "
                            f"({self.payload.retrieved_at:%Y-%m-%d}): a date in the future")
        return pd.Series([d.date() if not pd.isna(d) else None for d in parsed], index=raw.index, dtype=object)

    def amounts(self, column: str, *, required: bool, positive: bool = False) -> pd.Series:
        """Non-negative floats (2E+11 and 1,200 read); NaN where blank; anything else is a bad row."""
        numbers, unparsed = numbers_and_bad(self.frame[column])
        for i in self.frame.index:
            raw = str(self.frame[column][i]).strip()
            if unparsed[i]:
                self.bad(i, f"column {column!r} has a non-numeric amount {raw!r}")
            elif pd.isna(numbers[i]):
                if required:
                    self.bad(i, f"column {column!r} is blank")
            elif numbers[i] < 0:
                self.bad(i, f"column {column!r} has {raw!r}, which is negative")
            elif positive and numbers[i] == 0:
                self.bad(i, f"column {column!r} has {raw!r}, which is zero")
        return numbers

    def conflicts(self, key: pd.Series, what, shown: str | None = None, content: pd.Series | None = None) -> pd.Series:
        """Rows whose key repeats an earlier row's: the same ``content`` (default: the whole row) is dropped as a
        repeat, different content makes every row of the key a bad row. Returns the mask of repeats to drop.
        """
        if content is None:
            content = self.frame.drop(columns="_line").astype(str).agg("\x1f".join, axis=1)
        repeat = pd.Series(False, index=self.frame.index)
        ok = self.ok()
        for _, group in key[ok].groupby(key[ok], sort=False):
            if len(group) < 2:
                continue
            index = list(group.index)
            if content[index].nunique() == 1:
                repeat[index[1:]] = True
                continue
            lines = ", ".join(str(self.lines[i]) for i in index)
            values = f" {[str(self.frame[shown][i]).strip() for i in index]}" if shown else ""
            for i in index:
                self.bad(i, f"{what(index[0])} appears on lines {lines} with different values{values}",
                         line=self.lines[index[1]])
        return repeat

    def finish(self, records: pd.DataFrame, *, quarantine: bool) -> Records:
        if self.problems and not quarantine:
            reason, line = min(self.problems.values(), key=lambda p: p[1])
            raise self.payload.error(reason, line=line, hint=_HINT)
        rejected = tuple(
            RejectedRow(int(self.lines[i]), reason, ",".join(str(v) for v in self.frame.loc[i].drop("_line")))
            for i, (reason, _) in sorted(self.problems.items(), key=lambda p: self.lines[p[0]])
        )
        records = records[~records["_row"].isin(list(self.problems))].drop(columns="_row").reset_index(drop=True)
        if records.empty:
            raise self.payload.error("no usable rows: every row was bad")
        return Records("observations", records, rejected=rejected)


def _revenue(rows: _Rows) -> pd.DataFrame:
    company = rows.text("Company")
    for i in company.index[company == ""]:
        rows.bad(i, "the company is blank")
    dates = rows.dates("Date", required=True)
    amounts = rows.amounts("Revenue amount (normalize to annual)", required=True)
    key = company + " | " + dates.astype(str)
    repeat = rows.conflicts(key, lambda i: f"{company[i]} on {dates[i]}", "Revenue amount (normalize to annual)",
                            content=amounts.astype(str))
    keep = ~repeat
    return pd.DataFrame({
        "entity": company[keep],
        "obs_date": dates[keep],
        "field": "annualised_revenue",
        "value": amounts[keep],
        "unit": "USD",
        "published_at": dates[keep],  # the date a figure became public: the table gives no other
        "_line": rows.lines[keep],
        "_row": company.index[keep],
    })


def _funding(rows: _Rows) -> pd.DataFrame:
    round_id = rows.text("Id")
    company = rows.text("Company")
    for i in rows.frame.index:
        if not company[i]:
            rows.bad(i, "the company is blank")
        elif not round_id[i]:
            rows.bad(i, f"the Id of a {company[i]} round is blank")
    close = rows.dates("Close date", required=False)
    report = rows.dates("Report date", required=False)
    undated = (rows.text("Close date") == "") & (rows.text("Report date") == "")
    for i in rows.frame.index[undated]:
        rows.bad(i, f"round {round_id[i]!r} has neither a close date nor a report date")
    status = rows.text("Status")
    closed = status.str.lower().map(STATUS_CLOSED)
    known = " or ".join(repr(s.capitalize()) for s in STATUS_CLOSED)
    for i in status.index[closed.isna()]:
        rows.bad(i, f"Status {status[i]!r} is not one the adapter maps ({known}); "
                    "add it to STATUS_CLOSED in warehouse/sources/epoch_ai_companies.py if it is real")
    flag = rows.text("Exclude from graph view")
    excluded = flag.str.lower().map(EXCLUDE_FLAGS)
    for i in flag.index[excluded.isna()]:
        rows.bad(i, f"'Exclude from graph view' is {flag[i]!r}, not TRUE, FALSE or blank")
    money = {name: rows.amounts(column, required=False, positive=name == "valuation_post_usd")
             for column, name in MONEY_FIELDS.items()}
    entity = company + " | " + round_id
    repeat = rows.conflicts(entity, lambda i: f"round {entity[i]!r}")

    obs_date = close.where(close.notna(), report)
    published = report.where(report.notna(), close)
    by_report = close.isna().astype("float64")
    fields = {**money, "status_closed": closed, "date_is_report": by_report, "excluded_from_graph": excluded}
    parts = []
    for name, values in fields.items():
        part = pd.DataFrame({
            "entity": entity,
            "obs_date": obs_date,
            "field": name,
            "value": pd.to_numeric(values, errors="coerce").astype("float64"),
            "unit": "USD" if name.endswith("_usd") else "flag",
            "published_at": published,
            "_line": rows.lines,
            "_row": rows.frame.index,
        })
        parts.append(part[part["value"].notna() & ~repeat])
    return pd.concat(parts, ignore_index=True)
