"""ConceptStocks income file: quarterly revenue, capex and RPO of 22 tickers, SEC rows first, AlphaVantage after.

``raw_conceptstock_company_income.csv`` (wenchiehlee-investment/ConceptStocks) holds, per ticker, two kinds
of rows for the same quarters:

* ``source = SEC`` (``SEC_6K`` for TSM): the true fiscal period end, revenue, cash capex (purchases of
  property and equipment) and remaining performance obligations (RPO); 10-Q quarters only, so no fiscal
  fourth quarter, plus one FY row per fiscal year.
* ``source = AlphaVantage``: revenue with *calendarised* end dates and labels (NVIDIA's quarter to
  2025-07-27 is "2025-07-31 Q3 2025"), no capex.

One observation per fiscal quarter comes out, dated at the quarter's period end:

* a quarter SEC has a row for is SEC's; an AlphaVantage row whose end date is within 20 days of it is the
  same quarter and only fills SEC's revenue if SEC left it blank (or it was set aside, below);
* a quarter only AlphaVantage has keeps AlphaVantage's calendarised date, with
  ``period_end_calendarised = 1``, and gives revenue only;
* the fiscal fourth quarter is dated at the SEC FY row's period end. Its capex is FY capex minus the
  SEC Q1-Q3 capex of the same fiscal year, when all three are there. Its revenue is a Q4 row's (an
  SEC Q4 row, else the AlphaVantage row within 20 days of the fiscal year end); only when neither source
  has one is it FY revenue minus the three quarters' revenue (again only with all three). RPO, a
  balance, is the FY row's year-end figure.

Fiscal years and quarters are SEC's labels, worked out for every row from its period end and the
ticker's fiscal calendar (the month its fiscal year ends, read off the FY rows), because AlphaVantage's
labels are calendar quarters.

The file is known to carry stale values (XBRL facts read from a prior-period context). These are set
aside, each with a reason in ``Records.rejected`` (meta.rejected_rows), rather than loaded:

* an SEC row whose fiscal label does not fit its period end (e.g. MSFT "FY2024 Q3" ending 2023-03-31:
  the prior year's quarter filed again, RPO from another date);
* an SEC FY row whose capex or revenue repeats the previous fiscal year's FY figure exactly (ORCL
  FY2024 capex 8.695 bn = FY2023; DELL, HPE, MRVL, AAPL, AVGO): no fourth quarter is derived from it;
* an SEC quarter's capex or revenue that repeats the same quarter of the previous fiscal year exactly
  (GOOGL FY2024 Q2/Q3 capex) or a negative capex: that figure only, the rest of the row loads;
* a derived fourth-quarter capex or revenue that comes out negative;
* a row without a currency.

The file has no filing dates: ``published_at`` is left empty for the warehouse to impute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

import pandas as pd

from warehouse.sources.base import Adapter, Payload, Records, RejectedRow
from warehouse.sources.csvtools import (
    is_missing,
    long_frame,
    parse_dates,
    parse_numbers,
    read_table,
    refuse_conflicting_duplicates,
    refuse_future,
)

_REQUIRED = ("symbol", "fiscal_year", "end_date", "period", "total_revenue", "capex", "rpo", "currency", "source")
PRIMARY = ("SEC", "SEC_6K")
SECONDARY = ("AlphaVantage",)
PERIODS = ("Q1", "Q2", "Q3", "Q4", "FY")
SAME_QUARTER = timedelta(days=20)  # two end dates this close are the same quarter (52/53-week years, calendarised)
MONEY = ("revenue", "capex", "rpo")


def rows_for_symbol(payload: Payload, frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """The rows of one ticker of a multi-ticker file, or a refusal listing the tickers the file holds."""
    symbols = frame["symbol"].astype(str).str.strip()
    chosen = frame[symbols == symbol]
    if chosen.empty:
        found = sorted(s for s in symbols.unique() if s)
        raise payload.error(
            f"no rows for symbol {symbol!r}; the file holds {', '.join(found)}",
            hint="set params.symbol (or the series ticker) to one of those",
        )
    return chosen.reset_index(drop=True)


def row_text(rows: pd.DataFrame, i) -> str:
    return ",".join(str(v) for v in rows.loc[i].drop("_line"))


def integer_labels(payload: Payload, rows: pd.DataFrame, column: str) -> pd.Series:
    """A column of whole numbers (a fiscal year): a blank or a fraction is refused with its line."""
    values = parse_numbers(payload, rows, column)
    bad = values.isna() | (values % 1 != 0) | (values < 1900) | (values > 2200)
    if bad.any():
        i = bad.idxmax()
        raise payload.error(f"column {column!r} has {rows[column][i]!r}, which is not a fiscal year",
                            line=int(rows["_line"][i]))
    return values.astype(int)


def nominal_month_end(day: date) -> date:
    """The month end a 52/53-week period end stands for: Feb 2 -> Jan 31, Jan 25 -> Jan 31."""
    first = day.replace(day=1)
    if day.day <= 15:
        return first - timedelta(days=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return following - timedelta(days=1)


@dataclass(frozen=True)
class FiscalCalendar:
    """A ticker's fiscal calendar: the month its fiscal year ends and how years are named."""

    end_month: int  # 1..12
    offset: int = 0  # fiscal year label minus the calendar year in which that fiscal year ends

    def quarter_of(self, day: date) -> tuple[int, int] | None:
        """(fiscal year, fiscal quarter) a period ending on ``day`` is, or None if no quarter ends then."""
        n = nominal_month_end(day)
        months_to_year_end = (self.end_month - n.month) % 12
        if months_to_year_end % 3:
            return None
        year_end_year = n.year + (1 if n.month > self.end_month else 0)
        return year_end_year + self.offset, 4 - months_to_year_end // 3

    @classmethod
    def infer(cls, labelled: list[tuple[date, int, int]]) -> FiscalCalendar:
        """From (period end, fiscal year label, quarter) of rows whose labels are fiscal (FY and SEC rows).

        The most common (end month, naming offset) wins, so that a few mislabelled rows do not move it.
        Without any such row the fiscal year is taken to be the calendar year.
        """
        votes: dict[tuple[int, int], int] = {}
        for day, year, quarter in labelled:
            n = nominal_month_end(day)
            month = (n.month - 1 + 3 * (4 - quarter)) % 12 + 1
            year_end_year = n.year + (n.month - 1 + 3 * (4 - quarter)) // 12
            key = (month, year - year_end_year)
            votes[key] = votes.get(key, 0) + 1
        if not votes:
            return cls(12, 0)
        (month, offset), _ = max(votes.items(), key=lambda kv: (kv[1], -abs(kv[0][1])))
        return cls(month, offset)


