"""Helpers for the dashboard tests: a published database with model fixture tables, the dashboard served on
127.0.0.1, and headless Chromium driven over the DevTools protocol."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import duckdb

from warehouse.settings import PROJECT_ROOT

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--force-device-scale-factor=1",
]


# --- a published database with the tables the model issues will add -----------------------------------

FIXTURE_TARGETS = ("IHLIDXUSTPSOFTDEVE", "JTU5100JOL", "CES6054150001")
FIXTURE_PROBABILITIES = {  # (target, season) -> P(cooling): the numbers the pages must show
    ("IHLIDXUSTPSOFTDEVE", "2026-27"): 0.62, ("IHLIDXUSTPSOFTDEVE", "2027-28"): 0.41,
    ("JTU5100JOL", "2026-27"): 0.37, ("JTU5100JOL", "2027-28"): 0.29,
    ("CES6054150001", "2026-27"): 0.18, ("CES6054150001", "2027-28"): 0.23,
}
FIXTURE_SQL = """
CREATE OR REPLACE TABLE marts.divergence_monthly AS
WITH months AS (
    SELECT CAST(date_trunc('month', date) AS DATE) AS month, arg_max(price_to_sales, date) AS price_to_sales,
           arg_max(members, date) AS members
    FROM marts.ai_basket_daily GROUP BY 1
), numbered AS (SELECT *, row_number() OVER (ORDER BY month) AS i, count(*) OVER () AS n FROM months)
SELECT month, members, price_to_sales, ln(price_to_sales) AS log_price_to_sales,
       (ln(price_to_sales) - avg(ln(price_to_sales)) OVER w) / nullif(stddev_samp(ln(price_to_sales)) OVER w, 0)
           AS ps_zscore,
       0.4 * sin(i / 9.0) + 0.1 * (i / n) AS coint_gap_eg,
       0.05 + 0.1 * cos(i / 14.0) AS capex_gap,
       'reported' AS revenue_basis, synthetic_flag AS synthetic, 'fixture' AS run_id
FROM numbered, (SELECT any_value(synthetic) AS synthetic_flag FROM marts.ai_basket_daily)
WINDOW w AS (ORDER BY month ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING);

CREATE OR REPLACE TABLE marts.bubble_episodes AS
SELECT * FROM (VALUES
    ('ai_basket_price_to_sales', DATE '2021-02-01', DATE '2021-09-01', DATE '2021-12-01', 10, false),
    ('ai_basket_price_to_sales', DATE '2024-03-01', DATE '2024-07-01', NULL, 30, true)
) AS t(series, "start", peak, "end", duration, ongoing);

CREATE OR REPLACE TABLE marts.bubble_statistics AS
SELECT * FROM (VALUES
    ('ai_basket_price_to_sales', 3.412, 2.052, true, 2, true),
    ('price_to_sales:NVDA', 1.234, 2.052, false, 0, false)
) AS t(series, gsadf, gsadf_cv95, rejects_gsadf, episodes, ongoing);

CREATE OR REPLACE TABLE marts.tech_basket_monthly AS
SELECT 'fixture' AS run_id, month, members, ['MSFT', 'NVDA'] AS member_tickers, price_to_sales, ps_zscore,
       month BETWEEN DATE '2021-02-01' AND DATE '2021-09-01' AS in_bubble_episode, synthetic
FROM marts.divergence_monthly;

CREATE OR REPLACE TABLE marts.thesis_tests AS
SELECT 'fixture' AS run_id, 'local_projection' AS test, 'b' AS link, 'gap z-score' AS measure, 'USINFO' AS target,
       h AS horizon, 0.15 * h AS estimate, 0.05 * h AS std_error, 0.07 * h AS lo, 0.23 * h AS hi, 0.01 AS p_value,
       300 AS n, 'a one-sd higher gap z-score precedes the USINFO level higher (fixture)' AS verdict, true AS synthetic
FROM range(1, 25) AS r(h)
UNION ALL
SELECT 'fixture', 'granger', 'b', 'gap z-score', 'USINFO', 4, 1.2, NULL, NULL, NULL, 0.31, 300,
       'gap z-score -> USINFO: no evidence of Granger causality (fixture)', true;

