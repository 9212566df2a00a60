"""Our World in Data grapher CSV downloads (e.g. AI private investment, annual)."""

from __future__ import annotations

from warehouse.sources.base import Payload, Query, Records, SourceContext
from warehouse.sources.live import HttpAdapter
from warehouse.sources.owid_csv import OwidCsv

BASE_URL = "https://ourworldindata.org/grapher/"


class OwidGrapher(HttpAdapter):
    name = "owid_grapher"
    check_url = "https://ourworldindata.org/"
    about = "Our World in Data grapher CSVs (CC BY 4.0): annual values by country or region."
    params_doc = {"slug": "the chart's slug, e.g. private-investment-in-artificial-intelligence",
                  **OwidCsv.params_doc}

    def queries(self, series, context: SourceContext | None = None) -> list[Query]:
        url = f"{BASE_URL}{series.params['slug']}.csv"
        return [Query(series, url, {**series.params,
                                    "_http_params": {"v": "1", "csvType": "full", "useColumnShortNames": "false"}})]

    def parse(self, payload: Payload) -> Records:
        return OwidCsv().parse(payload)
