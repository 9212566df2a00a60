"""`gapcast serve`: the deployments of prefect.yaml served on this machine, with a local server if none is set."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from warehouse.settings import PROJECT_ROOT

PREFECT_YAML = PROJECT_ROOT / "prefect.yaml"
FLOWS = {"flows/pipeline.py:daily": "daily", "flows/pipeline.py:monthly": "monthly",
         "flows/pipeline.py:backtest": "backtest"}


class ServeError(RuntimeError):
    """The deployments could not be served."""


def deployment_specs(path: Path = PREFECT_YAML) -> list[dict]:
    """prefect.yaml's deployments: name, flow, parameters and schedules (each with a time zone)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    specs = []
    for d in doc.get("deployments", []):
        if d["entrypoint"] not in FLOWS:
            raise ServeError(f"{path}: deployment {d['name']!r} has entrypoint {d['entrypoint']!r}; "
                             f"gapcast serve knows {sorted(FLOWS)}")
        for schedule in d.get("schedules", []):
            if not schedule.get("timezone"):
                raise ServeError(f"{path}: deployment {d['name']!r} has a schedule without a timezone; add one")
        specs.append({"name": d["name"], "flow": FLOWS[d["entrypoint"]], "parameters": d.get("parameters", {}),
                      "schedules": d.get("schedules", []), "description": d.get("description", "")})
    return specs


def build_deployments(home: Path, specs: list[dict]):
    """Prefect RunnerDeployments for the specs, each run pointed at the gapcast home."""
    from prefect.schedules import Cron, RRule

    from flows import pipeline

    deployments = []
    for spec in specs:
        schedules = [Cron(s["cron"], timezone=s["timezone"]) if "cron" in s else RRule(s["rrule"], timezone=s["timezone"])
                     for s in spec["schedules"]]
        flow = getattr(pipeline, spec["flow"])
        deployments.append(flow.to_deployment(
            name=spec["name"], schedules=schedules, description=spec["description"],
            parameters={**spec["parameters"], "home": str(home)}))
    return deployments


def serve_deployments(home: Path) -> None:
    """Serve until told to stop; deployments stay active (not paused) when serving stops."""
    from prefect import serve

    serve(*build_deployments(home, deployment_specs()), pause_on_shutdown=False, print_starting_message=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServeError(f"the Prefect server exited with code {process.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise ServeError(f"the Prefect server at {url} was not healthy within {timeout_s:.0f} s")


def run(home: Path, port: int | None = None, ready=None) -> int:
    """Start a local server if PREFECT_API_URL is unset, serve the deployments in a child process, and on
    SIGTERM or SIGINT stop the serving process first, then the server (the other order hangs serving)."""
    env = dict(os.environ)
    server = None
    stopping = {"flag": False}

    def stop(signum, frame):
        stopping["flag"] = True

    old_term, old_int = signal.signal(signal.SIGTERM, stop), signal.signal(signal.SIGINT, stop)
    try:
        if not env.get("PREFECT_API_URL"):
            port = port or _free_port()
            log = open(home / "prefect" / "server.log", "ab")
            server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                       "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
            env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
            _wait_healthy(env["PREFECT_API_URL"], server)
        serving = subprocess.Popen([sys.executable, "-m", "flows.serve", str(home)], env=env, start_new_session=True)
        if ready:
            ready(env["PREFECT_API_URL"])
        while not stopping["flag"] and serving.poll() is None:
            time.sleep(0.2)
        if serving.poll() is None:
            serving.send_signal(signal.SIGTERM)
            try:
                serving.wait(timeout=30)
            except subprocess.TimeoutExpired:
                serving.kill()
                serving.wait()
        return 0 if stopping["flag"] else (serving.returncode or 1)
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)


if __name__ == "__main__":
    serve_deployments(Path(sys.argv[1]))
