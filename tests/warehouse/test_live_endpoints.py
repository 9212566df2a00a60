"""Opt-in checks against the real endpoints, for a user with internet: `uv run pytest -m live --force-enable-socket`.

They never run by default (pyproject's addopts deselect the `live` marker and pytest-socket blocks sockets).
They check that each source still answers in the format its adapter reads.
"""

from __future__ import annotations

import os

import pytest

from tests.conftest import make_settings
from warehouse.jobs import ingest_job

pytestmark = pytest.mark.live

SERIES = ["CES6054150001", "indeed_us_total", "owid_ai_private_investment", "NVDA"]


@pytest.mark.parametrize("series_id", SERIES)
def test_live_source_answers_in_the_expected_format(tmp_path, series_id):
    settings = make_settings(tmp_path / "home")
    report = ingest_job(settings, "live", only={series_id})
    outcome = report.outcomes[0]
    assert outcome.status == "ok", outcome.error
    assert outcome.rows_added > 0


@pytest.mark.skipif(not os.environ.get("GAPCAST_SEC_USER_AGENT"), reason="needs GAPCAST_SEC_USER_AGENT")
@pytest.mark.parametrize("series_id", ["NVDA.fundamentals", "form_d_technology"])
def test_live_sec_sources(tmp_path, series_id):
    settings = make_settings(tmp_path / "home", sec_user_agent=os.environ["GAPCAST_SEC_USER_AGENT"])
    report = ingest_job(settings, "live", only={series_id})
    assert report.outcomes[0].status == "ok", report.outcomes[0].error
