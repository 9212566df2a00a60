"""Source adapters: one module per source, all behind warehouse.sources.base.Adapter."""

from __future__ import annotations

from warehouse.sources.base import Adapter
from warehouse.sources.epoch_ai_companies import EpochAiCompanies
from warehouse.sources.conceptstocks_income import ConceptStocksIncome
from warehouse.sources.conceptstocks_segments import ConceptStocksSegments
from warehouse.sources.epoch_benchmarks import EpochBenchmarks
from warehouse.sources.epoch_csv import EpochCsv
from warehouse.sources.epoch_eci import EpochEci
from warehouse.sources.fmp_csv import FmpCsv
from warehouse.sources.fred_csv import FredCsv
from warehouse.sources.indeed_csv import IndeedCsv
from warehouse.sources.layoffs_csv import LayoffsCsv
from warehouse.sources.owid_csv import OwidCsv
from warehouse.sources.fred import Fred
from warehouse.sources.funding_rounds_csv import FundingRoundsCsv
from warehouse.sources.indeed_tracker import IndeedTracker
from warehouse.sources.layoffs_url import LayoffsUrl
from warehouse.sources.metr_yaml import MetrYaml
from warehouse.sources.owid_grapher import OwidGrapher
from warehouse.sources.owid_progress import OwidProgress
from warehouse.sources.sec_companyfacts import SecCompanyFacts
from warehouse.sources.sec_form_d import SecFormD
from warehouse.sources.swebench_json import SwebenchJson
from warehouse.sources.yahoo_csv import YahooCsv
from warehouse.sources.yfinance_prices import YFinancePrices

ADAPTERS: dict[str, type[Adapter]] = {
    cls.name: cls
    for cls in (
        # files in the real formats
        YahooCsv, FredCsv, IndeedCsv, FmpCsv, LayoffsCsv, OwidCsv, EpochCsv, FundingRoundsCsv, EpochAiCompanies,
        ConceptStocksIncome, ConceptStocksSegments, EpochEci, MetrYaml,
        SwebenchJson, EpochBenchmarks, OwidProgress,
        # live sources
        YFinancePrices, Fred, SecCompanyFacts, SecFormD, IndeedTracker, OwidGrapher, LayoffsUrl,
    )
}


def adapter_for(name: str) -> Adapter:
    return ADAPTERS[name]()
