"""ConceptStocks quarterly segment revenue (e.g. NVIDIA Data Center, Microsoft Intelligent Cloud), by release date.

``raw_conceptstock_company_quarterly_segments.csv`` gives one row per ticker, fiscal quarter and segment,
in USD. Its ``end_date`` is, for most tickers, the **earnings-release date** (NVIDIA FY2026 Q2 ->
2025-08-27), not the period end; fourth quarters are often ``is_calculated = True`` (FY minus three
quarters) with no date at all.

One observation per fiscal quarter of the chosen segment comes out, dated at the release date, which is
also its ``published_at``. A calculated fourth quarter without a date is dated at the same fiscal year's
Q3 release + 98 days (NVIDIA: 2025-11-19 -> 2026-02-25, the real date) with ``release_imputed = 1``; with
no Q3 date it is set aside.

Some tickers' dates are period ends instead (AMD's fall on Saturdays, TSM's, WDC's and SNDK's on quarter
ends): ``params.dates = "period_end"`` says so. Then ``obs_date`` is the period end, ``published_at``
is left empty for the warehouse to impute, and a dateless fourth quarter is dated Q3 + 91 days (13 weeks).
In the default mode a weekend date cannot be a release and its row is set aside.

Fiscal labels are checked against the dates, and a row whose label cannot fit its date (AMZN's Q1-Q3
rows carry the previous fiscal year; AMD "FY2023 Q2" is dated at the Q1 period end) keeps its revenue at
its date but not its fiscal_year / fiscal_quarter, with the reason in meta.rejected_rows; if another row
already holds that date the mislabelled row is set aside whole.
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import pandas as pd

from warehouse.sources.base import Adapter, Payload, Records, RejectedRow
from warehouse.sources.conceptstocks_income import (
    integer_labels,
    row_text,
    rows_for_symbol,
)
from warehouse.sources.csvtools import (
    is_missing,
    long_frame,
    parse_dates,
    parse_numbers,
    read_table,
    refuse_conflicting_duplicates,
    refuse_future,
)

_REQUIRED = ("symbol", "fiscal_year", "quarter", "segment_name", "revenue", "end_date", "is_calculated")
RELEASE_AFTER_Q3 = timedelta(days=98)  # a fourth quarter's release: the Q3 release + 14 weeks
QUARTER_AFTER_Q3 = timedelta(days=91)  # a fourth quarter's end: the Q3 end + 13 weeks
RELEASE_LAG = timedelta(days=120)  # a release comes at most this long after its quarter ended
QUARTER_DAYS = 365.25 / 4
PHASE_TOLERANCE = 45  # days a date may stray from the ticker's usual place in the quarterly rhythm
SAME_DATE = timedelta(days=20)
MODES = ("release", "period_end")


def _months_back(day: date, months: int) -> date:
    """``day`` (the first or last of a month) moved back by whole months, staying first or last."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    if day.day == 1:
        return date(year, month + 1, 1)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return following - timedelta(days=1)


def label_fits(fiscal_year: int, quarter: int, day: date, mode: str) -> bool:
    """Whether a quarter labelled (fiscal_year, quarter) can have this release date / period end.

    A fiscal year is named after the calendar year it ends in, so its quarter ``quarter`` ends within
    the twelve months [Jan 1 of the year, Dec 31 of the year] moved back 3 x (4 - quarter) months.
    """
    back = 3 * (4 - quarter)
    low = _months_back(date(fiscal_year, 1, 1), back) - SAME_DATE
    high = _months_back(date(fiscal_year, 12, 31), back) + SAME_DATE
    earliest, latest = (day - RELEASE_LAG, day) if mode == "release" else (day, day)
    return earliest <= high and latest >= low


