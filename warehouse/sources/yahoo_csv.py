"""Yahoo Finance price CSVs: the `Date,Close` adjusted-close export and `Ticker.history()` files."""

from __future__ import annotations

from warehouse.sources.base import Adapter, Payload, Records
from warehouse.sources.csvtools import (
    PRICE_FIELDS,
    check_positive,
    long_frame,
    parse_dates,
    parse_numbers,
    read_table,
    refuse_conflicting_duplicates,
    refuse_future,
    refuse_implausible_levels,
)

# Yahoo column -> raw field. Every Yahoo file here is auto-adjusted, so Close is the adjusted close.
_PRICE_FIELDS = {"Open": "open", "High": "high", "Low": "low", "Close": "adj_close", "Adj Close": "adj_close"}
_OTHER_FIELDS = {"Volume": "volume", "Dividends": "dividends", "Stock Splits": "split_ratio"}


class YahooCsv(Adapter):
    name = "yahoo_csv"
    params_doc = {
        "adjusted": "true (default) when Close is Yahoo's split- and dividend-adjusted close",
    }

    def parse(self, payload: Payload) -> Records:
        frame = read_table(payload, required=("Date",))
        columns = [c for c in frame.columns if c in _PRICE_FIELDS or c in _OTHER_FIELDS]
        if "Close" not in columns and "Adj Close" not in columns:
            raise payload.error(
                f"missing column 'Close'; the header has {list(frame.columns[:-1])}",
                line=1,
                hint="this adapter reads Yahoo CSVs with a Date and a Close column",
            )
        adjusted = bool(payload.query.params.get("adjusted", True))
        dates = parse_dates(payload, frame, "Date")
        refuse_future(payload, frame, dates, "Date")
        unit = payload.query.series.unit or "USD"
        is_price_unit = unit.lower() not in {"percent", "%", "index_points"}
        fields = {}
        for column in columns:
            if column == "Adj Close" and "Close" in columns and adjusted:
                continue
            name = _PRICE_FIELDS.get(column) or _OTHER_FIELDS[column]
            if column == "Close" and not adjusted:
                name = "close"
            fields[name] = parse_numbers(payload, frame, column, what="price" if column in _PRICE_FIELDS else "value")
        skipped = int(sum(v.isna().sum() for v in fields.values()))
        # Yahoo writes 0 for an open, high or low it never recorded (early history, e.g. AMD 1980).
        for name in ("open", "high", "low"):
            if name in fields and is_price_unit:
                unrecorded = fields[name] == 0
                skipped += int(unrecorded.sum())
                fields[name] = fields[name].mask(unrecorded)
        records = long_frame(frame, dates, fields, unit)
        records.loc[records["field"] == "volume", "unit"] = "shares"
        records.loc[records["field"] == "split_ratio", "unit"] = "ratio"
        records = refuse_conflicting_duplicates(payload, records, ("obs_date", "field"))
        if is_price_unit:
            prices = records[records["field"].isin({"open", "high", "low", "close", "adj_close"})]
            check_positive(payload, prices.reset_index(drop=True), "value", "price")
            refuse_implausible_levels(payload, records, PRICE_FIELDS, "price")
        counts = records[records["field"].isin({"volume", "dividends", "split_ratio"}) & (records["value"] < 0)]
        if not counts.empty:
            row = counts.iloc[0]
            raise payload.error(f"{row['field']} {float(row['value'])!r} on {row['obs_date']} is negative",
                                line=int(row["_line"]))
        return Records("observations", records, skipped_missing=skipped)
