"""layoffs.fyi tracker CSVs: the full export and the short `Company,headquarter,layoff,Date` copy."""

from __future__ import annotations

from datetime import date

import pandas as pd

from warehouse.sources.base import LAYOFF_COLUMNS, Adapter, Payload, Records, RejectedRow
from warehouse.sources.csvtools import is_missing, numbers_and_bad, read_table, to_dates

# canonical column -> candidate source columns
_COLUMNS = {
    "company": ("company", "Company"),
    "location": ("location", "headquarter", "Location"),
    "country": ("country", "Country"),
    "industry": ("industry", "Industry"),
    "stage": ("stage", "Stage"),
    "event_date": ("date", "Date"),
    "laid_off": ("total_laid_off", "layoff", "Laid_Off_Count"),
    "pct_laid_off": ("percentage_laid_off", "Percentage"),
    "funds_raised_musd": ("funds_raised", "Funds_Raised"),
    "source_url": ("source", "Source"),
}
_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")


class LayoffsCsv(Adapter):
    name = "layoffs_csv"
    record_type = "layoff_events"
    params_doc = {
        "bad_rows": "'refuse' (default) fails the payload on a bad row; 'quarantine' sets such rows "
        "aside in meta.rejected_rows and loads the rest",
        "min_date": "earliest plausible event date (default 2000-01-01); earlier dates are bad rows",
    }

    def parse(self, payload: Payload) -> Records:
        frame = read_table(payload)
        header = set(frame.columns)
        picked = {}
        for name, candidates in _COLUMNS.items():
            picked[name] = next((c for c in candidates if c in header), None)
        for required in ("company", "event_date", "laid_off"):
            if picked[required] is None:
                raise payload.error(
                    f"missing column {_COLUMNS[required][0]!r} (or {_COLUMNS[required][1]!r}); "
                    f"the header has {sorted(header - {'_line'})}",
                    line=1,
                )
        params = payload.query.params
        quarantine = str(params.get("bad_rows", "refuse")) == "quarantine"
        min_date = date.fromisoformat(str(params.get("min_date", "2000-01-01")))
        latest = payload.retrieved_at.date()

        out = pd.DataFrame({"row_number": frame["_line"].astype("int64")})
        for name, column in picked.items():
            if name in {"event_date", "laid_off", "pct_laid_off", "funds_raised_musd"}:
                continue
            values = frame[column].astype(str).str.strip() if column else pd.Series(None, index=frame.index)
            out[name] = values.where(~is_missing(values), None) if column else None
        raw_dates = frame[picked["event_date"]].astype(str).str.strip()
        parsed = to_dates(raw_dates, _DATE_FORMATS)
        problems: dict[int, str] = {}
        for i in frame.index:
            if pd.isna(parsed[i]):
                problems[i] = f"date {raw_dates[i]!r} is not a date"
            elif parsed[i].date() < min_date:
                problems[i] = f"date {raw_dates[i]!r} is before {min_date} (a typo?)"
            elif parsed[i].date() > latest:
                problems[i] = f"date {raw_dates[i]!r} is after the payload was retrieved ({latest})"
        company_missing = is_missing(frame[picked["company"]])
        for i in frame.index[company_missing]:
            problems.setdefault(i, "the company is blank")
        numbers = {}
        for name in ("laid_off", "pct_laid_off", "funds_raised_musd"):
            column = picked[name]
            if column is None:
                numbers[name] = pd.Series(float("nan"), index=frame.index)
                continue
            numbers[name], bad = numbers_and_bad(frame[column])
            for i in frame.index[bad]:
                problems.setdefault(i, f"column {column!r} has a non-numeric value {frame[column][i]!r}")
            negative = numbers[name] < 0
            for i in frame.index[negative]:
                problems.setdefault(i, f"{column} {frame[column][i]!r} is negative")
            if name == "pct_laid_off":
                # layoffs.fyi gives the share as a fraction (0.15 for 15%)
                for i in frame.index[numbers[name] > 1]:
                    problems.setdefault(i, f"{column} {frame[column][i]!r} is above 1 (a fraction is expected: "
                                           "0.15 for 15%)")
        if problems and not quarantine:
            i = min(problems)
            raise payload.error(
                problems[i], line=int(frame["_line"][i]),
                hint="correct the row, or set params.bad_rows = \"quarantine\" to set bad rows aside",
            )
        rejected = tuple(
            RejectedRow(int(frame["_line"][i]), reason, ",".join(str(v) for v in frame.loc[i].drop("_line")))
            for i, reason in sorted(problems.items())
        )
        out["event_date"] = parsed.dt.date
        for name, values in numbers.items():
            out[name] = values
        keep = ~frame.index.isin(list(problems))
        out = out[keep].reset_index(drop=True)
        if out.empty:
            raise payload.error("no usable rows: every row was bad")
        return Records("layoff_events", out[list(LAYOFF_COLUMNS)], rejected=rejected)
