"""The Prefect flows under prefect_test_harness, the failure alert, and `gapcast serve` end to end."""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import make_settings, query

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


@pytest.fixture(scope="session")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    # A loaded CI machine can take longer than the default 30 s to start the temporary server.
    with prefect_test_harness(server_startup_timeout=180):
        yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_monthly_flow_end_to_end_on_the_sample(harness, tmp_path):
    from prefect import get_client

    from flows.pipeline import monthly

    home = tmp_path / "home"
    state = monthly(home=str(home), catalog="sample", month="2026-10", return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    assert set(result["daily"]["ingest"]["sources"]) == {"yahoo_csv", "fmp_csv", "fred_csv", "indeed_csv",
                                                        "layoffs_csv", "owid_csv"}
    assert result["daily"]["ingest"]["failed"] == {}
    assert result["daily"]["build"]["checks_passed"] == result["daily"]["build"]["checks"]
    report = result["report"]
    for key in ("pdf", "html", "csv"):
        assert os.path.exists(report[key]) and "SYNTHETIC" in report[key]
    settings = make_settings(home)
    probability = query(settings.analytics_db, "SELECT probability FROM marts.cooling_probability WHERE "
                                               "target_series = 'IHLIDXUSTPSOFTDEVE' AND headline")[0][0]
    assert report["headline"] == f"{probability:.0%}"

    import anyio

    async def task_names():
        async with get_client() as client:
            runs = await client.read_task_runs()
            return [r.name for r in runs]

    names = anyio.run(task_names)
    assert sum(n.startswith("ingest-source") for n in names) >= 6  # one task per source
    assert any(n.startswith("publish") for n in names) and any(n.startswith("report") for n in names)


@pytest.mark.slow
def test_backtest_flow_scores_and_publishes(harness, tmp_path):
    from flows.pipeline import backtest, daily

    home = tmp_path / "home"
    assert daily(home=str(home), catalog="sample", return_state=True).is_completed()
    state = backtest(home=str(home), return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    assert set(result.origins) == {"IHLIDXUSTPSOFTDEVE", "JTU5100JOL", "CES6054150001", "USINFO", "PAYEMS"}
    assert result.runner.startswith("Dask LocalCluster")  # two workers in catalogs/cooling.toml
    db = make_settings(home).analytics_db
    models = {m for (m,) in query(db, "SELECT DISTINCT model FROM marts.backtest_scores")}
    assert models == {"sarimax", "arima", "arima_gap_sample", "arima_robust", "nowcast", "regimes", "random_walk",
                      "seasonal_naive", "drift", "climatology", "headline"}
    assert query(db, "SELECT bool_and(synthetic) FROM marts.backtest_forecasts")[0][0]  # labelled synthetic
    # the paired skills: SARIMAX against the same fit without the gap (the gap's test), every other model against the
    # default; and the gap test by Diebold-Mariano, its decision on every row of a target
    gap = query(db, "SELECT DISTINCT model, origins FROM marts.backtest_scores WHERE metric = 'brier_skill_vs_no_gap'")
    assert gap == [("sarimax", "all")]
    decisions = query(db, "SELECT target_series, count(DISTINCT decision), bool_and(synthetic) FROM "
                          "marts.backtest_gap_test GROUP BY ALL")
    assert decisions and all(n == 1 and synthetic for _, n, synthetic in decisions)
    paired = {m for (m,) in query(db, "SELECT DISTINCT model FROM marts.backtest_scores "
                                      "WHERE metric = 'brier_skill_vs_default'")}
    assert paired and not paired & {"sarimax", "climatology", "regimes"}
    verdicts = [v for (v,) in query(db, "SELECT verdict FROM marts.backtest_scores WHERE metric LIKE 'brier_skill_vs_%'")]
    assert all(any(w in v for w in ("beats", "worse than", "no demonstrated difference", "not scored"))
               for v in verdicts), verdicts


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def test_a_failing_source_is_isolated_and_the_failed_run_alerts(harness, tmp_path, monkeypatch, data_root):
    from flows import pipeline

    src = tmp_path / "src"
    src.mkdir()
    (src / "nvda.csv").write_text("Date,Close\n2026-07-31,180.5\n2026-08-03,182.25\n")
    (src / "bad.csv").write_text("<html><body>502 Bad Gateway</body></html>")
    catalog = src / "c.toml"
    catalog.write_text(
        '[catalog]\nname = "c"\nroot = "catalog"\n'
        '[[series]]\nid = "NVDA"\nkind = "price"\nfrequency = "daily"\nadapter = "yahoo_csv"\nunit = "USD"\n'
        'payloads = [{ path = "nvda.csv", retrieved_at = "2026-08-03" }]\n'
        '[[series]]\nid = "USINFO"\nkind = "hiring"\nfrequency = "monthly"\nadapter = "fred_csv"\n'
        'payloads = [{ path = "bad.csv", retrieved_at = "2026-08-03" }]\n')
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        for key, value in {"GAPCAST_SMTP_HOST": "127.0.0.1", "GAPCAST_SMTP_PORT": str(controller.port),
                           "GAPCAST_SMTP_SECURITY": "none", "GAPCAST_EMAIL_FROM": "gapcast@example.com",
                           "GAPCAST_EMAIL_TO": "analyst@example.com"}.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(pipeline, "ingest_source_task",
                            pipeline.ingest_source_task.with_options(retry_delay_seconds=0))
        home = tmp_path / "home"
        state = pipeline.daily(home=str(home), catalog=str(catalog), return_state=True)
    finally:
        controller.stop()
    assert state.is_failed()
    assert "fred_csv" in state.message or "fred_csv" in str(state.result(raise_on_failure=False))
    settings = make_settings(home)
    # The good source was loaded, built and published despite the failure.
    assert query(settings.analytics_db, "SELECT max(date) FROM marts.prices_daily WHERE ticker = 'NVDA'")[0][0] \
        .isoformat() == "2026-08-03"
    attempts = query(settings.pipeline_db, "SELECT count(*) FROM meta.ingest_attempts WHERE series_id = 'USINFO' "
                                           "AND status = 'failed'")[0][0]
    assert attempts == 3  # tried, then retried twice
    assert len(inbox.messages) == 1
    alert = inbox.messages[0]
    assert alert["Subject"] == "[gapcast alert] gapcast-daily failed"
    assert "USINFO" in alert.get_content() or "fred_csv" in alert.get_content()


@pytest.mark.slow
def test_serve_registers_the_deployments_and_stops_cleanly(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "GAPCAST_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--home", str(home)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        lines = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        api = next(line.split()[-1] for line in lines if line.startswith("Prefect API:"))
        assert api.startswith("http://127.0.0.1:")
        # The deployments, their schedules and time zones, as the server holds them.
        deployments = []
        for _ in range(60):
            request = urllib.request.Request(f"{api}/deployments/filter", data=b"{}", method="POST",
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=5) as response:
                deployments = json.loads(response.read())
            if len(deployments) == 5:
                break
            time.sleep(0.5)
        by_name = {d["name"]: d for d in deployments}
        assert set(by_name) == {"daily", "monthly", "backtest", "year-end-review", "march-results"}
        daily = by_name["daily"]["schedules"][0]["schedule"]
        assert daily["cron"] == "30 18 * * 1-5" and daily["timezone"] == "America/New_York"
        monthly = by_name["monthly"]["schedules"][0]["schedule"]
        assert "BYSETPOS=1" in monthly["rrule"] and monthly["timezone"] == "America/New_York"
        backtest = by_name["backtest"]["schedules"][0]["schedule"]
        assert "BYSETPOS=-1" in backtest["rrule"] and backtest["timezone"] == "America/New_York"
        assert not any(d["paused"] for d in deployments)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        assert time.monotonic() - started < 30
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert _processes_of(home) == []  # the server and the serving process are gone too


def _processes_of(home) -> list[int]:
    """Live processes started for this home (they inherit GAPCAST_HOME from `gapcast serve`)."""
    marker = f"GAPCAST_HOME={home}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if marker in fh.read().split(b"\0"):
                    found.append(int(entry))
        except OSError:
            continue
    return found
