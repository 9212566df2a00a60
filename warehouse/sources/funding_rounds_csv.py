"""Your own CSV of funding rounds: `date,company,round,amount_usd` (optional `sector,source_url`)."""

from __future__ import annotations

import pandas as pd

from warehouse.sources.base import Adapter, Payload, Records
from warehouse.sources.csvtools import (
    is_missing,
    parse_dates,
    parse_numbers,
    read_table,
    refuse_conflicting_duplicates,
    refuse_future,
)


class FundingRoundsCsv(Adapter):
    name = "funding_rounds_csv"
    about = ("A CSV you keep of funding rounds, one row per round: date (YYYY-MM-DD), company, round "
             "(e.g. Series B), amount_usd; optional sector and source_url columns are kept out of the sums.")
    params_doc = {}

    def parse(self, payload: Payload) -> Records:
        frame = read_table(payload, required=("date", "company", "round", "amount_usd"))
        blank = is_missing(frame["company"])
        if blank.any():
            i = blank.idxmax()
            raise payload.error("the company is blank", line=int(frame["_line"][i]))
        dates = parse_dates(payload, frame, "date")
        refuse_future(payload, frame, dates, "date")
        amounts = parse_numbers(payload, frame, "amount_usd", what="amount")
        negative = amounts < 0
        if negative.any():
            i = negative.idxmax()
            raise payload.error(f"amount_usd {frame['amount_usd'][i]!r} is negative", line=int(frame["_line"][i]))
        entity = frame["company"].str.strip() + " | " + frame["round"].astype(str).str.strip()
        records = pd.DataFrame({"entity": entity, "obs_date": dates, "field": "amount_usd", "value": amounts,
                                "unit": "USD", "published_at": None, "_line": frame["_line"]})
        records = records[records["value"].notna()].reset_index(drop=True)
        records = refuse_conflicting_duplicates(payload, records, ("entity", "obs_date", "field"))
        return Records("observations", records, skipped_missing=int(amounts.isna().sum()))
