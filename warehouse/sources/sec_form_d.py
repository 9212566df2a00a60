"""SEC Form D quarterly data sets: private offerings by technology issuers, by month of first sale."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pandas as pd

from warehouse.sources.base import Payload, Query, Records, SourceContext
from warehouse.sources.live import SecAdapter

URL = "https://www.sec.gov/files/structureddata/data/form-d-data-sets/{year}q{quarter}_d.zip"
TECH_GROUPS = ("Computers", "Telecommunications", "Other Technology")
_SALE_DATE_FORMATS = ("%Y-%m-%d", "%d-%b-%Y", "%m/%d/%Y")


def quarters_between(first: str, today: date) -> list[tuple[int, int]]:
    """Every quarter from `first` ('2015q1') to the last one finished before today."""
    year, quarter = int(first[:4]), int(first[-1])
    last = (today.year, (today.month - 1) // 3)  # quarter number 0 means the previous year's Q4
    if last[1] == 0:
        last = (today.year - 1, 4)
    out = []
    while (year, quarter) <= last:
        out.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


class SecFormD(SecAdapter):
    name = "sec_form_d"
    check_url = "https://www.sec.gov/"
    about = ("SEC Form D quarterly data sets (public domain): new private offerings (amendments left out) by "
             "industry group, counted and summed by month of first sale. One zip a quarter, published "
             "after the quarter ends; quarters already loaded are not fetched again, except the latest "
             "two, which SEC may still complete. Needs GAPCAST_SEC_USER_AGENT.")
    params_doc = {
        "first_quarter": "first data set to load, e.g. '2015q1' (default)",
        "industry_groups": "INDUSTRYGROUPTYPE values to count (default: Computers, Telecommunications, "
                           "Other Technology)",
        "industry_group": "one industry group label for the catalog (informational)",
    }

    def queries(self, series, context: SourceContext | None = None) -> list[Query]:
        self.require_agent(series, context)
        today = context.today if context is not None else date.today()
        quarters = quarters_between(str(series.params.get("first_quarter", "2015q1")), today)
        loaded = context.loaded_origins if context is not None else frozenset()
        out = []
        for i, (year, quarter) in enumerate(quarters):
            url = URL.format(year=year, quarter=quarter)
            recent = i >= len(quarters) - 2
            if url in loaded and not recent:
                continue  # a finished data set does not change
            out.append(Query(series, url, {**series.params, "_dataset": f"{year}q{quarter}",
                                           "_may_be_missing": recent}))
        return out

    def fetch(self, query: Query, context: SourceContext | None = None) -> Payload | None:
        if not query.params.get("_may_be_missing"):
            return super().fetch(query, context)
        fetched = context.http.get(query.location, source=self.name, headers=self.headers(context),
                                   not_found_ok=True)
        if fetched is None:
            return None  # not published yet
        return Payload(query=query, content=fetched.content, origin=fetched.url, retrieved_at=fetched.retrieved_at)

    def parse(self, payload: Payload) -> Records:
        dataset = str(payload.query.params.get("_dataset", "unknown"))
        groups = set(payload.query.params.get("industry_groups") or TECH_GROUPS)
        try:
            archive = zipfile.ZipFile(io.BytesIO(payload.content))
        except zipfile.BadZipFile:
            head = payload.content[:200].lower()
            what = "an HTML page" if b"<html" in head or b"<!doctype" in head else "not a zip archive"
            raise payload.error(f"the data set is {what} (truncated or an error page)",
                                hint="run again later; the download may have been cut") from None
        names = {n.rsplit("/", 1)[-1].upper(): n for n in archive.namelist()}
        if "OFFERING.TSV" not in names:
            raise payload.error(f"no OFFERING.tsv in the archive (it holds {sorted(names)[:8]})",
                                hint="SEC may have changed the data set layout")
        try:
            text = archive.read(names["OFFERING.TSV"]).decode("utf-8", errors="replace")
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise payload.error(f"OFFERING.tsv cannot be read ({exc})", hint="download the data set again") from None
        reader = csv.DictReader(io.StringIO(text), delimiter="\t")
        required = {"INDUSTRYGROUPTYPE", "SALE_DATE", "TOTALAMOUNTSOLD", "ISAMENDMENT"}
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise payload.error(f"OFFERING.tsv lacks column(s) {sorted(missing)}", line=1,
                                hint="SEC may have renamed columns; update the adapter")
        counts: dict[date, int] = {}
        amounts: dict[date, float] = {}
        for line, row in enumerate(reader, start=2):
            if (row.get("INDUSTRYGROUPTYPE") or "").strip() not in groups:
                continue
            if (row.get("ISAMENDMENT") or "").strip().lower() in {"true", "1", "y", "yes"}:
                continue
            sale = _sale_date(row.get("SALE_DATE"))
            if sale is None:
                continue  # "yet to occur" offerings have no first sale
            if sale > payload.retrieved_at.date():
                raise payload.error(f"SALE_DATE {row.get('SALE_DATE')!r} is after the retrieval date", line=line)
            month = sale.replace(day=1)
            counts[month] = counts.get(month, 0) + 1
            amount = _amount(row.get("TOTALAMOUNTSOLD"))
            if amount is not None:
                amounts[month] = amounts.get(month, 0.0) + amount
        rows = [(dataset, m, "offerings", float(n), "count") for m, n in counts.items()]
        rows += [(dataset, m, "amount_sold_usd", v, "USD") for m, v in amounts.items()]
        frame = pd.DataFrame(rows, columns=["entity", "obs_date", "field", "value", "unit"])
        frame["published_at"] = None
        frame["_line"] = 0
        return Records("observations", frame)


def _sale_date(text: str | None) -> date | None:
    text = (text or "").strip()
    for fmt in _SALE_DATE_FORMATS:
        try:
            return pd.to_datetime(text, format=fmt).date()
        except (ValueError, TypeError):
            continue
    return None


def _amount(text: str | None) -> float | None:
    try:
        value = float((text or "").replace(",", "").strip())
    except ValueError:
        return None  # "Indefinite"
    return value if value >= 0 else None