CREATE OR REPLACE TABLE marts.backtest_gap_test AS
SELECT * FROM (VALUES
    ('fixture', 'USINFO', NULL, 'crps', 1.26, 1.20, 0.06, 0.05, 0.5, 0.61, 358,
     'no evidence the gap changes the CRPS (+5.0%, DM p 0.610, 358 origins) (fixture)', false,
     'the gap is left out: CRPS over horizons 1-9: no evidence (fixture)', true),
    ('fixture', 'USINFO', NULL, 'brier_live', 0.24, 0.22, 0.02, 0.1, 0.8, 0.42, 30,
     'no evidence the gap changes the live-lead Brier score (fixture)', false,
     'the gap is left out: CRPS over horizons 1-9: no evidence (fixture)', true),
    ('fixture', 'JTU5100JOL', NULL, 'crps', 18.0, 18.3, -0.3, -0.016, -2.1, 0.04, 254,
     'the gap lowers the CRPS by 1.6% (DM p 0.040, 254 origins) (fixture)', true,
     'the gap is used: CRPS over horizons 1-9: the gap lowers the CRPS (fixture)', true)
) AS t(run_id, target_series, horizon, metric, with_gap, without_gap, difference, relative, statistic, p_value, n,
       verdict, uses_gap, decision, synthetic);
