"""Indeed Hiring Lab job-postings tracker CSVs: US aggregate, by sector, and the data-portal export."""

from __future__ import annotations

from warehouse.sources.base import Adapter, Payload, Records
from warehouse.sources.csvtools import (
    long_frame,
    parse_dates,
    parse_numbers,
    read_table,
    refuse_conflicting_duplicates,
    refuse_future,
)


class IndeedCsv(Adapter):
    name = "indeed_csv"
    params_doc = {
        "variable": "aggregate file: 'total postings' (default) or 'new postings'",
        "sector": "by-sector file: the display_name, e.g. 'Software Development'",
        "sector_code": "data-portal export: the sectorCode, e.g. 'techsoftware'",
        "country": "jobcountry / countryCode to keep (default US)",
    }

    def parse(self, payload: Payload) -> Records:
        frame = read_table(payload)
        header = set(frame.columns)
        params = payload.query.params
        country = str(params.get("country", "US"))
        if "indeed_job_postings_index_SA" in header:
            layout, date_col, country_col = "aggregate", "date", "jobcountry"
            selector = ("variable", str(params.get("variable", "total postings")))
            value_cols = {"value": "indeed_job_postings_index_SA", "value_nsa": "indeed_job_postings_index_NSA"}
        elif "display_name" in header:
            layout, date_col, country_col = "sector", "date", "jobcountry"
            if "sector" not in params:
                raise payload.error("the by-sector file needs params.sector in the catalog", line=1,
                                    hint="set params.sector to a display_name such as 'Software Development'")
            selector = ("display_name", str(params["sector"]))
            value_cols = {"value": "indeed_job_postings_index"}
        elif "sectorCode" in header:
            layout, date_col, country_col = "portal", "dateString", "countryCode"
            if "sector_code" not in params:
                raise payload.error("the data-portal export needs params.sector_code in the catalog", line=1,
                                    hint="set params.sector_code, e.g. 'techsoftware'")
            selector = ("sectorCode", str(params["sector_code"]))
            value_cols = {"value": "value"}
        else:
            raise payload.error(
                "not an Indeed Hiring Lab tracker file: no column 'indeed_job_postings_index_SA', "
                f"'display_name' or 'sectorCode'; the header has {sorted(header - {'_line'})}",
                line=1,
                hint="expected the aggregate, by-sector or data-portal CSV",
            )
        required = [date_col, country_col, selector[0], *value_cols.values()]
        missing = [c for c in required if c not in header]
        if missing:
            raise payload.error(f"missing column(s) {missing} in the {layout} file", line=1)
        if layout == "aggregate":
            # Only two variables exist; anything else is a damaged row (e.g. a file cut mid-word).
            odd = ~frame["variable"].str.strip().isin(["total postings", "new postings"])
            if odd.any():
                i = odd.idxmax()
                raise payload.error(f"unknown variable {frame['variable'][i]!r} (expected 'total postings' or "
                                    "'new postings'): is the file truncated?", line=int(frame["_line"][i]))
        chosen = frame[(frame[country_col].str.strip() == country) & (frame[selector[0]].str.strip() == selector[1])]
        if layout == "portal" and "postingType" in header:
            chosen = chosen[chosen["postingType"].str.strip() == "TOTAL"]
        if chosen.empty:
            found = sorted(frame[selector[0]].str.strip().unique())[:12]
            raise payload.error(
                f"no rows with {selector[0]} = {selector[1]!r} for {country}; found {found}",
                hint="correct the catalog parameter",
            )
        chosen = chosen.reset_index(drop=True)
        dates = parse_dates(payload, chosen, date_col)
        refuse_future(payload, chosen, dates, date_col)
        fields = {name: parse_numbers(payload, chosen, col) for name, col in value_cols.items()}
        records = long_frame(chosen, dates, fields, payload.query.series.unit or "index_feb2020_100")
        records = refuse_conflicting_duplicates(payload, records, ("obs_date", "field"))
        skipped = int(sum(v.isna().sum() for v in fields.values()))
        return Records("observations", records, skipped_missing=skipped)
