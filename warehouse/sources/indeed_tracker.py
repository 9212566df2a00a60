"""Indeed Hiring Lab's job_postings_tracker CSVs on GitHub; every pull is kept as a vintage (Indeed revises)."""

from __future__ import annotations

from warehouse.sources.base import Payload, Query, Records, SourceContext
from warehouse.sources.indeed_csv import IndeedCsv
from warehouse.sources.live import HttpAdapter

BASE_URL = "https://raw.githubusercontent.com/hiring-lab/job_postings_tracker/master/"


class IndeedTracker(HttpAdapter):
    name = "indeed_tracker"
    check_url = "https://raw.githubusercontent.com/"
    about = ("Indeed Hiring Lab job postings tracker (GitHub, CC BY 4.0): daily indexes since 2020-02-01, "
             "US aggregate and by sector. The whole file is pulled each time (conditional request: an "
             "unchanged file is not downloaded); revised history is kept as a new vintage.")
    params_doc = {
        "file": "path in the repository, e.g. US/aggregate_job_postings_US.csv",
        **IndeedCsv.params_doc,
    }

    def queries(self, series, context: SourceContext | None = None) -> list[Query]:
        return [Query(series, BASE_URL + str(series.params["file"]), dict(series.params))]

    def parse(self, payload: Payload) -> Records:
        return IndeedCsv().parse(payload)
