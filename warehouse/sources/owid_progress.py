"""Our World in Data's AI-progress files in the copies the snapshot holds (PROVENANCE.md: owid_ai/).

``params.table`` says which:

* ``benchmark_progress`` (``ai_benchmark_progress.csv``: ``Year, <domain>, ...``): AI systems' test scores
  relative to human performance (0 = human, -100 = the first score of the domain), one column per domain
  (handwriting, image and speech recognition, language understanding, predictive reasoning, reading
  comprehension). Field ``owid:<domain>``, dated at the end of its year (an annual figure is known once the year
  is over).
* ``compute_price`` (``dollars_per_compute.csv``: ``Day, GFLOPCost, Entity``): the price of a GFLOP/s of computing
  on a machine or GPU, dated by its day. Field ``usd_per_gflops``, one entity per machine.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from warehouse.sources.base import Adapter, Payload, Records
from warehouse.sources.csvtools import (
    check_positive,
    is_missing,
    parse_dates,
    parse_numbers,
    read_table,
    refuse_conflicting_duplicates,
    refuse_future,
)

TABLES = ("benchmark_progress", "compute_price")


class OwidProgress(Adapter):
    name = "owid_progress"
    params_doc = {"table": "benchmark_progress (scores relative to humans by year) or compute_price ($ per GFLOP/s)"}
    about = "Our World in Data AI progress (CSV): test scores relative to humans; the price of computing"

    def parse(self, payload: Payload) -> Records:
        table = payload.query.params.get("table")
        if table not in TABLES:
            raise payload.error(f"params.table is {table!r}, expected one of {TABLES}",
                                hint="set params.table in the catalog")
        return self._benchmark(payload) if table == "benchmark_progress" else self._price(payload)

    def _benchmark(self, payload: Payload) -> Records:
        frame = read_table(payload, required=("Year",))
        domains = [c for c in frame.columns if c not in ("Year", "_line")]
        if not domains:
            raise payload.error("no domain column beside 'Year'", line=1)
        years = parse_numbers(payload, frame, "Year", what="year")
        # An annual figure counts once its year is over: a year not ended by the retrieval is refused.
        bad = years.isna() | (years != years.round()) | (years < 1900) | (years >= payload.retrieved_at.year)
        if bad.any():
            i = bad.idxmax()
            raise payload.error(f"column 'Year' has {frame['Year'][i]!r}, not a year ended before the file was "
                                f"retrieved ({payload.retrieved_at:%Y-%m-%d})", line=int(frame["_line"][i]))
        parts, skipped = [], 0
        for domain in domains:
            values = parse_numbers(payload, frame, domain, what="score")
            out = values.notna() & ((values < -1000) | (values > 1000))
            if out.any():
                i = out.idxmax()
                raise payload.error(f"column {domain!r} has {values[i]!r}: a score relative to humans lies "
                                    "within -1000..1000", line=int(frame["_line"][i]))
            skipped += int(values.isna().sum())
            parts.append(pd.DataFrame({
                "entity": "", "obs_date": [date(int(y), 12, 31) for y in years], "field": f"owid:{domain.strip()}",
                "value": values, "unit": "score relative to human (0 = human)", "published_at": None,
                "_line": frame["_line"]})[values.notna()])
        records = pd.concat(parts, ignore_index=True)
        records = refuse_conflicting_duplicates(payload, records, ("entity", "obs_date", "field"))
        return Records("observations", records, skipped_missing=skipped)

    def _price(self, payload: Payload) -> Records:
        frame = read_table(payload, required=("Day", "GFLOPCost", "Entity"))
        unpriced = is_missing(frame["GFLOPCost"])
        frame = frame[~unpriced].reset_index(drop=True)
        if frame.empty:
            raise payload.error("no row has a 'GFLOPCost'")
        dates = parse_dates(payload, frame, "Day")
        refuse_future(payload, frame, dates, "Day")
        values = parse_numbers(payload, frame, "GFLOPCost", what="price")
        records = pd.DataFrame({"entity": frame["Entity"].astype(str).str.strip(), "obs_date": dates,
                                "field": "usd_per_gflops", "value": values, "unit": "USD per GFLOP/s",
                                "published_at": None, "_line": frame["_line"]})
        check_positive(payload, records, "value", "price")
        records = refuse_conflicting_duplicates(payload, records, ("entity", "obs_date", "field"))
        return Records("observations", records, skipped_missing=int(unpriced.sum()))
