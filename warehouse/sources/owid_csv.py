"""Our World in Data grapher CSVs: `Entity,Code,Year,<indicator>`, one value per entity and year."""

from __future__ import annotations

from datetime import date

import pandas as pd

from warehouse.sources.base import Adapter, Payload, Records
from warehouse.sources.csvtools import parse_numbers, read_table, refuse_conflicting_duplicates, refuse_future


class OwidCsv(Adapter):
    name = "owid_csv"
    params_doc = {
        "entities": "list of Entity names to keep (default: all)",
        "column": "the indicator column (default: the one column after Year)",
    }

    def parse(self, payload: Payload) -> Records:
        frame = read_table(payload, required=("Entity", "Year"))
        header = [c for c in frame.columns if c != "_line"]
        column = payload.query.params.get("column")
        if column is None:
            others = [c for c in header if c not in {"Entity", "Code", "Year"}]
            if len(others) != 1:
                raise payload.error(f"expected one indicator column, found {others}", line=1,
                                    hint="name it with params.column in the catalog")
            column = others[0]
        elif column not in header:
            raise payload.error(f"missing column {column!r}; the header has {header}", line=1)
        entities = payload.query.params.get("entities")
        if entities:
            frame = frame[frame["Entity"].str.strip().isin(list(entities))].reset_index(drop=True)
            if frame.empty:
                raise payload.error(f"no rows for entities {list(entities)}", hint="check params.entities")
        years = parse_numbers(payload, frame, "Year", what="year")
        bad = years.isna() | (years % 1 != 0) | (years < 1900) | (years > 2200)
        if bad.any():
            i = bad.idxmax()
            raise payload.error(f"Year {frame['Year'][i]!r} is not a year", line=int(frame["_line"][i]))
        dates = pd.Series([date(int(y), 1, 1) for y in years], index=frame.index)
        refuse_future(payload, frame, dates, "Year")
        values = parse_numbers(payload, frame, column)
        records = pd.DataFrame(
            {
                "entity": frame["Entity"].str.strip(),
                "obs_date": dates,
                "field": "value",
                "value": values,
                "unit": payload.query.series.unit or "",
                "published_at": None,
                "_line": frame["_line"],
            }
        )
        records = records[records["value"].notna()].reset_index(drop=True)
        records = refuse_conflicting_duplicates(payload, records, ("entity", "obs_date", "field"))
        return Records("observations", records, skipped_missing=int(values.isna().sum()))