@dataclass
class Quarter:
    fiscal_year: int
    fiscal_quarter: int
    obs_date: date
    line: int
    currency: str
    calendarised: bool = False
    values: dict[str, float] = field(default_factory=dict)


class ConceptStocksIncome(Adapter):
    name = "conceptstocks_income"
    params_doc = {"symbol": "the ticker to keep (default: the series ticker); the file holds 22"}
    about = ("ConceptStocks (MIT, wenchiehlee-investment) company income file: quarterly revenue, cash capex "
             "and RPO of 22 tickers from SEC XBRL (true fiscal period ends) with AlphaVantage revenue for "
             "quarters SEC lacks (calendarised dates, flagged); fiscal Q4 capex = FY - 9M; stale "
             "prior-period rows are set aside in meta.rejected_rows. No filing dates.")

    def parse(self, payload: Payload) -> Records:
        frame = read_table(payload, required=_REQUIRED)
        symbol = str(payload.query.params.get("symbol") or payload.query.series.symbol)
        rows = rows_for_symbol(payload, frame, symbol)
        period = rows["period"].astype(str).str.strip()
        bad = ~period.isin(PERIODS)
        if bad.any():
            i = bad.idxmax()
            raise payload.error(f"period {rows['period'][i]!r} is not one of {', '.join(PERIODS)}",
                                line=int(rows["_line"][i]))
        source = rows["source"].astype(str).str.strip()
        bad = ~source.isin(PRIMARY + SECONDARY)
        if bad.any():
            i = bad.idxmax()
            raise payload.error(f"source {rows['source'][i]!r} is not one of {', '.join(PRIMARY + SECONDARY)}",
                                line=int(rows["_line"][i]), hint="this adapter knows the SEC and AlphaVantage rows")
        dates = parse_dates(payload, rows, "end_date")
        refuse_future(payload, rows, dates, "end_date")
        labels = integer_labels(payload, rows, "fiscal_year")
        numbers = {
            "revenue": parse_numbers(payload, rows, "total_revenue"),
            "capex": parse_numbers(payload, rows, "capex"),
            "rpo": parse_numbers(payload, rows, "rpo"),
        }
        for name, column in (("revenue", "total_revenue"), ("rpo", "rpo")):
            negative = numbers[name] < 0
            if negative.any():
                i = negative.idxmax()
                raise payload.error(f"negative {name} {rows[column][i]!r} on {dates[i]}", line=int(rows["_line"][i]))
        currency = rows["currency"].astype(str).str.strip()
        blank = is_missing(rows["currency"])
        malformed = ~blank & ~currency.str.fullmatch(r"[A-Z]{3}")
        if malformed.any():
            i = malformed.idxmax()
            raise payload.error(f"currency {rows['currency'][i]!r} is not a three-letter currency code",
                                line=int(rows["_line"][i]))

        rejected: list[RejectedRow] = []

        def reject(i, reason: str) -> None:
            rejected.append(RejectedRow(int(rows["_line"][i]), f"{symbol}: {reason}", row_text(rows, i)))

        for i in rows.index[blank]:
            reject(i, f"{source[i]} row {labels[i]} {period[i]} ending {dates[i]} has no currency; not loaded")
        usable = ~blank

        primary = source.isin(PRIMARY)
        labelled = [(dates[i], labels[i], 4 if period[i] == "FY" else int(period[i][1]))
                    for i in rows.index[usable & (primary | (period == "FY"))]]
        calendar = FiscalCalendar.infer(labelled)
        where = {i: calendar.quarter_of(dates[i]) for i in rows.index}
        for i in rows.index[usable]:
            if where[i] is None:
                reject(i, f"{source[i]} row ending {dates[i]} is not a quarter end of the fiscal calendar "
                          f"(fiscal year ending in month {calendar.end_month}); not loaded")
                usable[i] = False
        # SEC rows whose label does not fit the period end: a prior period filed again under a later label.
        for i in rows.index[usable & primary]:
            fy, fq = where[i]
            label_q = 4 if period[i] == "FY" else int(period[i][1])
            if (labels[i], label_q) != (fy, fq):
                reject(i, f"{source[i]} row labelled {labels[i]} {period[i]} ends {dates[i]}, which is fiscal "
                          f"{fy} Q{fq}: a prior period's figures under a later label (stale context); not loaded")
                usable[i] = False

        def table(mask: pd.Series) -> pd.DataFrame:
            out = pd.DataFrame({
                "i": rows.index[mask], "line": rows["_line"][mask], "obs_date": dates[mask],
                "fy": [where[i][0] for i in rows.index[mask]], "fq": [where[i][1] for i in rows.index[mask]],
                "kind": period[mask].where(period[mask] == "FY", "Q"), "source": source[mask],
                "currency": currency[mask],
                **{name: numbers[name][mask] for name in MONEY},
            })
            return out.reset_index(drop=True)

        sec = self._one_per_quarter(payload, table(usable & primary), "SEC")
        av = self._one_per_quarter(payload, table(usable & ~primary), "AlphaVantage")
        sec_q = sec[sec["kind"] == "Q"].set_index(["fy", "fq"])
        sec_fy = sec[sec["kind"] == "FY"].sort_values("obs_date").reset_index(drop=True)
        av_q = av[av["kind"] == "Q"].sort_values("obs_date").reset_index(drop=True)

        # Stale SEC quarters: a figure equal to the same quarter a year earlier, or a negative capex.
        original = sec_q[list(MONEY)].copy()
        for (fy, fq), row in sec_q.iterrows():
            for name in ("revenue", "capex"):
                value = original.loc[(fy, fq), name]
                if pd.isna(value):
                    continue
                before = original.loc[(fy - 1, fq), name] if (fy - 1, fq) in original.index else None
                if before is not None and value == before:
                    reject(row["i"], f"SEC fiscal {fy} Q{fq} {name} {value:,.0f} repeats fiscal {fy - 1} Q{fq} "
                                     f"exactly (stale context); that {name} is not loaded")
                    sec_q.loc[(fy, fq), name] = float("nan")
                elif name == "capex" and value < 0:
                    reject(row["i"], f"SEC fiscal {fy} Q{fq} capex {value:,.0f} is negative; that capex is not loaded")
                    sec_q.loc[(fy, fq), name] = float("nan")

        # Stale SEC FY rows: capex or revenue equal to the previous fiscal year's FY figure.
        fy_rows = {}
        for k, row in sec_fy.iterrows():
            previous = sec_fy.iloc[k - 1] if k > 0 else None
            repeated = [name for name in ("capex", "revenue") if previous is not None
                        and pd.notna(row[name]) and row[name] == previous[name]]
            if repeated:
                name = repeated[0]
                reject(row["i"], f"SEC FY{row['fy']} {name} {row[name]:,.0f} repeats FY{previous['fy']}'s "
                                 f"{name} exactly (stale context); no fourth quarter is derived from this row")
                continue
            fy_rows[int(row["fy"])] = row

        quarters: dict[tuple[int, int], Quarter] = {}
        for (fy, fq), row in sec_q.iterrows():
            q = Quarter(int(fy), int(fq), row["obs_date"], int(row["line"]), row["currency"])
            q.values = {name: row[name] for name in MONEY if pd.notna(row[name])}
            quarters[(fy, fq)] = q
        for fy, row in fy_rows.items():
            q = quarters.get((fy, 4))
            if q is None:
                q = quarters[(fy, 4)] = Quarter(fy, 4, row["obs_date"], int(row["line"]), row["currency"])
            if "rpo" not in q.values and pd.notna(row["rpo"]):
                q.values["rpo"] = row["rpo"]

        # AlphaVantage: the same quarter as an SEC one (within 20 days) only fills a missing revenue;
        # a quarter SEC lacks keeps AlphaVantage's calendarised date.
        for _, row in av_q.iterrows():
            if pd.isna(row["revenue"]):
                continue
            match = [q for q in quarters.values() if not q.calendarised
                     and abs(q.obs_date - row["obs_date"]) <= SAME_QUARTER]
            if match:
                q = match[0]
                if "revenue" not in q.values and q.currency == row["currency"]:
                    q.values["revenue"] = row["revenue"]
                continue
            key = (int(row["fy"]), int(row["fq"]))
            if key in quarters:
                other = quarters[key]
                raise payload.error(
                    f"AlphaVantage row ending {row['obs_date']} and the row on line {other.line} ending "
                    f"{other.obs_date} are both fiscal {key[0]} Q{key[1]} but more than {SAME_QUARTER.days} days "
                    "apart", line=int(row["line"]))
            q = quarters[key] = Quarter(key[0], key[1], row["obs_date"], int(row["line"]), row["currency"], True)
            q.values["revenue"] = row["revenue"]

        # Fiscal fourth quarters from the FY rows (FY - 9M), when no Q4 row gave the figure.
        for fy, row in fy_rows.items():
            q = quarters[(fy, 4)]
            firsts = [quarters.get((fy, n)) for n in (1, 2, 3)]
            for name in ("capex", "revenue"):
                if name in q.values or pd.isna(row[name]):
                    continue
                if name == "capex":  # SEC's own quarters only
                    parts = [p.values.get(name) if p is not None and not p.calendarised else None for p in firsts]
                else:
                    parts = [p.values.get(name) if p is not None else None for p in firsts]
                if any(v is None for v in parts):
                    continue
                derived = row[name] - sum(parts)
                if derived < 0:
                    reject(row["i"], f"fiscal {fy} Q4 {name} = FY {row[name]:,.0f} - Q1..Q3 {sum(parts):,.0f} = "
                                     f"{derived:,.0f} is negative; not loaded")
                    continue
                q.values[name] = derived

        ordered = sorted((q for q in quarters.values() if q.values), key=lambda q: q.obs_date)
        if not ordered:
            raise payload.error(f"no usable quarterly rows for symbol {symbol!r}")
        for a, b in pairwise(ordered):
            if b.obs_date - a.obs_date <= SAME_QUARTER:
                raise payload.error(
                    f"two quarters ending {a.obs_date} (fiscal {a.fiscal_year} Q{a.fiscal_quarter}) and {b.obs_date} "
                    f"(fiscal {b.fiscal_year} Q{b.fiscal_quarter}) are within {SAME_QUARTER.days} days",
                    line=b.line)
        wide = pd.DataFrame({
            "_line": [q.line for q in ordered],
            "obs_date": [q.obs_date for q in ordered],
            "currency": [q.currency for q in ordered],
            **{name: [q.values.get(name, float("nan")) for q in ordered] for name in MONEY},
            "fiscal_year": [float(q.fiscal_year) for q in ordered],
            "fiscal_quarter": [float(q.fiscal_quarter) for q in ordered],
            "period_end_calendarised": [1.0 if q.calendarised else 0.0 for q in ordered],
        })
        parts = []
        for ccy in wide["currency"].unique():
            part = wide[wide["currency"] == ccy]
            parts.append(long_frame(part, part["obs_date"], {name: part[name] for name in MONEY}, ccy))
        parts.append(long_frame(wide, wide["obs_date"], {name: wide[name] for name in
                                                         ("fiscal_year", "fiscal_quarter", "period_end_calendarised")}, ""))
        records = pd.concat(parts, ignore_index=True)
        records = refuse_conflicting_duplicates(payload, records, ("obs_date", "field"))
        return Records("observations", records, rejected=tuple(sorted(rejected, key=lambda r: r.line)))

    @staticmethod
    def _one_per_quarter(payload: Payload, rows: pd.DataFrame, label: str) -> pd.DataFrame:
        """One row per (kind, fiscal quarter) of a source: exact repeats dropped, differing ones refused."""
        key = ["kind", "fy", "fq"]
        values = ["obs_date", "currency", *MONEY]
        dup = rows.duplicated(key, keep=False)
        for _, group in rows[dup].groupby(key, sort=False):
            differs = [c for c in values if group[c].nunique(dropna=False) > 1]
            if differs:
                first = group.iloc[0]
                what = "FY" if first["kind"] == "FY" else f"Q{first['fq']}"
                lines = ", ".join(str(x) for x in group["line"].tolist()[:5])
                raise payload.error(
                    f"the same quarter twice from {label} with different values: fiscal {first['fy']} {what} "
                    f"({differs[0]} {group[differs[0]].tolist()[:5]}) on lines {lines}",
                    line=int(group["line"].iloc[1]),
                    hint="keep one row per quarter and source, then run gapcast ingest again",
                )
        return rows.drop_duplicates(key, keep="first").reset_index(drop=True)
