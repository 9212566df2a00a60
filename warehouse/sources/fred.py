"""FRED: any series by id, from the public CSV download, or from the API when FRED_API_KEY is set."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd

from warehouse.sources.base import Payload, Query, Records, SourceContext
from warehouse.sources.csvtools import refuse_conflicting_duplicates, refuse_future
from warehouse.sources.fred_csv import FredCsv
from warehouse.sources.live import HttpAdapter

CSV_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
API_URL = "https://api.stlouisfed.org/fred/series/observations"


class Fred(HttpAdapter):
    name = "fred"
    check_url = "https://fred.stlouisfed.org/"
    about = ("FRED (St. Louis Fed): any series by id. Public CSV download without a key; the API with "
             "FRED_API_KEY (120 requests a minute). Full history on the first pull, then from the last stored "
             "observation minus the revision window.")
    params_doc = {
        "fred_id": "the FRED series id (default: the series id)",
        "revision_days": "days before the last stored observation to pull again, for revisions (default 730)",
        "scale": "multiply values by this",
    }

    def queries(self, series, context: SourceContext | None = None) -> list[Query]:
        fred_id = str(series.params.get("fred_id", series.id))
        start = None
        if context is not None:
            last = context.last_date(series.id, "value")
            if last is not None:
                start = last - timedelta(days=int(series.params.get("revision_days", 730)))
        key = context.settings.fred_api_key if context is not None else None
        if key:
            http_params = {"series_id": fred_id, "api_key": key, "file_type": "json"}
            if start:
                http_params["observation_start"] = start.isoformat()
            return [Query(series, API_URL, {**series.params, "_http_params": http_params, "_format": "json"})]
        http_params = {"id": fred_id}
        if start:
            http_params["cosd"] = start.isoformat()
        return [Query(series, CSV_URL, {**series.params, "_http_params": http_params, "_format": "csv"})]

    def parse(self, payload: Payload) -> Records:
        if payload.query.params.get("_format") != "json":
            # The download is the `observation_date,<ID>` form the file adapter reads.
            column = str(payload.query.params.get("fred_id", payload.series_id))
            csv_payload = Payload(
                query=Query(payload.query.series, payload.query.location,
                            {"column": column, **({"scale": payload.query.params["scale"]}
                                                  if "scale" in payload.query.params else {})},
                            payload.query.retrieved_at),
                content=payload.content, origin=payload.origin, retrieved_at=payload.retrieved_at)
            return FredCsv().parse(csv_payload)
        try:
            doc = json.loads(payload.content)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise payload.error(f"the API answer is not JSON ({exc.__class__.__name__})",
                                hint="run again later; FRED may have returned an error page") from None
        if not isinstance(doc, dict) or "observations" not in doc:
            message = doc.get("error_message") if isinstance(doc, dict) else None
            raise payload.error(f"the API answer has no observations{': ' + message if message else ''}",
                                hint="check fred_id in the catalog and FRED_API_KEY")
        rows = doc["observations"]
        frame = pd.DataFrame({
            "date": [r.get("date") for r in rows],
            "value": [r.get("value") for r in rows],
            "_line": range(1, len(rows) + 1),  # the observation's position in the answer
        })
        if frame.empty:
            raise payload.error("the API returned no observations", hint="check fred_id and the start date")
        dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
        if dates.isna().any():
            i = dates.isna().idxmax()
            raise payload.error(f"observation {i + 1} has date {frame['date'][i]!r}", line=i + 1)
        frame["obs_date"] = dates.dt.date
        refuse_future(payload, frame, frame["obs_date"], "date")
        missing = frame["value"].isin([".", "", None])
        values = pd.to_numeric(frame["value"].where(~missing), errors="coerce")
        bad = values.isna() & ~missing
        if bad.any():
            i = bad.idxmax()
            raise payload.error(f"observation {i + 1} has a non-numeric value {frame['value'][i]!r}", line=i + 1)
        if "scale" in payload.query.params:
            values = values * float(payload.query.params["scale"])
        records = pd.DataFrame({"entity": "", "obs_date": frame["obs_date"], "field": "value", "value": values,
                                "unit": payload.query.series.unit or "", "published_at": None,
                                "_line": frame["_line"]})
        records = records[records["value"].notna()].reset_index(drop=True)
        records = refuse_conflicting_duplicates(payload, records, ("obs_date", "field"))
        return Records("observations", records, skipped_missing=int(missing.sum()))


