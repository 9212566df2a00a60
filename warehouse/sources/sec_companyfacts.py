"""SEC EDGAR XBRL company facts: quarterly revenue and capex as filed, with fourth quarters derived."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from warehouse.sources.base import Payload, PayloadError, Query, Records, SourceContext
from warehouse.sources.csvtools import refuse_conflicting_duplicates
from warehouse.sources.live import SecAdapter

URL = "https://data.sec.gov/api/xbrl/companyfacts/CIK{cik:010d}.json"
# In priority order: companies moved from Revenues / SalesRevenueNet to the ASC 606 concept around 2018.
REVENUE_CONCEPTS = (
    "RevenueFromContractWithCustomerExcludingAssessedTax",
    "Revenues",
    "SalesRevenueNet",
    "RevenueFromContractWithCustomerIncludingAssessedTax",
    "SalesRevenueGoodsNet",
)
CAPEX_CONCEPTS = (
    "PaymentsToAcquirePropertyPlantAndEquipment",
    "PaymentsToAcquireProductiveAssets",
    "PaymentsForCapitalImprovements",
)
FORMS = frozenset({"10-Q", "10-K", "10-Q/A", "10-K/A", "10-KT"})


@dataclass(frozen=True)
class Fact:
    start: date
    end: date
    value: float
    filed: date
    priority: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days


class SecCompanyFacts(SecAdapter):
    name = "sec_companyfacts"
    check_url = "https://data.sec.gov/"
    about = ("SEC EDGAR XBRL company facts (public domain): revenue and capex as filed in 10-Qs and 10-Ks, "
             "with the fourth quarter derived as the annual figure minus three quarters, and capex "
             "from year-to-date figures. Needs GAPCAST_SEC_USER_AGENT with a contact address; at most "
             "8 requests a second (SEC allows 10).")
    params_doc = {"cik": "the company's SEC central index key (a number)"}

    def queries(self, series, context: SourceContext | None = None) -> list[Query]:
        self.require_agent(series, context)
        if "cik" not in series.params:
            raise PayloadError("catalog", series.id, "no cik", hint="set params.cik to the company's CIK")
        return [Query(series, URL.format(cik=int(series.params["cik"])), dict(series.params))]

    def parse(self, payload: Payload) -> Records:
        try:
            doc = json.loads(payload.content)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise payload.error(f"the answer is not JSON ({exc.__class__.__name__}: {str(exc)[:80]})",
                                hint="run again later; SEC may have sent an error page") from None
        facts = doc.get("facts") if isinstance(doc, dict) else None
        if not isinstance(facts, dict) or "us-gaap" not in facts:
            raise payload.error("no us-gaap facts in the answer (a foreign filer reporting under IFRS?)",
                                hint="use a fundamentals source that covers this company")
        gaap = facts["us-gaap"]
        revenue = _quarterly(payload, _facts(gaap, REVENUE_CONCEPTS), "revenue")
        if not revenue:
            raise payload.error(f"none of the revenue concepts {list(REVENUE_CONCEPTS)} has quarterly USD values",
                                hint="add the concept this company uses to REVENUE_CONCEPTS")
        capex = _quarterly(payload, _facts(gaap, CAPEX_CONCEPTS), "capex")
        rows = []
        for field, quarters in (("revenue", revenue), ("capex", capex)):
            for (end, value, filed, fy, fq) in quarters:
                rows.append((end, field, value, "USD", filed))
                if field == "revenue":
                    rows.append((end, "fiscal_year", float(fy), "", filed))
                    rows.append((end, "fiscal_quarter", float(fq), "", filed))
        frame = pd.DataFrame(rows, columns=["obs_date", "field", "value", "unit", "published_at"])
        frame.insert(0, "entity", "")
        frame["_line"] = range(1, len(frame) + 1)
        limit = payload.retrieved_at.date() + timedelta(days=1)
        future = frame[(frame["obs_date"] > limit) | (frame["published_at"] > limit)]
        if not future.empty:
            raise payload.error(f"a fact dated {future['obs_date'].iloc[0]} is after the retrieval date")
        frame = refuse_conflicting_duplicates(payload, frame, ("obs_date", "field"))
        return Records("observations", frame.reset_index(drop=True))


def _facts(gaap: dict, concepts: tuple[str, ...]) -> list[Fact]:
    out = []
    for priority, concept in enumerate(concepts):
        for item in gaap.get(concept, {}).get("units", {}).get("USD", []):
            if item.get("form") not in FORMS or "start" not in item:
                continue
            try:
                out.append(Fact(date.fromisoformat(item["start"]), date.fromisoformat(item["end"]),
                                float(item["val"]), date.fromisoformat(item["filed"]), priority))
            except (KeyError, TypeError, ValueError):
                continue
    return out


def _quarterly(payload: Payload, facts: list[Fact], label: str):
    """(quarter end, value, first filed, fiscal year, fiscal quarter) for every quarter the facts pin down.

    Per period the highest-priority concept wins and, within it, the latest filing (restatements);
    'filed' is when a figure for that period was first public. A quarter not reported on its own is
    the difference of year-to-date figures (capex) or the annual figure minus three quarters (Q4).
    """
    periods: dict[tuple[date, date], list[Fact]] = defaultdict(list)
    for fact in facts:
        periods[(fact.start, fact.end)].append(fact)
    best: dict[tuple[date, date], tuple[float, date]] = {}
    for key, group in periods.items():
        top = min(f.priority for f in group)
        chosen = max((f for f in group if f.priority == top), key=lambda f: f.filed)
        best[key] = (chosen.value, min(f.filed for f in group))
    years = sorted((s, e, e.year) for (s, e) in best if 350 <= (e - s).days <= 380)
    # A fiscal year still running has no annual figure yet: it starts the day after the last one ended.
    if years:
        last_end = years[-1][1]
        running = [(s, e) for (s, e) in best if s == last_end + timedelta(days=1)]
        if running:
            label = (last_end + timedelta(days=365)).year
            years.append((last_end + timedelta(days=1), max(e for _, e in running), label))
    out = []
    for fy_start, fy_end, fiscal_year in years:
        cumulative = {e: best[(s, e)] for (s, e) in best if s == fy_start and e <= fy_end}
        direct = {(s, e): best[(s, e)] for (s, e) in best
                  if 80 <= (e - s).days <= 100 and fy_start <= s and e <= fy_end}
        ends = sorted({e for e in cumulative} | {e for (_, e) in direct})
        previous_end = fy_start - timedelta(days=1)
        for n, end in enumerate(ends, start=1):
            if n > 4:
                break
            quarter = direct.get((previous_end + timedelta(days=1), end))
            if quarter is not None:
                value, filed = quarter
            elif end in cumulative and (previous_end < fy_start or previous_end in cumulative):
                cum_value, cum_filed = cumulative[end]
                prior_value, prior_filed = (0.0, fy_start) if previous_end < fy_start else cumulative[previous_end]
                value, filed = cum_value - prior_value, max(cum_filed, prior_filed)
            elif end in cumulative and n == 4:
                # Q4 = annual - (Q1 + Q2 + Q3), each quarter as found above
                firsts = [q for q in out if q[5] == fy_start]
                if len(firsts) != 3:
                    break
                cum_value, cum_filed = cumulative[end]
                value, filed = cum_value - sum(q[1] for q in firsts), cum_filed
            else:
                break
            if label == "revenue" and value < 0:
                raise payload.error(f"derived {label} for the quarter ending {end} is negative ({value:,.0f})",
                                    hint="a restatement left the filed figures inconsistent; check the filings")
            out.append((end, value, filed, fiscal_year, n, fy_start))
            previous_end = end
    return [(end, value, filed, fy, n) for end, value, filed, fy, n, _ in out]
