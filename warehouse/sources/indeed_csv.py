"""Indeed Hiring Lab job-postings CSVs in every schema they were published in, all read onto one scale.

* the US aggregate tracker file (``date, jobcountry, <values>, variable``), whose value columns changed twice:
  ``pct_chng_feb_1`` (to 2022-04: the seasonally adjusted % change since 1 Feb 2020),
  ``seasonally_adjusted_pct_chng_feb_1, non_seasonally_adjusted_pct_chng_feb_1`` (2022-07..2022-10) and
  ``indeed_job_postings_index_SA, indeed_job_postings_index_NSA`` (from 2023-01);
* the by-sector tracker file (``..., display_name``) with ``pct_chng_feb_1`` (2022) or
  ``indeed_job_postings_index`` (from 2023);
* the data-portal export (``dateString, countryCode, sectorCode, ..., value``);
* a plain two-column series (``observation_date,IHLIDXUSTPSOFTDEVE`` from FRED, ``date,hiring_index``).

A % change is turned into the index (100 + change: both are % of 1 Feb 2020), so every vintage is on one
scale. Field ``value`` is the seasonally adjusted index where a file has one, ``value_nsa`` the unadjusted.
Rows need not be date-sorted.
"""

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

# The aggregate file's value columns, newest schema first: (SA column, NSA column or None, a % change?).
AGGREGATE_SCHEMAS = (
    ("indeed_job_postings_index_SA", "indeed_job_postings_index_NSA", False),
    ("seasonally_adjusted_pct_chng_feb_1", "non_seasonally_adjusted_pct_chng_feb_1", True),
    ("pct_chng_feb_1", None, True),  # to 2022-04; the same numbers as the later SA column (checked on the files)
)
# The by-sector file's value column (one series, seasonally adjusted), newest first: (column, a % change?).
SECTOR_SCHEMAS = (("indeed_job_postings_index", False), ("pct_chng_feb_1", True))
SERIES_DATE_COLUMNS = ("observation_date", "date", "DATE")
VARIABLES = ("total postings", "new postings")


def _columns(schema: tuple) -> list[str]:
    return [c for c in schema[:-1] if c]


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
        header = [c for c in frame.columns if c != "_line"]
        cols = set(header)
        params = payload.query.params
        country = str(params.get("country", "US"))
        layout = self._layout(payload, header)
        pct = False
        selector: tuple[str, str] | None = None
        country_col: str | None = None
        if layout == "portal":
            date_col, country_col = "dateString", "countryCode"
            if "sector_code" not in params:
                raise payload.error("the data-portal export needs params.sector_code in the catalog", line=1,
                                    hint="set params.sector_code, e.g. 'techsoftware'")
            selector = ("sectorCode", str(params["sector_code"]))
            value_cols = {"value": "value"}
        elif layout == "sector":
            date_col, country_col = "date", "jobcountry"
            if "sector" not in params:
                raise payload.error("the by-sector file needs params.sector in the catalog", line=1,
                                    hint="set params.sector to a display_name such as 'Software Development'")
            selector = ("display_name", str(params["sector"]))
            column, pct = next(((c, p) for c, p in SECTOR_SCHEMAS if c in cols), (None, False))
            if column is None:
                raise payload.error(
                    "missing column(s): no value column "
                    f"({' or '.join(repr(c) for c, _ in SECTOR_SCHEMAS)}) in the by-sector file; "
                    f"the header has {header}", line=1)
            value_cols = {"value": column}
        elif layout == "aggregate":
            date_col, country_col = "date", "jobcountry"
            selector = ("variable", str(params.get("variable", "total postings")))
            schema = next((s for s in AGGREGATE_SCHEMAS if cols & set(_columns(s))), None)
            if schema is None:
                expected = " or ".join(repr(s[0]) for s in AGGREGATE_SCHEMAS)
                raise payload.error(f"missing column(s): no value column ({expected}) in the aggregate file; "
                                    f"the header has {header}", line=1)
            sa, nsa, pct = schema
            value_cols = {"value": sa, **({"value_nsa": nsa} if nsa else {})}
        else:  # a plain series: a date and one value column
            date_col = next(c for c in SERIES_DATE_COLUMNS if c in cols)
            value_cols = {"value": next(c for c in header if c != date_col)}
        keys = [date_col] + ([country_col, selector[0]] if selector else [])
        required = keys + list(value_cols.values())
        missing = [c for c in required if c not in cols]
        if missing:
            raise payload.error(f"missing column(s) {missing} in the {layout} file; the header has {header}",
                                line=1, hint="check that the catalog names the right file for this series")
        if layout == "aggregate":
            # Only two variables exist; anything else is a damaged row (e.g. a file cut mid-word).
            odd = ~frame["variable"].str.strip().isin(VARIABLES)
            if odd.any():
                i = odd.idxmax()
                raise payload.error(f"unknown variable {frame['variable'][i]!r} (expected 'total postings' or "
                                    "'new postings'): is the file truncated?", line=int(frame["_line"][i]))
        chosen = frame
        if selector:
            chosen = frame[(frame[country_col].str.strip() == country)
                           & (frame[selector[0]].str.strip() == selector[1])]
            if layout == "portal" and "postingType" in cols:
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
        fields = {}
        for name, col in value_cols.items():
            numbers = parse_numbers(payload, chosen, col)
            # % change since 1 Feb 2020 -> index (1 Feb 2020 = 100); rounded so that 28.29 + 100 is 128.29,
            # the number a later index-schema vintage writes, and not a spurious revision of it.
            fields[name] = (numbers + 100.0).round(10) if pct else numbers
        records = long_frame(chosen, dates, fields, payload.query.series.unit or "index_feb2020_100")
        records = refuse_conflicting_duplicates(payload, records, ("obs_date", "field"))
        skipped = int(sum(v.isna().sum() for v in fields.values()))
        if str(payload.query.series.unit).lower().startswith("index"):  # an index level: value checks
            refuse_implausible_levels(payload, records, set(records["field"]), "index")
        return Records("observations", records, skipped_missing=skipped)

    @staticmethod
    def _layout(payload: Payload, header: list[str]) -> str:
        """Which file this is, from its header (and, for a tracker file without a display_name, whether the
        catalog asks for a sector: then the missing display_name is what gets reported)."""
        cols = set(header)
        params = payload.query.params
        aggregate_values = {c for s in AGGREGATE_SCHEMAS for c in _columns(s)} - {"pct_chng_feb_1"}
        tracker = bool(cols & {"jobcountry", "variable", "pct_chng_feb_1"} | cols & aggregate_values)
        if cols & {"sectorCode", "dateString", "countryCode"}:
            return "portal"
        if "display_name" in cols or "indeed_job_postings_index" in cols:
            return "sector"
        if tracker and "sector" in params and "variable" not in params and not cols & aggregate_values:
            return "sector"
        if tracker:
            return "aggregate"
        if len(header) == 2 and cols & set(SERIES_DATE_COLUMNS):
            return "series"
        if header == [c for c in header if c in SERIES_DATE_COLUMNS]:
            raise payload.error(f"missing column(s): no value column beside {header[0]!r}", line=1)
        raise payload.error(
            "missing column(s): not an Indeed Hiring Lab file (no 'jobcountry', 'display_name' or 'sectorCode' "
            "column, and not a two-column 'date,<value>' series); "
            f"the header has {header}",
            line=1,
            hint="expected the aggregate, by-sector or data-portal CSV, or a two-column series",
        )
