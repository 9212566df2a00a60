"""FRED CSV downloads: `date,value`, `observation_date,<ID>` and `date,<ID>`; '.' or blank is missing."""

from __future__ import annotations

from warehouse.sources.base import Adapter, Payload, Records
from warehouse.sources.csvtools import (
    long_frame,
    parse_dates,
    parse_numbers,
    read_table,
    refuse_conflicting_duplicates,
    refuse_future,
    refuse_implausible_levels,
)


class FredCsv(Adapter):
    name = "fred_csv"
    params_doc = {
        "column": "the value column when it is neither 'value' nor the series' FRED id (default: the one "
        "column beside the date)",
        "scale": "multiply values by this (e.g. 1.3 to turn a Dec-2000=100 index into thousands)",
    }

    def parse(self, payload: Payload) -> Records:
        frame = read_table(payload)
        header = list(frame.columns[:-1])
        date_column = next((c for c in ("observation_date", "date", "DATE") if c in header), None)
        if date_column is None:
            raise payload.error(
                f"missing column 'date' or 'observation_date'; the header has {header}", line=1
            )
        column = payload.query.params.get("column")
        others = [c for c in header if c != date_column]
        if column is None:
            if len(others) != 1:
                raise payload.error(
                    f"expected one value column beside {date_column!r}, found {others}",
                    line=1,
                    hint="name the value column with params.column in the catalog",
                )
            column = others[0]
        elif column not in header:
            raise payload.error(f"missing column {column!r}; the header has {header}", line=1)
        dates = parse_dates(payload, frame, date_column)
        refuse_future(payload, frame, dates, date_column)
        values = parse_numbers(payload, frame, column)
        scale = payload.query.params.get("scale")
        if scale is not None:
            values = values * float(scale)
        records = long_frame(frame, dates, {"value": values}, payload.query.series.unit or "")
        records = refuse_conflicting_duplicates(payload, records, ("obs_date", "field"))
        if str(payload.query.series.unit).lower().startswith("index"):  # an index level: value checks
            refuse_implausible_levels(payload, records, set(records["field"]), "index")
        return Records("observations", records, skipped_missing=int(values.isna().sum()))
