"""Source adapters: one module per source, all behind warehouse.sources.base.Adapter."""

from __future__ import annotations

from warehouse.sources.base import Adapter
from warehouse.sources.epoch_csv import EpochCsv
from warehouse.sources.fmp_csv import FmpCsv
from warehouse.sources.fred_csv import FredCsv
from warehouse.sources.indeed_csv import IndeedCsv
from warehouse.sources.layoffs_csv import LayoffsCsv
from warehouse.sources.owid_csv import OwidCsv
from warehouse.sources.yahoo_csv import YahooCsv

ADAPTERS: dict[str, type[Adapter]] = {
    cls.name: cls for cls in (YahooCsv, FredCsv, IndeedCsv, FmpCsv, LayoffsCsv, OwidCsv, EpochCsv)
}

# Live adapters the live catalog names; they arrive with the live-sources work.
PLANNED_LIVE_ADAPTERS: dict[str, str] = {
    "yfinance": "Yahoo Finance prices, shares and statements through yfinance",
    "sec_companyfacts": "SEC EDGAR XBRL company facts (revenue, capex)",
    "fred": "FRED series by id (CSV download or API)",
    "indeed_tracker": "Indeed Hiring Lab job_postings_tracker CSVs from GitHub",
    "sec_form_d": "SEC Form D quarterly data sets (funding)",
    "owid_grapher": "Our World in Data grapher CSVs",
    "layoffs_url": "a layoffs.fyi-format CSV at a configured URL",
}


def adapter_for(name: str) -> Adapter:
    return ADAPTERS[name]()
