"""No orphans (issue 18, class 5): a `gapcast run` under Prefect killed with SIGKILL while its temporary API server
runs leaves no server behind (before: one kept its port and about 200 MB for as long as the machine ran)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.allow_hosts(["127.0.0.1"]), pytest.mark.skipif(not sys.platform.startswith("linux"),
                                                                          reason="parent-death signals are Linux's")]


def children_of(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the live processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            found.append((int(entry.name), cmdline))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_prefect_run_leaves_no_temporary_server(tmp_path):
    env = {**os.environ, "GAPCAST_HOME": str(tmp_path / "home"), "GAPCAST_PREFECT": "on",
           "NO_PROXY": "127.0.0.1,localhost"}
    run = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", "--catalog", "sample", "--no-report"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = None
    try:
        deadline = time.monotonic() + 120
        while server is None and time.monotonic() < deadline and run.poll() is None:
            servers = [p for p, cmd in children_of(run.pid) if "uvicorn" in cmd and "create_app" in cmd]
            server = servers[0] if servers else None
            time.sleep(0.2)
        assert server is not None, "the run never started Prefect's temporary server"
        time.sleep(1.0)  # the server is up and serving the flow
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=10)
        deadline = time.monotonic() + 15
        while alive(server) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(server), f"Prefect's temporary server {server} outlived the killed run"
    finally:
        if run.poll() is None:
            run.kill()
        if server is not None and alive(server):
            os.kill(server, signal.SIGKILL)
