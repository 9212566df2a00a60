"""Epoch AI data-hub CSVs (notable models, frontier models, ML hardware): one row per model or chip."""

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


class EpochCsv(Adapter):
    name = "epoch_csv"
    params_doc = {
        "date_column": "the date column (e.g. 'Publication date', 'Release date')",
        "entity_column": "the name column (e.g. 'Model', 'Hardware name')",
        "fields": "table of raw field name -> numeric column to load",
    }

    def parse(self, payload: Payload) -> Records:
        params = payload.query.params
        date_column = str(params.get("date_column", "Publication date"))
        entity_column = str(params.get("entity_column", "Model"))
        fields = dict(params.get("fields") or {})
        if not fields:
            raise payload.error("no fields to load", hint="list params.fields in the catalog")
        frame = read_table(payload, required=(date_column, entity_column, *fields.values()))
        # Rows without a date (announced, undated) cannot be placed in time: counted, not loaded.
        undated = is_missing(frame[date_column])
        frame = frame[~undated].reset_index(drop=True)
        if frame.empty:
            raise payload.error(f"no row has a {date_column!r}")
        dates = parse_dates(payload, frame, date_column)
        refuse_future(payload, frame, dates, date_column)
        entity = frame[entity_column].astype(str).str.strip()
        parts = []
        skipped = int(undated.sum())
        for name, column in fields.items():
            values = parse_numbers(payload, frame, column)
            skipped += int(values.isna().sum())
            part = pd.DataFrame({"entity": entity, "obs_date": dates, "field": name, "value": values,
                                 "unit": "", "published_at": None, "_line": frame["_line"]})
            parts.append(part[part["value"].notna()])
        records = pd.concat(parts, ignore_index=True)
        records = refuse_conflicting_duplicates(payload, records, ("entity", "obs_date", "field"))
        return Records("observations", records, skipped_missing=skipped)