class ConceptStocksSegments(Adapter):
    name = "conceptstocks_segments"
    params_doc = {
        "symbol": "the ticker to keep (default: the series ticker)",
        "segment": "the segment_name to keep, e.g. 'Data Center' (required)",
        "dates": "'release' (default): end_date is the earnings-release date; 'period_end': it is the fiscal "
                 "period end (AMD, TSM, WDC, SNDK)",
    }
    about = ("ConceptStocks (MIT, wenchiehlee-investment) quarterly segment revenue in USD of 17 tickers from "
             "10-Q filings and 8-K releases, dated at the earnings release (published_at too); a calculated "
             "fourth quarter is dated at the Q3 release + 98 days (release_imputed = 1).")

    def parse(self, payload: Payload) -> Records:
        frame = read_table(payload, required=_REQUIRED)
        params = payload.query.params
        symbol = str(params.get("symbol") or payload.query.series.symbol)
        mode = str(params.get("dates", "release"))
        if mode not in MODES:
            raise payload.error(f"params.dates = {mode!r} is not one of {', '.join(MODES)}",
                                hint="correct the catalog parameter")
        segment = params.get("segment")
        if not segment:
            raise payload.error("the segment file needs params.segment in the catalog",
                                hint="set params.segment to a segment_name such as 'Data Center'")
        rows = rows_for_symbol(payload, frame, symbol)
        names = rows["segment_name"].astype(str).str.strip()
        rows = rows[names == str(segment)].reset_index(drop=True)
        if rows.empty:
            found = sorted(set(names) - {""})
            raise payload.error(f"no rows for segment {segment!r} of {symbol}; its segments are {found}",
                                hint="correct params.segment")

        quarter = rows["quarter"].astype(str).str.strip()
        bad = ~quarter.isin(["Q1", "Q2", "Q3", "Q4"])
        if bad.any():
            i = bad.idxmax()
            raise payload.error(f"quarter {rows['quarter'][i]!r} is not Q1..Q4", line=int(rows["_line"][i]))
        fq = quarter.str.slice(1).astype(int)
        calculated = rows["is_calculated"].astype(str).str.strip().str.lower()
        bad = ~calculated.isin(["true", "false"])
        if bad.any():
            i = bad.idxmax()
            raise payload.error(f"is_calculated {rows['is_calculated'][i]!r} is not True or False",
                                line=int(rows["_line"][i]))
        calculated = calculated == "true"
        fy = integer_labels(payload, rows, "fiscal_year")
        revenue = parse_numbers(payload, rows, "revenue")
        negative = revenue < 0
        if negative.any():
            i = negative.idxmax()
            raise payload.error(f"negative segment revenue {rows['revenue'][i]!r}", line=int(rows["_line"][i]))
        undated = is_missing(rows["end_date"])
        if (undated & ~calculated).any():
            i = (undated & ~calculated).idxmax()
            raise payload.error("a reported (not calculated) row has no end_date", line=int(rows["_line"][i]))
        dated = rows[~undated]
        dates = pd.Series([None] * len(rows), index=rows.index, dtype=object)
        if not dated.empty:
            parsed = parse_dates(payload, dated, "end_date")
            refuse_future(payload, dated, parsed, "end_date")
            dates[dated.index] = parsed

        # One row per fiscal quarter: exact repeats dropped, differing ones refused.
        keyed = pd.DataFrame({"fy": fy, "fq": fq, "revenue": revenue, "date": dates, "line": rows["_line"]})
        dup = keyed.duplicated(["fy", "fq"], keep=False)
        for (year, q), group in keyed[dup].groupby(["fy", "fq"]):
            if group["revenue"].nunique(dropna=False) > 1 or group["date"].nunique(dropna=False) > 1:
                lines = ", ".join(str(x) for x in group["line"].tolist()[:5])
                raise payload.error(
                    f"the same quarter twice with different values: {symbol} {segment!r} fiscal {year} Q{q} "
                    f"({group['revenue'].tolist()[:5]}, {[str(d) for d in group['date'].tolist()[:5]]}) on lines {lines}",
                    line=int(group["line"].iloc[1]), hint="keep one row per quarter, then run gapcast ingest again")
        keep = ~keyed.duplicated(["fy", "fq"], keep="first")

        rejected: list[RejectedRow] = []

        def reject(i, reason: str) -> None:
            rejected.append(RejectedRow(int(rows["_line"][i]), f"{symbol} {segment}: {reason}", row_text(rows, i)))

        if mode == "release":
            weekend = pd.Series([d is not None and d.weekday() >= 5 for d in dates], index=rows.index)
            if (weekend & keep).any() and not (~weekend & ~undated & keep).any():
                raise payload.error(
                    f"every end_date of {symbol} {segment!r} falls on a weekend: these are period ends, not "
                    "earnings-release dates", hint="set params.dates = \"period_end\" for this series")
            for i in rows.index[weekend & keep]:
                reject(i, f"end_date {dates[i]} is a {dates[i]:%A}, not an earnings-release date (a period end?); "
                          "not loaded")
                keep[i] = False
        # Labels that cannot fit their dates (absolute), then dates out of the ticker's quarterly rhythm.
        fits = pd.Series(True, index=rows.index)
        for i in rows.index[keep & ~undated]:
            fits[i] = label_fits(int(fy[i]), int(fq[i]), dates[i], mode)
        anchor = date(2000, 1, 1)
        phase = {i: (dates[i] - anchor).days - (fy[i] * 4 + fq[i]) * QUARTER_DAYS
                 for i in rows.index[keep & ~undated & fits]}
        if len(phase) >= 3:
            usual = statistics.median(phase.values())
            for i, p in phase.items():
                if abs(p - usual) > PHASE_TOLERANCE:
                    fits[i] = False
        # A calculated fourth quarter without a date: the same fiscal year's Q3 date + 14 weeks (13 for ends).
        imputed = pd.Series(False, index=rows.index)
        step = RELEASE_AFTER_Q3 if mode == "release" else QUARTER_AFTER_Q3
        q3 = {int(fy[i]): dates[i] for i in rows.index[keep & ~undated & fits & (fq == 3)]}
        for i in rows.index[keep & undated]:
            if fq[i] != 4:
                reject(i, f"calculated fiscal {fy[i]} Q{fq[i]} has no date and only a fourth quarter's can be "
                          "imputed; not loaded")
                keep[i] = False
            elif int(fy[i]) not in q3:
                reject(i, f"calculated fiscal {fy[i]} Q4 has no date and there is no fiscal {fy[i]} Q3 date to "
                          "impute it from; not loaded")
                keep[i] = False
            else:
                dates[i] = q3[int(fy[i])] + step
                imputed[i] = True

        consistent_dates = [dates[i] for i in rows.index[keep & fits & dates.notna()]]
        labelled = pd.Series(True, index=rows.index)
        for i in rows.index[keep & ~undated & ~fits]:
            what = "release" if mode == "release" else "period end"
            if any(abs(dates[i] - d) <= SAME_DATE for d in consistent_dates):
                reject(i, f"labelled fiscal {fy[i]} Q{fq[i]} but dated {dates[i]}, the {what} of another quarter "
                          "already in the file; not loaded")
                keep[i] = False
            else:
                reject(i, f"labelled fiscal {fy[i]} Q{fq[i]} but dated {dates[i]}, which that quarter's {what} "
                          "cannot be: segment_revenue loaded at that date, fiscal_year and fiscal_quarter not")
                labelled[i] = False

        chosen = rows[keep & revenue.notna()]
        if chosen.empty:
            raise payload.error(f"no usable rows for {symbol} {segment!r}")
        obs = dates[chosen.index]
        fields = {
            "segment_revenue": revenue[chosen.index],
            "fiscal_year": fy[chosen.index].astype(float).where(labelled[chosen.index]),
            "fiscal_quarter": fq[chosen.index].astype(float).where(labelled[chosen.index]),
            "release_imputed": imputed[chosen.index].astype(float),
        }
        published = obs if mode == "release" else None
        parts = [long_frame(chosen, obs, {"segment_revenue": fields.pop("segment_revenue")}, "USD",
                            published_at=published)]
        parts.append(long_frame(chosen, obs, fields, "", published_at=published))
        records = pd.concat(parts, ignore_index=True)
        records = refuse_conflicting_duplicates(payload, records, ("obs_date", "field"))
        skipped = int((keep & revenue.isna()).sum())
        return Records("observations", records, rejected=tuple(sorted(rejected, key=lambda r: r.line)),
                       skipped_missing=skipped)