"""


def publish_copy(source: Path, home: Path) -> Path:
    """Publish a copy of a published database into another home as db.publish does: write aside, rename over."""
    home.mkdir(parents=True, exist_ok=True)
    target = home / "analytics.duckdb"
    tmp = home / ".analytics.copy.tmp.duckdb"
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
    return target


def add_model_fixtures(analytics_db: Path) -> dict:
    """Add small tables named and shaped as the model issues describe to a copy of a published database.

    Returns the headline numbers the pages should then show.
    """
    con = duckdb.connect(str(analytics_db))
    try:
        con.execute(FIXTURE_SQL)
        as_of = "2026-10-31 12:00:00"
        con.execute("CREATE OR REPLACE TABLE marts.cooling_probability (run_id VARCHAR, as_of TIMESTAMP, "
                    "target_series VARCHAR, season VARCHAR, probability DOUBLE, model VARCHAR)")
        con.executemany("INSERT INTO marts.cooling_probability VALUES ('old', '2026-01-31', ?, ?, 0.99, 'ensemble')",
                        [[t, s] for (t, s) in FIXTURE_PROBABILITIES])  # an older run the pages must not show
        con.executemany("INSERT INTO marts.cooling_probability VALUES ('fixture', ?, ?, ?, ?, 'ensemble')",
                        [[as_of, t, s, p] for (t, s), p in FIXTURE_PROBABILITIES.items()])
        con.execute("CREATE OR REPLACE TABLE marts.cooling_forecast (run_id VARCHAR, as_of TIMESTAMP, "
                    "target_series VARCHAR, target_month DATE, mean DOUBLE, lo80 DOUBLE, hi80 DOUBLE, lo95 DOUBLE, "
                    "hi95 DOUBLE, model VARCHAR)")
        last = dict(con.execute(
            "SELECT series_id, arg_max(value, month) FROM marts.hiring_monthly WHERE talent_target GROUP BY 1"
        ).fetchall())
        last_month = dict(con.execute(
            "SELECT series_id, max(month) FROM marts.hiring_monthly WHERE talent_target GROUP BY 1").fetchall())
        rows = []
        for target in FIXTURE_TARGETS:
            if target not in last:
                continue
            for h in range(1, 7):
                mean = last[target] * (1 - 0.01 * h)
                spread = abs(last[target]) * 0.02 * h
                rows.append(["fixture", as_of, target, f"{last_month[target]:%Y-%m-%d}", h, mean,
                             mean - spread, mean + spread, mean - 2 * spread, mean + 2 * spread])
        con.executemany("INSERT INTO marts.cooling_forecast SELECT ?, ?, ?, CAST(? AS DATE) + to_months(?), ?, ?, "
                        "?, ?, ?, 'ensemble'", rows)
        con.execute("""
            CREATE OR REPLACE TABLE marts.regime_probabilities AS
            SELECT 'fixture' AS run_id, month, r.regime,
                   CASE r.regime WHEN 'cooling' THEN p ELSE 1 - p END AS probability, 'markov' AS model
            FROM (SELECT DISTINCT month, 0.5 + 0.4 * sin(epoch(month) / 4e7) AS p
                  FROM marts.hiring_monthly WHERE series_id = 'IHLIDXUSTPSOFTDEVE') AS m,
                 (VALUES ('cooling'), ('expanding')) AS r(regime)""")
        con.execute("""
            CREATE OR REPLACE TABLE marts.backtest_scores AS
            SELECT * FROM (VALUES
                ('sarimax', 1, 'brier_skill', 0.31), ('sarimax', 3, 'brier_skill', 0.22),
                ('sarimax', 6, 'brier_skill', 0.12), ('climatology', 1, 'brier_skill', 0.0),
                ('climatology', 3, 'brier_skill', 0.0), ('climatology', 6, 'brier_skill', 0.0),
                ('sarimax', 1, 'crps', 1.8), ('sarimax', 3, 'crps', 2.6), ('sarimax', 6, 'crps', 3.9),
                ('climatology', 1, 'crps', 2.9), ('climatology', 3, 'crps', 3.1), ('climatology', 6, 'crps', 3.4)
            ) AS t(model, horizon, metric, value)""")
        con.execute("""
            CREATE OR REPLACE TABLE marts.backtest_forecasts AS
            SELECT 'sarimax' AS model, i AS origin, (i % 20) / 20.0 + 0.025 AS probability,
                   ((i * 7919) % 100) / 100.0 < (i % 20) / 20.0 + 0.025 AS cooled
            FROM range(400) AS t(i)""")
        # Capital against progress (the Progress page): two frontier measures and the gap, 36 months, synthetic.
        con.execute("""
            CREATE OR REPLACE TABLE marts.progress_monthly AS
            SELECT m.measure, (DATE '2023-01-01' + to_months(i))::DATE AS month,
                   m.base * pow(m.growth, i // 3) AS frontier_value, m.unit, m.scale,
                   'model-' || (i // 3) AS frontier_entity, (DATE '2023-01-01' + to_months(3 * (i // 3)))::DATE
                       AS frontier_release_date, m.doubling AS doubling_time_24m_months,
                   (i % 3)::INTEGER AS months_since_new_frontier, m.series_id, TRUE AS synthetic
            FROM range(36) AS t(i),
                 (VALUES ('eci', 110.0, 1.02, 'ECI points', 'level', NULL, 'epoch_eci'),
                         ('metr_p50_minutes', 5.0, 1.3, 'minutes (METR-Horizon-v1.1)', 'log', 6.5,
                          'metr_time_horizon')) AS m(measure, base, growth, unit, scale, doubling, series_id)""")
        con.execute("""
            CREATE OR REPLACE TABLE marts.capital_progress_monthly AS
            SELECT 'fixture' AS run_id, (DATE '2023-01-01' + to_months(i))::DATE AS month,
                   -1.5 + i / 12.0 AS capital_z, -1.5 + i / 14.0 AS progress_z, i / 12.0 - i / 14.0 AS gap,
                   CASE WHEN i >= 23 THEN 0.1 * (i - 23) END AS gap_zscore_realtime,
                   greatest(i - 33, 0)::INTEGER AS progress_age_months, TRUE AS synthetic
            FROM range(36) AS t(i)""")
        con.execute("""
            CREATE OR REPLACE TABLE marts.capital_progress_tests AS
            SELECT 'fixture' AS run_id, * FROM (VALUES
                ('since_2023', 'about the same pace (within 0.5 sd)', 0.3, NULL, 33, 'fixture note'),
                ('engle_granger_capital_progress', 'no cointegration at 5%', -2.1, 0.45, 33, 'fixture note')
            ) AS t(test, verdict, statistic, pvalue, months, note)""")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {
        "probabilities": {k: f"{round(v * 100)}%" for k, v in FIXTURE_PROBABILITIES.items()},
        "brier_skill_1": "0.310",
    }


# --- the dashboard, served -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 2.0) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback only
        return response.read().decode()


def wait_until(condition: Callable[[], object], *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as exc:  # not up yet; keep the reason for the timeout message
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}" +
                       (f" (last error: {last_error})" if last_error else ""))


class DashboardServer:
    """The dashboard served by `gapcast dashboard --home H --port P` (the command's own module), HOME in a tmp dir."""

    def __init__(self, gapcast_home: Path, workdir: Path, port: int | None = None):
        self.gapcast_home = gapcast_home
        self.workdir = workdir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "streamlit.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "DashboardServer":
        home = self.workdir / "home"
        home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "HOME": str(home), "GAPCAST_HOME": str(self.gapcast_home)}
        command = [sys.executable, "-m", "flows.cli_dashboard", "dashboard", "--home", str(self.gapcast_home),
                   "--port", str(self.port)]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until(self._healthy, timeout=45, what=f"streamlit health at {self.url}/_stcore/health")
        except TimeoutError as exc:
            self.__exit__(None, None, None)
            raise TimeoutError(f"{exc}\n{self.log.read_text(errors='replace')[-3000:]}") from None
        return self

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {self.process.returncode}: "
                               f"{self.log.read_text(errors='replace')[-2000:]}")
        return http_get(f"{self.url}/_stcore/health").strip() == "ok"

    def __exit__(self, *exc) -> None:
        stop(self.process)


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# --- headless Chromium over the DevTools protocol ------------------------------------------------------

def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """Headless Chromium with one page, driven over the DevTools protocol (websockets, loopback only)."""

    def __init__(self, executable: str, workdir: Path, width: int = 1440, height: int = 1000):
        self.executable = executable
        self.workdir = workdir
        self.width, self.height = width, height
        self.process: subprocess.Popen | None = None
        self.ws = None
        self._next_id = 0

    def __enter__(self) -> "Browser":
        from websockets.sync.client import connect

        profile = self.workdir / "chromium-profile"
        profile.mkdir(parents=True, exist_ok=True)
        port = free_port()
        command = [self.executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   f"--remote-debugging-port={port}", "--remote-debugging-address=127.0.0.1",
                   f"--window-size={self.width},{self.height}", "about:blank"]
        self.log = self.workdir / "chromium.log"
        env = {**os.environ, "HOME": str(self.workdir / "home")}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            targets = wait_until(lambda: [t for t in json.loads(http_get(f"http://127.0.0.1:{port}/json/list"))
                                          if t.get("type") == "page"],
                                 timeout=30, what="chromium's DevTools endpoint")
        except TimeoutError as exc:
            stop(self.process)
            raise TimeoutError(f"{exc}\n{self.log.read_text(errors='replace')[-3000:]}") from None
        self.ws = connect(targets[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=self.width, height=self.height,
                  deviceScaleFactor=1, mobile=False)
        return self

    def __exit__(self, *exc) -> None:
        if self.ws is not None:
            self.ws.close()
        stop(self.process)

    def send(self, method: str, timeout: float = 30, **params) -> dict:
        self._next_id += 1
        ident = self._next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"DevTools {method} failed: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails'].get('text')}: {expression[:200]}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        wait_until(lambda: self.evaluate("document.readyState") == "complete", timeout=30, what=f"{url} to load")

    def text(self) -> str:
        return self.evaluate("document.body.innerText")

    def screenshot(self, path: Path, *, full_page: bool = True) -> Path:
        """A PNG of the page; full_page grows the viewport to the app's content first."""
        height = self.height
        if full_page:
            height = int(self.evaluate(
                "Math.max(document.body.scrollHeight, ...Array.from(document.querySelectorAll("
                "'[data-testid=\"stMain\"], [data-testid=\"stMainBlockContainer\"], "
                "[data-testid=\"stAppViewContainer\"]'"
                ")).map(e => e.scrollHeight))")) + 40
            height = max(self.height, min(height, 12000))
            self.send("Emulation.setDeviceMetricsOverride", width=self.width, height=height, deviceScaleFactor=1,
                      mobile=False)
            time.sleep(0.6)  # let the charts re-lay out to the taller viewport
        shot = self.send("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        if full_page:
            self.send("Emulation.setDeviceMetricsOverride", width=self.width, height=self.height,
                      deviceScaleFactor=1, mobile=False)
        return path


# What "a Streamlit page has finished drawing" means in the DOM: connected, the script not running, no
# status widget, no skeletons, and every chart drawn (vega-embed puts its marks in a canvas or svg).
PAGE_STATE_JS = """(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const charts = Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]'));
  const drawn = charts.filter(c => {
    const marks = c.querySelector('canvas.marks, svg.marks');
    return marks && marks.getBoundingClientRect().width > 50 && marks.getBoundingClientRect().height > 50;
  });
  return {
    script: app ? app.getAttribute('data-test-script-state') : null,
    connection: app ? app.getAttribute('data-test-connection-state') : null,
    status_widget: !!document.querySelector('[data-testid="stStatusWidget"]'),
    skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
    charts: charts.length,
    drawn: drawn.length,
    exceptions: document.querySelectorAll('[data-testid="stException"]').length,
    header: (document.querySelector('h2') || {}).innerText || '',
  };
})()"""


def wait_for_page(browser: Browser, *, header: str, min_charts: int, timeout: float = 30) -> dict:
    """Wait until the page whose header is `header` has run and drawn at least min_charts charts, all of them."""
    def ready():
        state = browser.evaluate(PAGE_STATE_JS)
        done = (state["script"] == "notRunning" and not state["status_widget"] and state["skeletons"] == 0
                and header in state["header"] and state["charts"] >= min_charts and state["drawn"] == state["charts"])
        ready.last = state
        return state if done else None

    ready.last = None
    try:
        return wait_until(ready, timeout=timeout, what=f"page {header!r} with {min_charts} drawn charts",
                          interval=0.25)
    except TimeoutError as exc:
        raise TimeoutError(f"{exc}; last state: {ready.last}") from None
